"""Django set-up for CLI commands (imported lazily so ``--help`` stays fast)."""

from __future__ import annotations

import os


def setup_django() -> None:
    """Load the settings and the apps, once per process; a settings error surfaces here."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lodestar.config.settings")
    from django.apps import apps

    if apps.ready:
        return
    import django

    django.setup()
