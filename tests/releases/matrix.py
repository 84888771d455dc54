"""The releases routes' rows of the permission matrix (see ``tests/api/matrix_support.py``):
everyone in the workspace reads; the product's owner (``po``), the developers of its teams
(``member``) and admins change a release; only the product's owner and admins decide it (go
live, forced or not; the product's own checks); viewers change nothing."""

from __future__ import annotations

from lodestar.backlog import services as backlog
from lodestar.releases import roadmap, services
from lodestar.strategy import services as strategy
from lodestar.strategy.models import ProductOwnerHat
from tests.api.matrix_support import ADMIN, OWNER, PO, WRITERS, World, read, row

W = "/workspaces/{workspace_slug}"
PRODUCT = W + "/products/{product_key}"
RELEASE = PRODUCT + "/releases/{release_id}"
ROADMAP = PRODUCT + "/roadmap"
DECIDERS = frozenset({OWNER, ADMIN, PO})

ROWS: dict[str, dict[str, int]] = {
    f"GET {PRODUCT}/releases": read(),
    f"POST {PRODUCT}/releases": row(201, WRITERS),
    f"GET {RELEASE}": read(),
    f"PATCH {RELEASE}": row(200, WRITERS),
    f"GET {RELEASE}/items": read(),
    f"POST {RELEASE}/items": row(200, WRITERS),
    f"DELETE {RELEASE}/items/{{item_key}}": row(204, WRITERS),
    f"POST {RELEASE}/items/drop": row(200, WRITERS),
    f"GET {RELEASE}/checks": read(),
    f"PUT {RELEASE}/checks/{{check_id}}": row(200, WRITERS),
    f"POST {RELEASE}/go-live": row(200, DECIDERS),
    f"GET {RELEASE}/notes": read(),
    f"PUT {RELEASE}/notes": row(200, WRITERS),
    f"GET {RELEASE}/forecast": read(),
    f"GET {PRODUCT}/release-checks": read(),
    f"POST {PRODUCT}/release-checks": row(201, DECIDERS),
    f"DELETE {PRODUCT}/release-checks/{{check_id}}": row(204, DECIDERS),
    f"GET {ROADMAP}": read(),
    f"PUT {ROADMAP}": row(200, DECIDERS),
    f"POST {ROADMAP}/entries": row(201, DECIDERS),
    f"POST {ROADMAP}/entries/{{entry_id}}/move": row(200, DECIDERS),
    f"DELETE {ROADMAP}/entries/{{entry_id}}": row(204, DECIDERS),
    f"GET {ROADMAP}/shares": read(),
    f"POST {ROADMAP}/shares": row(201, DECIDERS),
    f"POST {ROADMAP}/shares/{{share_id}}/revoke": row(200, DECIDERS),
}

BODIES: dict[str, object] = {
    f"POST {PRODUCT}/releases": {"name": "2026.2", "target_date": "2026-06-30"},
    f"PATCH {RELEASE}": {"name": "2026.1b"},
    f"POST {RELEASE}/items": {"items": ["ACME-2"]},
    f"POST {RELEASE}/items/drop": {"items": ["ACME-1"], "reason": "Not this time"},
    f"PUT {RELEASE}/checks/{{check_id}}": {"ticked": True},
    f"POST {RELEASE}/go-live": {"force": True, "reason": "The launch event is today"},
    f"PUT {RELEASE}/notes": {"notes": "## Fixed\n\n- Exports"},
    f"POST {PRODUCT}/release-checks": {"label": "Changelog updated"},
    f"PUT {ROADMAP}": {"lanes": {"later": ["item:ACME-3"]}},
    f"POST {ROADMAP}/entries": {"type": "item", "target": "ACME-4", "lane": "next"},
    f"POST {ROADMAP}/entries/{{entry_id}}/move": {"lane": "later", "position": 0},
    f"POST {ROADMAP}/shares": {"label": "Board"},
}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = strategy.product_create(actor=actor, key="ACME", name="Acme Analytics")
    strategy.team_product_set(actor=actor, team=world.team, product=product)
    ProductOwnerHat.objects.create(product=product, member=world.po.membership)
    first = backlog.item_create(actor=actor, product=product, title="Faster export")
    backlog.item_create(actor=actor, product=product, title="Export to Excel")
    release = services.release_create(actor=actor, product=product, name="2026.1")
    services.release_items_add(actor=actor, release=release, items=[first])
    check = services.product_check_create(actor=actor, product=product, label="Support briefed")
    epic = backlog.item_create(actor=actor, product=product, title="Reporting", kind="epic")
    entry = roadmap.roadmap_entry_add(
        actor=actor, product=product, type="item", target=epic.key, lane="now"
    )
    backlog.item_create(actor=actor, product=product, title="Dashboards", kind="epic")
    share, _ = roadmap.roadmap_share_create(actor=actor, product=product, label="Board")
    return {
        "product_key": product.key,
        "release_id": str(release.pk),
        "item_key": first.key,
        "check_id": str(check.pk),
        "entry_id": str(entry.pk),
        "share_id": str(share.pk),
    }
