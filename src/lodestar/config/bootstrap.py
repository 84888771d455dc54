"""Django set-up for processes that start outside a web server: the CLI and module entry points
such as ``python -m lodestar.api.openapi``. Kept in ``config`` so neither needs the other."""

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
