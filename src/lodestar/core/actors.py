"""Who acts, as core sees it: anyone with a user and a workspace.

The people context's ``Actor`` (a user and their membership) satisfies this; core types its
services (trash, history, events) against the protocol so that it imports no context.
"""

from __future__ import annotations

from typing import Any, Protocol


class Actor(Protocol):
    @property
    def user(self) -> Any: ...

    @property
    def workspace_id(self) -> int: ...
