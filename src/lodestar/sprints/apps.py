from django.apps import AppConfig


class SprintsConfig(AppConfig):
    name = "lodestar.sprints"
    label = "sprints"
    default_auto_field = "django.db.models.BigAutoField"
