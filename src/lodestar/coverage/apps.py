from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "lodestar.coverage"
    label = "coverage"
    default_auto_field = "django.db.models.BigAutoField"
