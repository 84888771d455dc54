"""The sprints routes' rows of the permission matrix (see ``tests/api/matrix_support.py``):
everyone in the workspace reads; the team's developers (``member``), the product's owner
(``po``) and admins change a team's sprints; viewers change nothing."""

from __future__ import annotations

import datetime as dt

from lodestar.backlog import services as backlog
from lodestar.people.models import Team, TeamMembership, TeamRole
from lodestar.sprints import services
from lodestar.strategy import services as strategy
from lodestar.strategy.models import ProductOwnerHat
from tests.api.matrix_support import WRITERS, World, read, row

W = "/workspaces/{workspace_slug}"
TEAM = W + "/teams/{team_slug}"
SPRINT = W + "/sprints/{sprint_id}"
START = dt.date(2026, 3, 2)
END = dt.date(2026, 3, 13)

ROWS: dict[str, dict[str, int]] = {
    f"GET {TEAM}/sprints": read(),
    f"POST {TEAM}/sprints": row(201, WRITERS),
    f"GET {SPRINT}": read(),
    f"PATCH {SPRINT}": row(200, WRITERS),
    f"DELETE {SPRINT}": row(204, WRITERS),
    f"GET {SPRINT}/items": read(),
    f"POST {SPRINT}/items": row(200, WRITERS),
    f"DELETE {SPRINT}/items/{{item_key}}": row(204, WRITERS),
    f"PUT {SPRINT}/capacity": row(200, WRITERS),
    f"POST {SPRINT}/start": row(200, WRITERS),
    f"POST {SPRINT}/close": row(200, WRITERS),
    f"GET {SPRINT}/snapshots": read(),
    f"GET {SPRINT}/burndown": read(),
    f"GET {TEAM}/flow": read(),
}

BODIES: dict[str, object] = {
    f"POST {TEAM}/sprints": {
        "name": "Sprint 9",
        "start_date": "2026-04-06",
        "end_date": "2026-04-17",
    },
    f"PATCH {SPRINT}": {"name": "Sprint 1b"},
    f"POST {SPRINT}/items": {"items": ["ACME-2"]},
    f"PUT {SPRINT}/capacity": {"capacity": [{"member": "dev@acme.test", "days": 8, "points": 13}]},
    f"POST {SPRINT}/start": {"goal": "Ship the export"},
    f"POST {SPRINT}/close": {"goal_met": True, "review_notes": "Shipped"},
}
PARAMS: dict[str, dict[str, str]] = {}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = strategy.product_create(actor=actor, key="ACME", name="Acme Analytics")
    strategy.team_product_set(actor=actor, team=world.team, product=product)
    ProductOwnerHat.objects.create(product=product, member=world.po.membership)
    strategy.goal_set(actor=actor, product=product, statement="Self-serve analytics")
    first = backlog.item_create(actor=actor, product=product, title="Faster export", estimate=3)
    backlog.item_create(actor=actor, product=product, title="Export to Excel", estimate=5)
    planned = services.sprint_create(
        actor=actor, team=world.team, name="Sprint 1", start_date=START, end_date=END
    )
    services.sprint_items_add(actor=actor, sprint=planned, items=[first])
    # A second team on the same product, running a sprint, for closing.
    mobile = Team.objects.create(workspace=world.workspace, slug="mobile", name="Mobile")
    strategy.team_product_set(actor=actor, team=mobile, product=product)
    TeamMembership.objects.create(
        team=mobile, member=world.member.membership, role=TeamRole.DEVELOPER
    )
    running = services.sprint_create(
        actor=actor, team=mobile, name="Mobile 1", start_date=START, end_date=END
    )
    services.sprint_start(actor=actor, sprint=running, goal="Offline mode")
    PARAMS[f"POST {SPRINT}/close"] = {"sprint_id": str(running.pk)}
    return {
        "team_slug": world.team.slug,
        "sprint_id": str(planned.pk),
        "item_key": first.key,
    }
