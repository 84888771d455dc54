"""The backlog routes' rows of the permission matrix (see ``tests/api/matrix_support.py``).

The prioritization routes' rows live in ``matrix_prioritization`` and are collected here, each
with its own path parameters, since the matrix reads one module per context.
"""

from __future__ import annotations

from lodestar.backlog import services
from lodestar.backlog.saved_views import services as saved_views
from lodestar.people.models import Team
from lodestar.strategy import services as strategy
from lodestar.strategy.models import ProductOwnerHat
from tests.api.matrix_support import ADMIN, EVERYONE, OWNER, PO, WRITERS, World, read, row
from tests.backlog import matrix_prioritization as prioritization

W = "/workspaces/{workspace_slug}"
ITEM = W + "/items/{item_key}"
PRODUCT = W + "/products/{product_key}"
VIEWS = PRODUCT + "/saved-views"
# Ordering the backlog is the product owner's (of a team on the product), or an admin's.
ORDERERS = {OWNER, ADMIN, PO}

OWN_ROWS: dict[str, dict[str, int]] = {
    f"GET {PRODUCT}/backlog": read(),
    f"POST {PRODUCT}/backlog": row(201, WRITERS),
    f"POST {PRODUCT}/backlog/bulk": row(200, WRITERS),
    f"GET {ITEM}": read(),
    f"PATCH {ITEM}": row(200, WRITERS),
    f"DELETE {ITEM}": row(204, WRITERS),
    f"POST {ITEM}/move": row(200, ORDERERS),
    f"GET {ITEM}/children": read(),
    f"POST {ITEM}/children": row(201, WRITERS),
    f"POST {ITEM}/convert": row(200, WRITERS),
    f"POST {ITEM}/duplicate": row(201, WRITERS),
    f"POST {ITEM}/restore": row(200, WRITERS),
    f"GET {ITEM}/history": read(),
    f"GET {ITEM}/readiness": read(),
    # Saved views: anyone may save a personal view (a viewer too); the shared view that setup
    # makes is the owner's, so only they and an admin change or delete it.
    f"GET {VIEWS}": read(),
    f"POST {VIEWS}": row(201, EVERYONE),
    f"PATCH {VIEWS}/{{view_id}}": row(200, {OWNER, ADMIN}),
    f"DELETE {VIEWS}/{{view_id}}": row(204, {OWNER, ADMIN}),
}
ROWS: dict[str, dict[str, int]] = {**OWN_ROWS, **prioritization.ROWS}

BODIES: dict[str, object] = {
    f"POST {PRODUCT}/backlog": {"title": "Export a dashboard as PDF", "labels": ["reports"]},
    f"POST {PRODUCT}/backlog/bulk": {"items": [{"key": "ACME-2"}], "status": "in_progress"},
    f"PATCH {ITEM}": {"title": "Export any dashboard as PDF"},
    f"POST {ITEM}/move": {"position": "bottom"},
    f"POST {ITEM}/children": {"children": [{"title": "Render charts server-side"}]},
    f"POST {ITEM}/convert": {"kind": "bug"},
    f"POST {VIEWS}": {"name": "Ready work", "filters": {"status": "ready"}},
    f"PATCH {VIEWS}/{{view_id}}": {"name": "Ready for the sprint"},
    **getattr(prioritization, "BODIES", {}),
}

# The prioritization routes reach that module's product and item; restore needs a trashed item.
PARAMS: dict[str, dict[str, str]] = {
    f"POST {ITEM}/restore": {"item_key": "ACME-3"},
    **{
        route: {"item_key": "PRIO-1", "product_key": "PRIO", "framework": "rice"}
        for route in prioritization.ROWS
    },
}


def setup(world: World) -> dict[str, str]:
    prioritization.setup(world)
    owner = world.owner.actor
    product = strategy.product_create(actor=owner, key="ACME", name="Acme Analytics")
    # ``world.team`` works from the prioritization product; a second team works from this one,
    # whose product owner is ``po`` too.
    team = Team.objects.create(workspace=world.workspace, slug="insights", name="Insights")
    ProductOwnerHat.objects.create(product=product, member=world.po.membership)
    strategy.team_product_set(actor=owner, team=team, product=product)
    first = services.item_create(actor=owner, product=product, title="Share a dashboard link")
    services.item_create(actor=owner, product=product, title="Usage alerts")
    trashed = services.item_create(actor=owner, product=product, title="Dark mode")
    services.item_delete(actor=owner, item=trashed)
    view = saved_views.saved_view_create(
        actor=owner, product=product, name="Bugs", filters={"kind": "bug"}, shared=True
    )
    return {"product_key": product.key, "item_key": first.key, "view_id": str(view.pk)}
