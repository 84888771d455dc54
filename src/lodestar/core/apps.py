from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lodestar.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every context declares itself once, in its ``plugin`` module (``core.registry``).
        from lodestar.core.db import register_lookups
        from lodestar.core.registry import registry

        register_lookups()
        registry().discover()
