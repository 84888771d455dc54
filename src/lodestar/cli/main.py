"""The ``lodestar`` command."""

from __future__ import annotations

import os

import typer

app = typer.Typer(
    name="lodestar",
    help="Lodestar: product management and Scrum, self-hosted.",
    no_args_is_help=True,
    add_completion=False,
)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lodestar.config.settings")
    import django

    django.setup()


@app.command()
def migrate() -> None:
    """Create or update the database tables."""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    call_command("createcachetable", verbosity=0)


def main() -> None:
    app()
