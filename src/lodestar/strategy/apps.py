from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "lodestar.strategy"
    label = "strategy"
    default_auto_field = "django.db.models.BigAutoField"
