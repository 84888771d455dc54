from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The current workspace and actor, when a page view resolved them."""
    return {
        "workspace": getattr(request, "workspace", None),
        "actor": getattr(request, "actor", None),
    }
