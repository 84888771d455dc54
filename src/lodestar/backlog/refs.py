"""Turning an item key that a request body, a form or a command-line option names into an item.

An unknown key (or one of an item in the trash) is bad input: 422 naming the field to fix
(``access.py`` keeps the 404 for the item a path names). ``light`` reads only what a
reference point needs (to place another item before or after it); otherwise the item comes
with everything it shows. The HTTP API, the pages and the CLI all resolve through here.
"""

from __future__ import annotations

from lodestar.backlog.access import access_anchor, access_item
from lodestar.backlog.errors import BacklogErrorCode
from lodestar.backlog.models import BacklogItem
from lodestar.core.errors import Invalid, NotFound
from lodestar.people.policy import Actor


def item_ref(actor: Actor, key: str, *, field: str, light: bool = False) -> BacklogItem:
    """The live item ``key`` (``ACME-42``, any letter case) of the actor's workspace."""
    try:
        return access_anchor(actor, key) if light else access_item(actor, key)
    except NotFound as exc:
        if exc.code == BacklogErrorCode.ITEM_IN_TRASH:
            raise Invalid.field(field, f"{key} is in the trash; restore it first") from exc
        raise Invalid.field(field, f"no item '{key}' in this workspace's backlog") from exc


def item_ref_or_none(
    actor: Actor, key: str | None, *, field: str, light: bool = False
) -> BacklogItem | None:
    """``item_ref``, where None means no item."""
    if key is None:
        return None
    return item_ref(actor, key, field=field, light=light)
