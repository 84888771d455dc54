"""The demo's two teams, told apart by what their people do (the coverage page's story).

Both teams work from ACME and share its product owner, Quinn, a QA engineer. Quinn keeps the
backlog ordered: a session a week for the last half year, each moving one item of the top of the
backlog (the other contexts' demos give the rest of what Quinn does: splitting work, taking
releases live, the roadmap). Nobody of Checkout talks to customers or looks at an outcome
(``discovery.demo`` and ``outcomes.demo`` give that work to Priya, the product manager, who works
with Insights). So the coverage page of Checkout shows the product owner hat ordering and
splitting and nobody doing discovery, and that of Insights every duty carried.

The sessions rotate a run of items (the first of the run goes after its last, once a week): after
as many sessions as the run has items, twice over, the order is the one the backlog's demo left,
so every other demo and page reads the backlog as before. Deterministic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.core.models import HistoryEntry
from lodestar.people.demo import DemoPeople
from lodestar.strategy.models import Product

# The run of items rotated, and the sessions (one a week, the last a week ago).
RUN = 12
SESSIONS = 2 * RUN
OWNER = "quinn"


def seed_world(world: dict[str, Any]) -> int:
    """``lodestar demo``'s entry: the product owner's sessions (none without the product)."""
    people: DemoPeople = world["people"]
    product = world.get("backlog")
    if not isinstance(product, Product):
        product = Product.objects.filter(workspace=people.workspace, key="ACME").first()
    return ordering_sessions(people, product) if product is not None else 0


def _run(product: Product) -> list[BacklogItem]:
    """The top of the backlog that the sessions rotate: open top-level items with no children."""
    children = BacklogItem.objects.filter(parent=OuterRef("pk"))
    return list(
        BacklogItem.objects.filter(product=product, parent__isnull=True)
        .exclude(status__in=[ItemStatus.DONE, ItemStatus.WONT_DO])
        .exclude(Exists(children))
        .order_by("rank")[:RUN]
    )


@transaction.atomic
def ordering_sessions(people: DemoPeople, product: Product) -> int:
    """Quinn's weekly backlog sessions, dated back; returns how many moves were made."""
    run = _run(product)
    if len(run) < 2:
        return 0
    actor = people.actor(OWNER)
    now = timezone.now()
    first = HistoryEntry.objects.filter(workspace=people.workspace).latest("id").pk + 1
    updated = {item.pk: item.updated_at for item in run}
    order = list(run)
    moves = 0
    sessions = SESSIONS - SESSIONS % len(order)  # whole rotations: the order comes back
    for session in range(sessions):
        when = (now - dt.timedelta(days=7 * (sessions - session))).replace(
            hour=9, minute=30 + session % 20, second=0, microsecond=0
        )
        item, last = order[0], order[-1]
        item.refresh_from_db()
        backlog.item_move(actor=actor, item=item, after=last)
        HistoryEntry.objects.filter(
            workspace=people.workspace,
            pk__gte=first,
            object_type=BacklogItem._meta.label_lower,
            object_id=item.pk,
            action="moved",
            created_at__gt=now,
        ).update(created_at=when)
        updated[item.pk] = max(updated[item.pk], when)
        order = [*order[1:], item]
        moves += 1
    for pk, when in updated.items():
        BacklogItem.objects.filter(pk=pk).update(updated_at=when)
    return moves
