"""The notifications routes' rows of the permission matrix (see ``tests/api/matrix_support.py``):
everyone who can see an object watches it and lists its watchers, viewers too; everyone reads
and marks their own notifications and sets their own preferences."""

from __future__ import annotations

from lodestar.backlog import services as backlog
from lodestar.strategy import services as strategy
from tests.api.matrix_support import World, read

W = "/workspaces/{workspace_slug}"
WATCH = W + "/{object_type}/{object_ref}/watch"

ROWS: dict[str, dict[str, int]] = {
    f"PUT {WATCH}": read(),
    f"DELETE {WATCH}": read(),
    f"GET {W}/{{object_type}}/{{object_ref}}/watchers": read(),
    f"GET {W}/notifications": read(),
    f"POST {W}/notifications/read": read(),
    f"GET {W}/notification-preferences": read(),
    f"PUT {W}/notification-preferences": read(),
}

BODIES: dict[str, object] = {
    f"POST {W}/notifications/read": {"all": True},
    f"PUT {W}/notification-preferences": {"comment": "hourly"},
}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = strategy.product_create(actor=actor, key="ACME", name="Acme Analytics")
    item = backlog.item_create(actor=actor, product=product, title="Share by link")
    return {"object_type": "items", "object_ref": item.key}
