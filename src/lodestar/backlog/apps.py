from django.apps import AppConfig


class BacklogConfig(AppConfig):
    name = "lodestar.backlog"
    label = "backlog"
    default_auto_field = "django.db.models.BigAutoField"
