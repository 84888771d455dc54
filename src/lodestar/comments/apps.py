from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "lodestar.comments"
    label = "comments"
    default_auto_field = "django.db.models.BigAutoField"
