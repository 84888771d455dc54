"""The gate that fetches a backlog item for an actor: missing, trashed elsewhere or in another
workspace all answer 404."""

from __future__ import annotations

from django.db.models import QuerySet

from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.live import item_stamp_queryset
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.selectors import item_queryset
from lodestar.core.errors import NotFound
from lodestar.people.policy import Actor


def access_item(actor: Actor, key: str, *, in_trash: bool = False) -> BacklogItem:
    """The item ``key`` (``ACME-42``, any letter case) of the actor's workspace.

    ``in_trash`` reaches items in the trash too (to restore them); otherwise a trashed item
    answers 404 and says where it is.
    """
    return _checked(item_queryset(in_trash=True), actor, key, in_trash=in_trash)


def access_anchor(actor: Actor, key: str) -> BacklogItem:
    """The live item ``key`` read only as a reference point (to move or place another item
    before or after it): its key, product and workspace, nothing it would show."""
    light = BacklogItem.all_objects.only("id", "key", "product_id", "workspace_id", "deleted_at")
    return _checked(light, actor, key, in_trash=False)


def access_item_stamp(actor: Actor, key: str) -> BacklogItem:
    """The item ``key`` read only for its page's poll (``backlog.live``): its stamp, whether in
    the trash or not, so a page learns that the item it shows was trashed."""
    return _checked(item_stamp_queryset(), actor, key, in_trash=True)


def _checked(
    items: QuerySet[BacklogItem], actor: Actor, key: str, *, in_trash: bool
) -> BacklogItem:
    found = items.filter(workspace_id=actor.workspace_id, key=key.strip().upper()).first()
    if found is None:
        raise NotFound(f"No item '{key}' in this workspace.", code=Code.ITEM_NOT_FOUND)
    if found.in_trash and not in_trash:
        raise NotFound(
            f"{found.key} is in the trash; restore it to see or change it.",
            code=Code.ITEM_IN_TRASH,
        )
    return found
