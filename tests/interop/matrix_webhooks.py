"""The webhooks routes' rows of the permission matrix (see ``tests/api/matrix_support.py``):
workspace administration, so owners and admins only; members, product owners and viewers are
refused (403), outsiders get 404. No test here sends anything: a delivery waits for the worker
(its task is enqueued on commit, and a matrix case never commits)."""

from __future__ import annotations

from lodestar.interop.webhooks import services
from tests.api.matrix_support import MANAGERS, World, row

W = "/workspaces/{workspace_slug}/webhooks"
ONE = W + "/{webhook_id}"
DELIVERY = ONE + "/deliveries/{delivery_id}"

ROWS: dict[str, dict[str, int]] = {
    f"GET {W}": row(200, MANAGERS),
    f"POST {W}": row(201, MANAGERS),
    f"GET {ONE}": row(200, MANAGERS),
    f"PATCH {ONE}": row(200, MANAGERS),
    f"DELETE {ONE}": row(204, MANAGERS),
    f"POST {ONE}/enable": row(200, MANAGERS),
    f"POST {ONE}/disable": row(200, MANAGERS),
    f"POST {ONE}/secret": row(200, MANAGERS),
    f"POST {ONE}/test": row(202, MANAGERS),
    f"GET {ONE}/deliveries": row(200, MANAGERS),
    f"GET {DELIVERY}": row(200, MANAGERS),
    f"POST {DELIVERY}/redeliver": row(202, MANAGERS),
}

BODIES: dict[str, object] = {
    f"POST {W}": {"url": "https://hooks.example.com/lodestar", "events": ["item.*"]},
    f"PATCH {ONE}": {"description": "The CI pipeline"},
    f"POST {ONE}/disable": {"reason": "The receiver is being moved."},
}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    webhook = services.webhook_create(actor=actor, url="https://hooks.example.com/ci", events=["*"])
    delivery = services.webhook_test(actor=actor, webhook=webhook)
    return {"webhook_id": str(webhook.pk), "delivery_id": str(delivery.pk)}
