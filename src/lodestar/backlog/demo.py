"""The demo backlog: the ACME product of Acme Analytics, its goals, and about sixty items.

Created through the services, as the product owners would, so the history, the ranks and the
readiness rules are real: ready items pass the Definition of Ready, done work served the goal
the product had before, and a few items serve no goal at all so the backlog flags them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from lodestar.backlog import services
from lodestar.backlog.flow.services import status_changes_rebuild
from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.prioritization import demo as prioritization_demo
from lodestar.backlog.services import ChildSpec
from lodestar.core.models import HistoryEntry
from lodestar.strategy import demo as strategy_demo
from lodestar.strategy import services as strategy
from lodestar.strategy.models import GoalStatus, Product, ProductGoal

if TYPE_CHECKING:
    from lodestar.people.demo import DemoPeople

VISION = """\
Every small and mid-sized SaaS company can answer its own questions about revenue, retention
and activation **from its own product data**, without hiring a data team.

- Connect a source in minutes, see a live dashboard the same day.
- Every number can be traced back to where it came from.
- The right people get the right report, on time, wherever they work.
"""

EARLIER_GOAL = "New accounts see their first live dashboard within ten minutes of signing up"
ACTIVE_GOAL = "Customers share dashboards their whole company trusts"
ACTIVE_GOAL_DESCRIPTION = """\
Trials convert when more than one person uses a dashboard. This quarter we make dashboards
easy to share **and** easy to trust: every tile says where its numbers come from and how fresh
they are, and scheduled reports arrive on time. Measured by weekly active viewers per account.
"""


@dataclass(frozen=True)
class Spec:
    """One demo item: what the product owner wrote, and where the work stands."""

    title: str
    estimate: int | str | None = None
    kind: str | None = None  # None: a story, or one level below the parent when split
    criteria: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    status: str = ItemStatus.NEW
    goal: str | None = "active"  # "active", "earlier" or None (an orphan)
    assignee: str | None = None
    description: str = ""
    children: tuple[Spec, ...] = field(default_factory=tuple)


BACKLOG: tuple[Spec, ...] = (
    Spec(
        "Share dashboards outside the workspace",
        kind="epic",
        labels=("sharing",),
        description="Viewers without an account open a dashboard from a link, read-only.",
        children=(
            Spec(
                "Share a dashboard by link with read-only viewers",
                5,
                criteria=(
                    "Given a dashboard, when I create a share link, anyone with it sees the "
                    "dashboard read-only",
                    "The link never exposes the underlying SQL or raw rows",
                ),
                status=ItemStatus.IN_PROGRESS,
                assignee="diego",
                children=(
                    Spec("Signed, expiring share-link tokens", 3, status=ItemStatus.DONE),
                    Spec("Record who opened a shared link in the audit log", 2),
                ),
            ),
            Spec(
                "Restrict a shared link to one email domain",
                3,
                criteria=("Only viewers who verify an address at the domain see the dashboard",),
                status=ItemStatus.READY,
            ),
            Spec(
                "Revoke a share link from the dashboard's sharing panel",
                2,
                criteria=("A revoked link answers 'no longer shared' within a minute",),
                status=ItemStatus.READY,
            ),
            Spec("Embed a dashboard in Notion and Confluence pages", 8),
            Spec("Shared dashboards follow the viewer's time zone", "?"),
        ),
    ),
    Spec(
        "Chart tooltip shows UTC instead of the account's time zone",
        kind="bug",
        estimate=2,
        labels=("charts",),
        criteria=("Tooltips and axis labels use the account's time zone",),
        status=ItemStatus.READY,
        assignee="dana",
    ),
    Spec(
        "Scheduled reports",
        kind="epic",
        labels=("reports",),
        description="Dashboards delivered as PDF or Slack digests on a schedule.",
        children=(
            Spec(
                "Email a dashboard as PDF every Monday morning",
                5,
                criteria=(
                    "The PDF matches the dashboard at send time",
                    "Recipients can unsubscribe with one click",
                ),
                status=ItemStatus.READY,
                children=(
                    Spec("Render dashboards to PDF with a headless browser", 5),
                    Spec("Retry queue for report emails that bounce", 3),
                ),
            ),
            Spec("Weekly Slack digest of an account's key metrics", 5),
            Spec("Pause a schedule when every recipient bounces", 2),
            Spec("Choose the send time and time zone of a schedule", 3),
        ),
    ),
    Spec(
        "Every number traceable to its source",
        kind="epic",
        labels=("lineage",),
        description="Metric lineage: from a chart tile back to the source table and sync.",
        children=(
            Spec(
                "Show the query behind every chart tile",
                3,
                criteria=("A 'How is this calculated?' panel shows the query and its sources",),
                status=ItemStatus.READY,
            ),
            Spec("'Last refreshed' time on every tile", 2, status=ItemStatus.IN_PROGRESS),
            Spec("Alert the owner when a source sync fails", 5),
            Spec(
                "Spike: column-level lineage with OpenLineage",
                kind="spike",
                estimate=3,
                description="Time-boxed to three days: can we read lineage from dbt manifests?",
            ),
        ),
    ),
    Spec(
        "CSV export drops rows beyond 10,000",
        kind="bug",
        estimate=3,
        labels=("reports",),
        criteria=("Exports stream every row, whatever the count",),
        status=ItemStatus.READY,
    ),
    Spec(
        "Data freshness you can see",
        kind="epic",
        labels=("lineage",),
        children=(
            Spec("Warn when a dashboard uses data older than 24 hours", 3),
            Spec("Freshness badge in the dashboard header", 2),
            Spec("Freshness SLA per data source, set by the account admin", 5),
        ),
    ),
    Spec(
        "Duplicate events after a HubSpot re-sync",
        kind="bug",
        estimate=5,
        labels=("integrations",),
        assignee="lee",
        status=ItemStatus.IN_PROGRESS,
    ),
    Spec(
        "Spike: real-time refresh under one minute, at what cost?",
        kind="spike",
        estimate=5,
        labels=("performance",),
    ),
    Spec(
        "Dashboard comments with @mentions",
        estimate=8,
        labels=("sharing",),
        description="Discussion stays next to the number it is about.",
    ),
    Spec("Viewer analytics: who looked at a shared dashboard", estimate=5, labels=("sharing",)),
    Spec("Upgrade the charting library to its next major version", kind="task", goal=None),
    Spec(
        "Funnel chart legend overlaps on narrow screens",
        kind="bug",
        estimate=1,
        labels=("charts", "ux"),
        goal=None,
    ),
    Spec("Gamified achievements for power users", estimate=8, labels=("ux",), goal=None),
    Spec(
        "Spike: ClickHouse or DuckDB for per-tenant queries",
        kind="spike",
        labels=("performance",),
        goal=None,
    ),
    Spec("Dark mode for the query editor", estimate=3, labels=("ux",), goal=None),
    Spec("Refresh the marketing site footer", kind="task", estimate=1, goal=None),
    Spec(
        "Onboarding in ten minutes",
        kind="epic",
        labels=("onboarding",),
        goal="earlier",
        status=ItemStatus.DONE,
        children=(
            Spec("Connect Stripe in three clicks", 5, goal="earlier", status=ItemStatus.DONE),
            Spec(
                "Starter dashboard templates for SaaS metrics",
                8,
                goal="earlier",
                status=ItemStatus.DONE,
            ),
            Spec("A sample-data workspace for trials", 3, goal="earlier", status=ItemStatus.DONE),
            Spec(
                "Guided checklist on the first dashboard",
                3,
                goal="earlier",
                status=ItemStatus.DONE,
            ),
            Spec(
                "Import a Google Sheet as a data source",
                8,
                goal="earlier",
                status=ItemStatus.WONT_DO,
            ),
        ),
    ),
    Spec(
        "Signup fails for emails with a plus sign",
        kind="bug",
        estimate=1,
        goal="earlier",
        status=ItemStatus.DONE,
        labels=("onboarding",),
    ),
)

# Plain backlog items beyond the epics, to give the list its real-life length.
MORE: tuple[Spec, ...] = (
    Spec("Pin a dashboard to the workspace home", estimate=2, labels=("sharing",)),
    Spec("Duplicate a dashboard with its filters", estimate=2, labels=("ux",)),
    Spec("Annotations on time-series charts", estimate=5, labels=("charts",)),
    Spec("Compare a metric with the same period last year", estimate=5, labels=("charts",)),
    Spec("Cohort retention chart by signup month", estimate=8, labels=("charts",)),
    Spec("Salesforce opportunities as a data source", estimate=13, labels=("integrations",)),
    Spec("Rate-limit dashboard API tokens per account", kind="task", estimate=3, goal=None),
    Spec("Keyboard shortcuts in the dashboard editor", estimate=3, labels=("ux",)),
    Spec("Export a chart as PNG for slide decks", estimate=2, labels=("reports",)),
    Spec("Slow query warning on tiles over five seconds", estimate=3, labels=("performance",)),
    Spec("Tile shows 'No data' for a zero value", kind="bug", estimate=1, labels=("charts",)),
    Spec("Filter a whole dashboard by customer segment", estimate=5, labels=("ux",)),
    Spec("Share a saved filter view with teammates", estimate=3, labels=("sharing",)),
    Spec("Goal lines on KPI tiles", estimate=2, labels=("charts",)),
    Spec("Microsoft Teams delivery for scheduled reports", estimate=5, labels=("reports",)),
    Spec("Stripe refunds counted twice in net revenue", kind="bug", estimate=3),
    Spec("Move dashboard rendering to a worker pool", kind="task", estimate="?", goal=None),
    Spec("Forecast next month's MRR from the trend", estimate=13, labels=("charts",)),
)


def _goal(spec: Spec, goals: dict[str, ProductGoal]) -> ProductGoal | None:
    return goals[spec.goal] if spec.goal else None


def _create(
    people: DemoPeople,
    product: Product,
    spec: Spec,
    goals: dict[str, ProductGoal],
    author: str,
) -> BacklogItem:
    item = services.item_create(
        actor=people.actor(author),
        product=product,
        title=spec.title,
        kind=spec.kind or "story",
        description=spec.description,
        estimate=spec.estimate,
        labels=spec.labels,
        goal=_goal(spec, goals),
    )
    _finish(people, item, spec, goals, author)
    return item


def _finish(
    people: DemoPeople,
    item: BacklogItem,
    spec: Spec,
    goals: dict[str, ProductGoal],
    author: str,
) -> None:
    """Criteria, goal, assignee and status as the demo says (ready passes the real checks)."""
    actor = people.actor(author)
    services.item_update(
        actor=actor,
        item=item,
        acceptance_criteria=list(spec.criteria),
        goal=_goal(spec, goals),
        labels=[*spec.labels] or [label.name for label in item.labels.all()],
        assignee=people.members[spec.assignee] if spec.assignee else None,
        estimate=spec.estimate,
        description=spec.description,
    )
    if spec.status != ItemStatus.NEW:
        services.item_update(actor=actor, item=item, status=spec.status)
    if spec.children:
        children = services.item_split(
            actor=actor,
            item=item,
            children=[ChildSpec(title=child.title, kind=child.kind) for child in spec.children],
        )
        for child, child_spec in zip(children, spec.children, strict=True):
            _finish(people, child, child_spec, goals, author)


def _goals(people: DemoPeople, product: Product) -> dict[str, ProductGoal]:
    """The earlier goal (achieved two months ago) and the active one, dated as they happened."""
    now = timezone.now()
    earlier = strategy.goal_set(
        actor=people.actor("priya"),
        product=product,
        statement=EARLIER_GOAL,
        description="Measured by the share of trials with a live dashboard on day one.",
    )
    # Priya, the product manager (an admin), set both; Quinn wore the product owner hat by then.
    active = strategy.goal_set(
        actor=people.actor("priya"),
        product=product,
        statement=ACTIVE_GOAL,
        description=ACTIVE_GOAL_DESCRIPTION,
        previous_outcome=GoalStatus.ACHIEVED,
    )
    handover = now - dt.timedelta(days=60)
    ProductGoal.objects.filter(pk=earlier.pk).update(
        started_at=now - dt.timedelta(days=150), ended_at=handover
    )
    ProductGoal.objects.filter(pk=active.pk).update(started_at=handover)
    earlier.refresh_from_db()
    active.refresh_from_db()
    return {"earlier": earlier, "active": active}


@transaction.atomic
def seed(people: DemoPeople) -> Product:
    """Create the ACME product with its vision, goals, teams and backlog (and its scores)."""
    admin = people.actor("priya")
    first_entry = HistoryEntry.objects.filter(workspace=people.workspace).latest("id").pk + 1
    product = strategy.product_create(actor=admin, key="ACME", name="Acme Analytics", vision=VISION)
    for team in people.teams.values():
        strategy.team_product_set(actor=admin, team=team, product=product)
    # Already dated: the hat's history is its own, not part of the backlog's weeks below.
    owner_since = HistoryEntry.objects.filter(workspace=people.workspace).latest("id").pk + 1
    strategy_demo.seed_product_owner(people, product)
    owner_until = HistoryEntry.objects.filter(workspace=people.workspace).latest("id").pk
    goals = _goals(people, product)
    # Lee (Insights) wrote most of the backlog; Quinn, its product owner, the rest.
    for index, spec in enumerate(BACKLOG):
        _create(people, product, spec, goals, "lee" if index % 3 else "quinn")
    # Developers report the bugs they find; the product manager writes stories too.
    for index, spec in enumerate(MORE):
        author = (
            ("diego", "dana")[index % 2] if spec.kind == "bug" else ("quinn", "priya")[index % 2]
        )
        _create(people, product, spec, goals, author)
    _move_done_work_down(people, product)
    _scores(product)
    _spread_history(people, product, since=first_entry, keep=range(owner_since, owner_until + 1))
    return product


def _move_done_work_down(people: DemoPeople, product: Product) -> None:
    """Finished work sinks to the bottom, as the product owner keeps it."""
    actor = people.actor("quinn")
    finished = BacklogItem.objects.filter(
        product=product, status__in=[ItemStatus.DONE, ItemStatus.WONT_DO], parent__isnull=True
    ).order_by("rank")
    for item in finished:
        services.item_move(actor=actor, item=item, position="bottom")


# The backlog's history spans these past days; the newest change is a few hours old.
HISTORY_DAYS = 90
# Work starts a few days after it was written, and takes a few more to finish.
STARTED_AFTER_DAYS = (2, 9)
FINISHED_AFTER_DAYS = (3, 12)


def _spread_history(
    people: DemoPeople, product: Product, *, since: int, keep: range = range(0)
) -> None:
    """The demo is seeded in a second: make its history read like a real team's weeks.

    The entries from ``since`` on are spread over the past ``HISTORY_DAYS`` in the order they
    happened; an item is started a few days after it was written, by the person it is assigned
    to, and finished a few days later; the items' own dates follow their history. Deterministic,
    so every demo reads the same.
    """
    rng = random.Random(7)  # noqa: S311 - demo dates, not secrets
    now = timezone.now()
    start = now - dt.timedelta(days=HISTORY_DAYS)
    entries = [
        entry
        for entry in HistoryEntry.objects.filter(
            workspace=people.workspace, pk__gte=since
        ).order_by("id")
        if entry.pk not in keep
    ]
    items = {
        item.pk: item
        for item in BacklogItem.all_objects.filter(product=product).select_related("assignee__user")
    }
    item_type = BacklogItem._meta.label_lower
    # Writing items (and the product's own changes) take the slots in order; what follows an
    # item's writing is dated from it.
    written: set[int] = set()
    slotted = 0
    for entry in entries:
        if entry.object_type != item_type or entry.object_id not in written:
            slotted += 1
        if entry.object_type == item_type:
            written.add(entry.object_id)
    step = (now - dt.timedelta(days=3) - start) / max(1, slotted)
    slot = 0
    developers = {people.users[key].pk for key in ("diego", "dana")}
    first_seen: dict[int, dt.datetime] = {}
    last_seen: dict[int, dt.datetime] = {}
    author: dict[int, Any] = {}
    for entry in entries:
        item = items.get(entry.object_id) if entry.object_type == item_type else None
        when = start + step * slot + dt.timedelta(minutes=rng.randint(0, 600))
        if item is None or item.pk not in first_seen:
            slot += 1
        else:
            base = first_seen[item.pk]
            status = entry.changes.get("status")
            if status is not None:
                after = status[-1] if isinstance(status, list) else status
                started = after == ItemStatus.IN_PROGRESS
                days = STARTED_AFTER_DAYS if started else FINISHED_AFTER_DAYS
                when = base + dt.timedelta(days=rng.randint(*days), hours=rng.randint(0, 8))
                if item.assignee is not None:
                    entry.actor = item.assignee.user
            else:
                # Edits and scores follow the writing within a few days: by its author, but
                # scores by a product owner (business value is theirs to judge), and a move
                # by whoever made it (only a product owner or an admin orders).
                when = base + dt.timedelta(hours=rng.randint(1, 72))
                scores = any(key.startswith("score_") for key in entry.changes)
                writer = author[item.pk]
                developer = writer is not None and writer.pk in developers
                if entry.action != HistoryEntry.Action.MOVED:  # moves stay the product owner's
                    entry.actor = people.users["quinn"] if scores and developer else writer
        entry.created_at = min(when, now - dt.timedelta(hours=rng.randint(2, 30)))
        if item is not None:
            first_seen.setdefault(item.pk, entry.created_at)
            author.setdefault(item.pk, entry.actor)
            last_seen[item.pk] = max(last_seen.get(item.pk, entry.created_at), entry.created_at)
    for pk, item in items.items():
        if pk in first_seen:
            item.created_at, item.updated_at = first_seen[pk], last_seen[pk]
    HistoryEntry.objects.bulk_update(entries, ["created_at", "actor"], batch_size=500)
    BacklogItem.all_objects.bulk_update(
        list(items.values()), ["created_at", "updated_at"], batch_size=500
    )
    # The flow table follows the history's new dates.
    status_changes_rebuild(product_id=product.pk)


def _scores(product: Product) -> None:
    """The prioritization demo scores the backlog."""
    prioritization_demo.seed(product)
