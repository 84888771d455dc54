"""The demo's sprints: for each team, eight closed two-week sprints of lived-in history and one
active sprint a few days in.

Every sprint has a goal and capacity; some goals are missed; unfinished work is carried into the
next sprint; scope is added mid-sprint. The items are written through the backlog's bulk
services (``items_create_many``, ``items_update_many``), their history is then dated back to the
sprint they belong to, and the flow table is rebuilt from it (as the backlog's demo does), so
velocity, throughput, cycle times and forecasts read a real-looking record. The sprints, their
items and daily snapshots are this context's own rows, written in bulk. Deterministic.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.backlog.flow.services import status_changes_rebuild
from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.services import BulkChange, ItemSpec, items_create_many, items_update_many
from lodestar.core.db import bulk_insert
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.people.demo import DemoPeople
from lodestar.sprints.models import (
    Outcome,
    Sprint,
    SprintCapacity,
    SprintItem,
    SprintSnapshot,
    SprintState,
)
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import active_goal

CLOSED_SPRINTS = 22
SPRINT_DAYS = 14
ACTIVE_DAYS_IN = 3
POINTS = (1, 2, 2, 3, 3, 3, 5, 5, 8)
DEVELOPERS = {"checkout": ("diego", "dana"), "insights": ("lee", "dana")}
# Per team: which closed sprints (1-based) missed their goal.
MISSED = {"checkout": {2, 7, 11, 17, 20}, "insights": {5, 12, 18}}
GOALS = {
    "checkout": [
        "New customers can sign up with an email",
        "Customers can reset a forgotten password",
        "The product catalogue is browsable on a phone",
        "The cart keeps its items between visits",
        "Shipping rates are shown before payment",
        "Customers keep an address book",
        "Customers see their order history",
        "Order confirmations go out by email",
        "Guests can check out without an account",
        "Prices show in the customer's currency",
        "Discounts are announced on the product page",
        "Risky orders are held for a fraud check",
        "Receipts can be downloaded",
        "Customers manage their payment methods",
        "Card payments work end to end in the sandbox",
        "Customers can save a card for next time",
        "Refunds can be issued from the admin screen",
        "Checkout in one page on a phone",
        "Failed payments are retried and explained",
        "Invoices are sent as PDF after payment",
        "Coupons apply at checkout",
        "Tax is computed for EU customers",
        "Plans can be upgraded mid-cycle",
    ],
    "insights": [
        "Events are ingested from the web app",
        "Data sources are listed with their health",
        "Users can be grouped into segments",
        "A funnel report shows where people drop off",
        "Retention is charted week by week",
        "Dashboards can be shared with a team",
        "Metrics have definitions everyone can read",
        "Annotations mark releases on charts",
        "Reports can be scheduled",
        "Data older than two years is archived",
        "Charts can be embedded in the wiki",
        "A dashboard can be duplicated",
        "Segments can be compared side by side",
        "Numbers are formatted for the reader's locale",
        "Dashboards load in under two seconds",
        "Reports can be exported as CSV",
        "A chart can be shared by link",
        "Filters are kept between visits",
        "Weekly summary emails go out",
        "Custom date ranges in every report",
        "Dashboard tiles can be rearranged",
        "Cohort report for retention",
        "Alerts when a metric drops",
    ],
}
# What each sprint's work is about, as an item's title names it (one per goal above).
TOPICS = {
    "checkout": [
        "sign-up",
        "password reset",
        "product catalogue",
        "saved cart",
        "shipping rates",
        "address book",
        "order history",
        "order emails",
        "guest checkout",
        "currency display",
        "discount banners",
        "fraud checks",
        "receipts",
        "payment methods",
        "card payments",
        "saved cards",
        "refunds",
        "one-page checkout",
        "payment retries",
        "PDF invoices",
        "coupons",
        "EU tax",
        "plan upgrades",
    ],
    "insights": [
        "event ingestion",
        "data sources",
        "segments",
        "funnel report",
        "retention chart",
        "dashboard sharing",
        "metric definitions",
        "chart annotations",
        "scheduled reports",
        "data archiving",
        "chart embedding",
        "dashboard copies",
        "segment comparison",
        "number formats",
        "dashboard loading",
        "CSV export",
        "chart sharing",
        "saved filters",
        "weekly summary email",
        "custom date ranges",
        "tile layout",
        "cohort report",
        "metric alerts",
    ],
}
WORK = (
    "Design the {topic} screen",
    "API for {topic}",
    "Validate input on {topic}",
    "Tests for {topic}",
    "Error messages for {topic}",
    "Accessibility review of {topic}",
    "Speed up {topic}",
    "Document {topic}",
)


@dataclass
class Planned:
    """One item of a sprint as the demo lives it out."""

    spec_index: int
    points: int
    added_at: dt.datetime
    added_after_start: bool = False
    carried_from: int | None = None  # index of the sprint it was carried from
    started: dt.datetime | None = None
    done: dt.datetime | None = None
    item: Any = None


@dataclass
class DemoSprint:
    number: int
    start: dt.date
    end: dt.date
    goal: str
    entries: list[Planned] = field(default_factory=list)
    active: bool = False


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _working_after(day: dt.date, days: int) -> dt.date:
    while days > 0 or day.weekday() >= 5:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _plan(team: str, today: dt.date, rng: random.Random) -> tuple[list[DemoSprint], list[int]]:
    """The sprints and when each item started and finished; returns them and each spec's
    points (in the order the items are to be created)."""
    # The active sprint started ACTIVE_DAYS_IN working days ago.
    active_start, left = today, ACTIVE_DAYS_IN
    while left:
        active_start -= dt.timedelta(days=1)
        left -= active_start.weekday() < 5
    points: list[int] = []
    sprints: list[DemoSprint] = []

    def new_item(added_at: dt.datetime) -> Planned:
        points.append(rng.choice(POINTS))
        return Planned(len(points) - 1, points[-1], added_at)

    carried: list[Planned] = []
    for number in range(1, CLOSED_SPRINTS + 2):
        active = number == CLOSED_SPRINTS + 1
        start = active_start - dt.timedelta(days=SPRINT_DAYS * (CLOSED_SPRINTS + 1 - number))
        sprint = DemoSprint(
            number, start, start + dt.timedelta(days=SPRINT_DAYS - 3), GOALS[team][number - 1]
        )
        sprint.active = active
        planned_at = _at(start, 10)
        for previous in carried:
            sprint.entries.append(
                Planned(
                    previous.spec_index,
                    previous.points,
                    planned_at,
                    carried_from=number - 2,
                    started=previous.started,
                )
            )
        missed = number in MISSED[team]
        sprint.entries += [
            new_item(planned_at) for _ in range(max(3, rng.randint(6, 9) - len(carried)))
        ]
        # Scope added mid-sprint, now and then.
        for _ in range(rng.choice((0, 0, 1, 2))):
            day = start + dt.timedelta(days=rng.randint(2, 6))
            if active:
                # The running sprint's scope came in before today, whatever the day it is.
                day = min(day, today - dt.timedelta(days=1))
            added = new_item(_at(day, 14))
            added.added_after_start = True
            sprint.entries.append(added)
        carried = []
        # Nothing of the running sprint started later than yesterday: today's hours may be ahead.
        cutoff = min(today - dt.timedelta(days=1), sprint.end) if active else sprint.end
        for entry in sprint.entries:
            first = max(start, entry.added_at.date())
            if entry.started is None:
                begin = _working_after(first, rng.randint(0, 4 if not missed else 7))
                if begin <= cutoff:
                    entry.started = _at(begin, rng.randint(9, 15))
            if entry.started is not None:
                took = rng.choice((1, 1, 2, 2, 2, 3, 3, 4, 5, 7)) + (2 if missed else 0)
                if entry.carried_from is not None:
                    # Carried work is finished first.
                    took = rng.choice((1, 2, 3))
                if active:
                    took = rng.choice((1, 1, 2, 4, 8))
                finish = _working_after(max(entry.started.date(), first), took)
                if finish <= cutoff and (not active or finish < today):
                    entry.done = _at(finish, rng.randint(10, 17))
            if entry.done is None and not active:
                carried.append(entry)
        if active and not any(entry.done for entry in sprint.entries):
            # Whatever the day of the week, the running sprint has finished something: the
            # item started first is done the working day after it started.
            begun = [(entry.started, entry) for entry in sprint.entries if entry.started]
            if begun:
                began, earliest = min(begun, key=lambda pair: pair[0])
                finish = _working_after(max(began.date(), start), 1)
                if finish < today:
                    earliest.done = _at(finish, 11)
        sprints.append(sprint)
    return sprints, points


def seed_world(world: dict[str, Any]) -> list[Sprint]:
    """``lodestar demo``'s entry: the people's teams on the demo product (the backlog's, or
    ACME when the backlog's seed left nothing in ``world``); nothing without a product."""
    people: DemoPeople = world["people"]
    product = world.get("backlog")
    if not isinstance(product, Product):
        product = Product.objects.filter(workspace=people.workspace, key="ACME").first()
    return seed(people, product) if product is not None else []


@transaction.atomic
def seed(people: DemoPeople, product: Product) -> list[Sprint]:
    """Create each team's sprint history (see the module's docstring)."""
    rng = random.Random(10)  # noqa: S311 - demo figures, not secrets
    today = timezone.localdate()
    actor = people.actor("quinn")
    since = HistoryEntry.objects.filter(workspace=people.workspace).latest("id").pk + 1
    made: list[Sprint] = []
    timeline: dict[int, Planned] = {}
    for slug, team in people.teams.items():
        sprints, points = _plan(slug, today, rng)
        developers = [people.members[key] for key in DEVELOPERS[slug]]
        topics = TOPICS[slug]
        created: dict[int, dt.datetime] = {}
        specs: list[ItemSpec] = []
        where: dict[int, int] = {}
        for index, sprint in enumerate(sprints):
            for entry in sprint.entries:
                if entry.carried_from is None:
                    where[entry.spec_index] = index
                    created[entry.spec_index] = entry.added_at - dt.timedelta(
                        days=rng.randint(1, 6)
                    )
        for spec_index, spec_points in enumerate(points):
            index = where[spec_index]
            specs.append(
                ItemSpec(
                    title=WORK[spec_index % len(WORK)].format(topic=topics[index])[:200],
                    estimate=spec_points,
                    assignee=developers[spec_index % len(developers)],
                    created_at=created[spec_index],
                )
            )
        items = items_create_many(actor=actor, product=product, specs=specs, check_readiness=False)
        firsts = {
            entry.spec_index: entry
            for sprint in sprints
            for entry in sprint.entries
            if entry.carried_from is None
        }
        for entry in firsts.values():
            entry.item = items[entry.spec_index]
        # An item's life: started in its first sprint (or later), finished in the sprint it was
        # carried into, if any.
        lives = {
            index: Planned(index, first.points, first.added_at, item=first.item)
            for index, first in firsts.items()
        }
        for sprint in sprints:
            for entry in sprint.entries:
                life = lives[entry.spec_index]
                entry.item = life.item
                life.started = life.started or entry.started
                life.done = life.done or entry.done
        _live(actor, product, lives.values())
        for life in lives.values():
            timeline[life.item.pk] = life
        made += _sprints(people, team, product, sprints, today)
    _date_history(people, since, timeline)
    status_changes_rebuild(product_id=product.pk)
    return made


def _live(actor: Any, product: Product, entries: Any) -> None:
    """Move the items through their statuses (dated afterwards by ``_date_history``)."""
    entries = list(entries)
    started = [e.item for e in entries if e.started is not None]
    done = [e.item for e in entries if e.done is not None]
    if started:
        items_update_many(
            actor=actor,
            product=product,
            items=started,
            change=BulkChange(status=ItemStatus.IN_PROGRESS),
        )
    if done:
        fresh = list(BacklogItem.objects.filter(pk__in=[item.pk for item in done]))
        items_update_many(
            actor=actor, product=product, items=fresh, change=BulkChange(status=ItemStatus.DONE)
        )


def _date_history(people: DemoPeople, since: int, timeline: dict[int, Planned]) -> None:
    """Date each item's history at the moments its sprint lived: written, started, finished."""
    entries = list(
        HistoryEntry.objects.filter(
            workspace=people.workspace, pk__gte=since, object_type="backlog.backlogitem"
        )
    )
    items = {item.pk: item for item in BacklogItem.objects.filter(pk__in=list(timeline))}
    for entry in entries:
        planned = timeline.get(entry.object_id)
        item = items.get(entry.object_id)
        if planned is None or item is None:
            continue
        status = entry.changes.get("status")
        after = status[-1] if isinstance(status, list) else None
        if after == ItemStatus.IN_PROGRESS and planned.started:
            entry.created_at = planned.started
        elif after == ItemStatus.DONE and planned.done:
            entry.created_at = planned.done
        else:
            entry.created_at = item.created_at
        if after and item.assignee_id is not None:
            entry.actor_id = item.assignee.user_id
        item.updated_at = max(item.updated_at, entry.created_at)
    for item in items.values():
        planned = timeline[item.pk]
        item.updated_at = planned.done or planned.started or item.created_at
    HistoryEntry.objects.bulk_update(entries, ["created_at", "actor"], batch_size=500)
    BacklogItem.all_objects.bulk_update(list(items.values()), ["updated_at"], batch_size=500)


def _points(entries: list[Planned]) -> Decimal:
    return Decimal(sum(entry.points for entry in entries))


def _sprints(
    people: DemoPeople, team: Any, product: Product, plan: list[DemoSprint], today: dt.date
) -> list[Sprint]:
    master = people.users["sam"]
    # Every sprint served the product's active goal (the demo's goal has run all along).
    serving = active_goal(product)
    rows: list[Sprint] = []
    for sprint in plan:
        missed = sprint.number in MISSED[team.slug]
        done = [entry for entry in sprint.entries if entry.done and entry.done.date() <= sprint.end]
        rows.append(
            Sprint(
                workspace=people.workspace,
                team=team,
                product=product,
                name=f"Sprint {sprint.number}",
                start_date=sprint.start,
                end_date=sprint.end,
                state=SprintState.ACTIVE if sprint.active else SprintState.CLOSED,
                goal=sprint.goal,
                product_goal=serving,
                started_at=_at(sprint.start, 10),
                closed_at=None if sprint.active else _at(sprint.end, 16),
                goal_met=None if sprint.active else not missed,
                review_notes=""
                if sprint.active
                else ("Goal missed: the work ran longer than planned." if missed else "Goal met."),
                retrospective_notes=""
                if sprint.active
                else "Keep pairing on reviews; split stories smaller.",
                committed_points=None if sprint.active else _points(sprint.entries),
                completed_points=None if sprint.active else _points(done),
                committed_items=None if sprint.active else len(sprint.entries),
                completed_items=None if sprint.active else len(done),
                created_by=master,
                created_at=_at(sprint.start - dt.timedelta(days=3), 11),
                updated_at=_at(sprint.end if not sprint.active else sprint.start, 16),
            )
        )
    for row in rows:
        row.review_notes_html = render_markdown(row.review_notes) if row.review_notes else ""
        row.retrospective_notes_html = (
            render_markdown(row.retrospective_notes) if row.retrospective_notes else ""
        )
    rows = bulk_insert(Sprint, rows)
    entries: list[SprintItem] = []
    capacity: list[SprintCapacity] = []
    snapshots: list[SprintSnapshot] = []
    developers = [people.members[key] for key in DEVELOPERS[team.slug]]
    for row, sprint in zip(rows, plan, strict=True):
        for entry in sprint.entries:
            finished = entry.done is not None and entry.done.date() <= sprint.end
            outcome = ""
            if not sprint.active:
                outcome = Outcome.DONE if finished else Outcome.NEXT_SPRINT
            entries.append(
                SprintItem(
                    sprint=row,
                    item=entry.item,
                    workspace=people.workspace,
                    added_at=entry.added_at,
                    added_by=master,
                    added_after_start=entry.added_after_start,
                    carried_from=None if entry.carried_from is None else rows[entry.carried_from],
                    outcome=outcome,
                )
            )
        for member in developers:
            capacity.append(
                SprintCapacity(sprint=row, member=member, days=Decimal(8 + sprint.number % 3))
            )
        last = min(sprint.end, today)
        day = sprint.start
        while day <= last:
            scope = [e for e in sprint.entries if e.added_at.date() <= day]
            done_by = [e for e in scope if e.done and e.done.date() <= day]
            added = [e for e in scope if e.added_after_start]
            carried = [e for e in scope if e.carried_from is not None]
            snapshots.append(
                SprintSnapshot(
                    sprint=row,
                    workspace=people.workspace,
                    day=day,
                    taken_at=_at(day, 18) if day < today else timezone.now(),
                    scope_points=_points(scope),
                    done_points=_points(done_by),
                    remaining_points=_points(scope) - _points(done_by),
                    scope_items=len(scope),
                    done_items=len(done_by),
                    remaining_items=len(scope) - len(done_by),
                    added_points=_points(added),
                    added_items=len(added),
                    carried_points=_points(carried),
                    carried_items=len(carried),
                )
            )
            day += dt.timedelta(days=1)
    bulk_insert(SprintItem, entries)
    bulk_insert(SprintCapacity, capacity)
    bulk_insert(SprintSnapshot, snapshots)
    return rows
