"""The comments routes' rows of the permission matrix (see ``tests/api/matrix_support.py``):
everyone in the workspace reads a thread; every member who may comment on the object (the
item's ``comment`` permission: writers) comments and reacts; only the author edits a comment;
its author, an admin or an owner deletes it; viewers write nothing."""

from __future__ import annotations

from lodestar.backlog import services as backlog
from lodestar.comments import services
from lodestar.comments.access import access_target
from lodestar.strategy import services as strategy
from tests.api.matrix_support import ADMIN, OWNER, WRITERS, World, read, row

W = "/workspaces/{workspace_slug}"
THREAD = W + "/{object_type}/{object_ref}/comments"
ONE = W + "/comments/{comment_id}"
REACTION = ONE + "/reactions/{emoji}"

ROWS: dict[str, dict[str, int]] = {
    f"GET {THREAD}": read(),
    f"POST {THREAD}": row(201, WRITERS),
    # The comment is the owner's: nobody else edits it.
    f"PATCH {ONE}": row(200, {OWNER}),
    f"DELETE {ONE}": row(204, {OWNER, ADMIN}),
    f"PUT {REACTION}": row(200, WRITERS),
    f"DELETE {REACTION}": row(204, WRITERS),
}

BODIES: dict[str, object] = {
    f"POST {THREAD}": {"body": "Could this reuse the **export** queue?"},
    f"PATCH {ONE}": {"body": "Could this reuse the export queue? (edited)"},
}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = strategy.product_create(actor=actor, key="ACME", name="Acme Analytics")
    item = backlog.item_create(actor=actor, product=product, title="Share by link")
    target = access_target(actor, "items", item.key)
    comment = services.comment_create(actor=actor, target=target, body="First thoughts")
    services.comment_react(actor=actor, comment=comment, target=target, emoji="thumbs_up")
    return {
        "object_type": "items",
        "object_ref": item.key,
        "comment_id": str(comment.pk),
        "emoji": "thumbs_up",
    }
