from django.apps import AppConfig


class BacklogConfig(AppConfig):
    name = "lodestar.backlog"
    label = "backlog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lodestar.backlog.models import BacklogItem
        from lodestar.backlog.services.items import rank_on_restore, refuse_trash_with_children
        from lodestar.core.trash import register_trashable

        register_trashable(
            BacklogItem,
            name="item",
            label=lambda item: f"{item.key} {item.title}",
            workspace="workspace",
            select_related=("product", "parent"),
            on_trash=refuse_trash_with_children,
            on_restore=rank_on_restore,
        )
