"""Turning an item key that a request body, a form or a command-line option names into an item.

An unknown key (or one of an item in the trash) is bad input: 422 naming the field to fix
(``access.py`` keeps the 404 for the item a path names). ``light`` reads only what a
reference point needs (to place another item before or after it); otherwise the item comes
with everything it shows. The HTTP API, the pages and the CLI all resolve through here.
"""

from __future__ import annotations

from collections.abc import Sequence

from lodestar.backlog.access import access_anchor, access_item
from lodestar.backlog.errors import BacklogErrorCode
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.selectors import item_queryset
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


def item_refs(actor: Actor, keys: Sequence[str], *, field: str = "items") -> list[BacklogItem]:
    """The live items ``keys`` name, in that order, read in one query; an unknown or trashed
    key is a 422 naming it (``items[2]: no item 'ACME-99' ...``)."""
    wanted = [key.strip().upper() for key in keys]
    found = {
        item.key: item
        for item in item_queryset(in_trash=True).filter(
            workspace_id=actor.workspace_id, key__in=set(wanted)
        )
    }
    for index, key in enumerate(wanted):
        item = found.get(key)
        if item is None:
            raise Invalid.field(
                f"{field}[{index}]", f"no item '{keys[index]}' in this workspace's backlog"
            )
        if item.in_trash:
            raise Invalid.field(
                f"{field}[{index}]", f"{item.key} is in the trash; restore it first"
            )
    return [found[key] for key in wanted]
