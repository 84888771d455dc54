"""The demo's releases of the demo product: "2025.4 Dashboard speed-up" and "2026.1 Faster
reports", their items done weeks ago (the work of their themes) and their notes written,
ready to go live (outcomes' demo sets their success criteria and takes them live on their
dates, ``take_live``); "2026.2"
planned, its items in progress or waiting, a target date two weeks out and a forecast from
the teams' history; and a cancelled one. The product keeps two checks of its own, and a
roadmap of its goal, epics, problems and releases with one share link. Written through the
services (so history and search know them), then dated back. Deterministic: the items are
chosen by when they were finished or by backlog order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.backlog.flow.models import ItemStatusChange
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.core.models import HistoryEntry
from lodestar.discovery.models import Problem
from lodestar.people.demo import DemoPeople
from lodestar.people.policy import Actor
from lodestar.releases import roadmap, services
from lodestar.releases.models import ProductCheck, Release, ReleaseCheckTick, ReleaseItem
from lodestar.releases.notes import draft
from lodestar.strategy.models import GoalStatus, Product, ProductGoal

LIVE_ITEMS = 8
PLANNED_ITEMS = 10


def seed_world(world: dict[str, Any]) -> list[Release]:
    """``lodestar demo``'s entry: the releases of the demo product (nothing without one)."""
    people: DemoPeople = world["people"]
    product = world.get("backlog")
    if not isinstance(product, Product):
        product = Product.objects.filter(workspace=people.workspace, key="ACME").first()
    return seed(people, product) if product is not None else []


def _backdate(release: Release, when: dt.datetime, since: int) -> None:
    HistoryEntry.objects.filter(
        pk__gte=since, object_type="releases.release", object_id=release.pk
    ).update(created_at=when)


def _ready(
    actor: Actor,
    product: Product,
    name: str,
    description: str,
    weeks: tuple[int, int],
    today: dt.date,
    about: tuple[str, ...] = (),
) -> Release | None:
    """A release of the items finished between ``weeks`` ago (at most ``LIVE_ITEMS``, those not
    in a release yet), its notes written and the product's checks ticked; its target date is
    three days after its last item. None when no item was finished then. ``about``: what the
    release is about, as words of the items' titles, the first the most: the items that say
    one of them, when there are enough (half a release), else the first finished."""
    finished = list(
        ItemStatusChange.objects.filter(
            product_id=product.pk,
            to_status=ItemStatus.DONE,
            day__gte=today - dt.timedelta(weeks=weeks[1]),
            day__lte=today - dt.timedelta(weeks=weeks[0]),
            item__status=ItemStatus.DONE,
            item__deleted_at__isnull=True,
        )
        .exclude(item_id__in=ReleaseItem.objects.values("item_id"))
        .order_by("day", "item_id")
        .values_list("item_id", "day", "item__title")
    )

    def rank(title: str) -> int | None:
        """Where ``title`` comes in ``about`` (None: it says none of it)."""
        return next((n for n, words in enumerate(about) if words in title.lower()), None)

    on_topic = [row for row in finished if rank(row[2]) is not None]
    if about and len({item_id for item_id, _, _ in on_topic}) >= LIVE_ITEMS // 2:
        finished = sorted(on_topic, key=lambda row: (rank(row[2]), row[1], row[0]))
    chosen: dict[int, dt.date] = {}
    for item_id, day, _ in finished:
        chosen.setdefault(item_id, day)
        if len(chosen) == LIVE_ITEMS:
            break
    if not chosen:
        return None
    release = services.release_create(
        actor=actor,
        product=product,
        name=name,
        description=description,
        target_date=max(chosen.values()) + dt.timedelta(days=3),
    )
    items = list(BacklogItem.objects.filter(pk__in=list(chosen)).order_by("rank"))
    services.release_items_add(actor=actor, release=release, items=items)
    services.release_notes_save(actor=actor, release=release, notes=draft(release))
    for check in ProductCheck.objects.filter(product=product).order_by("created_at", "id"):
        services.release_check_tick(actor=actor, release=release, check=check, ticked=True)
    return release


def take_live(people: DemoPeople, release: Release) -> Release:
    """Take a release made ready by ``seed`` live, dated back to its target date (10:00 UTC),
    with its history and ticks. Called by the demo that sets its success criteria first."""
    assert release.target_date is not None  # noqa: S101 - ``_ready`` gives every one a date
    since = HistoryEntry.objects.filter(workspace=people.workspace).latest("id").pk + 1
    services.release_go_live(actor=people.actor("quinn"), release=release)
    went = dt.datetime.combine(release.target_date, dt.time(10), tzinfo=dt.UTC)
    Release.objects.filter(pk=release.pk).update(
        went_live_at=went, created_at=went - dt.timedelta(weeks=6), updated_at=went
    )
    ReleaseCheckTick.objects.filter(release=release).update(ticked_at=went - dt.timedelta(hours=2))
    _backdate(release, went, since)
    release.refresh_from_db()
    return release


