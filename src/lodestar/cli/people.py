"""Commands for users, workspaces and API tokens."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the people commands (user, workspace, token) to ``app``."""
