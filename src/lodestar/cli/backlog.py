"""``lodestar backlog ...``: the Product Backlog from the terminal."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``backlog`` command group to ``app``."""