@transaction.atomic
def seed(people: DemoPeople, product: Product) -> list[Release]:
    """Create the releases (see the module's docstring)."""
    actor = people.actor("quinn")
    today = timezone.localdate()
    briefed = services.product_check_create(
        actor=actor, product=product, label="Support has been briefed"
    )
    services.product_check_create(actor=actor, product=product, label="Changelog page updated")
    now = timezone.now()

    # Ready to go live: items finished five to nine weeks ago ("2026.1"), and sixteen to
    # twenty weeks ago ("2025.4"); each goes live a few days after its last item (outcomes'
    # demo takes them live once their success criteria are set: see ``take_live``).
    # Each holds the work of its theme (the items whose titles say it), when enough of it was
    # finished then.
    made: list[Release] = []
    for name, description, weeks, about in (
        (
            "2025.4 Dashboard speed-up",
            "Dashboards that open in under a second, even on Monday mornings.",
            (16, 20),
            ("dashboard loading", "speed up segment", "speed up number", "segment comparison"),
        ),
        (
            "2026.1 Faster reports",
            "Reports that load quickly and export cleanly.",
            (5, 9),
            ("custom date ranges", "weekly summary email", "saved filters", "report"),
        ),
    ):
        ready = _ready(actor, product, name, description, weeks, today, about)
        if ready is not None:
            made.append(ready)

    # Planned: what the teams work on now and what comes next, in backlog order.
    candidates = (
        BacklogItem.objects.filter(product=product, deleted_at__isnull=True)
        .exclude(kind=ItemKind.EPIC)
        .exclude(pk__in=ReleaseItem.objects.filter(dropped_at__isnull=True).values("item_id"))
        .order_by("rank")
    )
    open_items = list(candidates.filter(status=ItemStatus.IN_PROGRESS)[: PLANNED_ITEMS // 2])
    open_items += list(
        candidates.filter(status__in=(ItemStatus.READY, ItemStatus.NEW))[
            : PLANNED_ITEMS - len(open_items)
        ]
    )
    planned = services.release_create(
        actor=actor,
        product=product,
        name="2026.2 Self-serve exports",
        description="Exports customers can run themselves, and the fixes they asked for.",
        target_date=today + dt.timedelta(weeks=2),
    )
    if open_items:
        services.release_items_add(actor=actor, release=planned, items=open_items)
    services.release_update(actor=actor, release=planned, state="in_progress")
    services.release_check_tick(actor=actor, release=planned, check=briefed, ticked=True)
    made.append(planned)

    cancelled = services.release_create(
        actor=actor,
        product=product,
        name="Beta program",
        description="An invitation-only beta; folded into the regular releases instead.",
    )
    services.release_update(actor=actor, release=cancelled, state="cancelled")
    Release.objects.filter(pk=cancelled.pk).update(created_at=now - dt.timedelta(weeks=10))
    made.append(cancelled)
    seed_roadmap(people, product, planned)
    return made


def seed_roadmap(people: DemoPeople, product: Product, planned: Release) -> None:
    """The product's roadmap: its active goal and the planned release now, epics and the
    problems with the most customers behind them next and later, and one share link for the
    board (its token is not kept: make another to open it, see README)."""
    actor = people.actor("quinn")
    goal = ProductGoal.objects.filter(product=product, status=GoalStatus.ACTIVE).first()
    epics = list(
        BacklogItem.objects.filter(product=product, kind=ItemKind.EPIC, deleted_at__isnull=True)
        .exclude(status=ItemStatus.DONE)
        .order_by("rank")[:4]
    )
    problems = list(Problem.objects.filter(product=product).order_by("created_at", "id")[:3])
    placed: list[tuple[str, str, str]] = []
    if goal is not None:
        placed.append(("goal", str(goal.pk), "now"))
    placed.append(("release", str(planned.pk), "now"))
    for index, epic in enumerate(epics):
        placed.append(("item", epic.key, "now" if index == 0 else "next" if index < 3 else "later"))
    for index, problem in enumerate(problems):
        placed.append(("problem", str(problem.pk), "next" if index == 0 else "later"))
    for kind, target, lane in placed:
        roadmap.roadmap_entry_add(actor=actor, product=product, type=kind, target=target, lane=lane)
    roadmap.roadmap_share_create(actor=actor, product=product, label="Board update")
