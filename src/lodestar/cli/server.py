"""Commands that run Lodestar: serve, worker, migrate, demo."""

from __future__ import annotations

import typer

from lodestar.cli.bootstrap import setup_django


def migrate() -> None:
    """Create or update the database tables."""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    call_command("createcachetable", verbosity=0)


def register(app: typer.Typer) -> None:
    app.command()(migrate)
