"""The ``lodestar`` command: one Typer app, one sub-app per context."""

from __future__ import annotations

import typer

from lodestar.cli import backlog, people, server

app = typer.Typer(
    name="lodestar",
    help="Lodestar: product management and Scrum, self-hosted.",
    no_args_is_help=True,
    add_completion=False,
)
server.register(app)
people.register(app)
backlog.register(app)


def main() -> None:
    app()
