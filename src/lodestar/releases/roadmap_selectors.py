"""What the roadmap shows: its lanes with their entries resolved (a query per kind), and the
timeline of the product's releases with their forecast ranges.

``public=True`` is the share page's view: titles, kinds, states and dates only, no page
addresses; descriptions and a problem's evidence (customers, ARR) only when the link opted in.
Feedback, customer names and internal notes are never part of an entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import DateTimeField, DecimalField, Field, JSONField, Model, TextField
from django.urls import reverse
from django.utils import timezone

from lodestar.core import charts
from lodestar.core.charts import Chart, TimelineRow
from lodestar.core.registry import registry
from lodestar.discovery.selectors import problem_reach
from lodestar.releases.forecasts import product_forecasts
from lodestar.releases.models import Release, ReleaseState, RoadmapEntry, RoadmapLane
from lodestar.strategy.models import Product

KIND_LABELS = {"goal": "Goal", "item": "Epic", "problem": "Problem", "release": "Release"}
FORECAST_LOW, FORECAST_MID, FORECAST_HIGH = 50, 85, 95


@dataclass
class Card:
    """One entry as the lanes show it."""

    id: int
    type: str
    kind: str
    target_id: int
    ref: str
    title: str
    state: str = ""
    date: dt.date | None = None
    url: str = ""
    description: str = ""
    customers: int | None = None
    arr: Decimal | None = None


@dataclass
class Lane:
    name: str
    label: str
    cards: list[Card] = field(default_factory=list)
    # The other lanes (value, label), which a card's buttons move it to.
    others: list[tuple[str, str]] = field(default_factory=list)


def _states(model: type[Model]) -> tuple[str, dict[Any, str]] | None:
    """The model's ``state`` (or ``status``) field with its choices' labels, which the card
    shows as ``get_state_display()`` would (read once per kind, not per card)."""
    for name in ("state", "status"):
        try:
            field_ = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field_, Field) and field_.choices:
            return name, {value: str(label) for value, label in field_.flatchoices}
    return None


def _state(obj: Any, states: tuple[str, dict[Any, str]] | None) -> str:
    if states is None:
        return ""
    name, labels = states
    value = getattr(obj, name)
    return labels.get(value, str(value))


def _date(kind: str, obj: Any) -> dt.date | None:
    if kind == "release":
        return obj.target_date  # type: ignore[no-any-return]
    return None


def _tenancy(model: type[Model]) -> list[str]:
    """The model's own ``workspace`` and ``product`` foreign keys, which titles and page
    addresses read (an item's ``/w/<slug>/...``)."""
    names = []
    for name in ("workspace", "product"):
        try:
            field_ = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field_.many_to_one:
            names.append(name)
    return names


def _unread(model: type[Model], descriptions: bool) -> list[str]:
    """The columns no card reads: long texts and JSON (rendered HTML, notes, acceptance
    criteria), but the description when it is shown; times and decimals (created, updated,
    an estimate), but whether the object is in the trash. A title, a reference, a state, a
    date and a page address read short columns (a key, a name, a status, a target date), and
    every column left out costs a conversion a row."""
    return [
        field_.name
        for field_ in model._meta.concrete_fields
        if (
            isinstance(field_, TextField | JSONField)
            and not (descriptions and field_.name == "description")
        )
        or (isinstance(field_, DateTimeField | DecimalField) and field_.name != "deleted_at")
    ]


def lanes(
    product: Product,
    *,
    public: bool = False,
    descriptions: bool = True,
    evidence: bool = True,
) -> list[Lane]:
    """The three lanes of ``product``'s roadmap, entries in their order; an entry whose object
    is gone (trashed, deleted) is left out."""
    # (id, lane, kind, object id) of each entry, in order: no entry's model is needed.
    entries = list(
        RoadmapEntry.objects.filter(product=product)
        .order_by("lane", "rank", "id")
        .values_list("id", "lane", "target_type", "target_id")
    )
    by_kind: dict[str, list[int]] = defaultdict(list)
    for _, _, kind, target_id in entries:
        by_kind[kind].append(target_id)
    objects: dict[tuple[str, int], Any] = {}
    states: dict[str, tuple[str, dict[Any, str]] | None] = {}
    # Every object on the roadmap is of its product and workspace: rows are given those two
    # (as read once) instead of a copy of each joined to every row.
    known: dict[str, Model] = {"product": product, "workspace": product.workspace}
    for kind in by_kind:
        declared = registry().object_type(kind)
        if declared is None:
            continue
        # The kind's objects on this roadmap, by a subquery: a list of 500 ids cost more to
        # pass (a parameter each, prepared and quoted) than the query did to run.
        ids = RoadmapEntry.objects.filter(product=product, target_type=kind).values("target_id")
        if kind == "item":
            # Epics, most of a roadmap, as plain values: a card reads an item's key, title,
            # status (and description), which is all its title and reference read; a model
            # object per row cost more than the rest of the card.
            states[kind] = _states(declared.model)
            columns = ["id", "key", "title", "status", "deleted_at"]
            if descriptions:
                columns.append("description")
            for values in declared.model._base_manager.filter(pk__in=ids).values(*columns):
                if values["deleted_at"] is None:
                    objects[(kind, values["id"])] = SimpleNamespace(**values)
            continue
        # What the kind's search reads beyond the row is what its title and page address
        # read too (an item's product and workspace): a query per kind, not per entry.
        states[kind] = _states(declared.model)
        tenancy = _tenancy(declared.model)
        fields: dict[str, Any] = {name: declared.model._meta.get_field(name) for name in tenancy}
        related = {*declared.search_related, *tenancy} - set(known)
        # By id alone (trashed rows are left out below): with the live rows' filter, SQLite
        # walked every live row of the kind by its deleted_at index.
        rows = (
            declared.model._base_manager.filter(pk__in=ids)
            .prefetch_related(*declared.search_prefetch)
            .defer(*_unread(declared.model, descriptions))
        )
        if related:  # (with no names, select_related would follow every foreign key)
            rows = rows.select_related(*sorted(related))
        for row in rows:
            if getattr(row, "deleted_at", None) is not None:
                continue
            for name in tenancy:
                if getattr(row, f"{name}_id") == known[name].pk:
                    fields[name].set_cached_value(row, known[name])
            objects[(kind, row.pk)] = row
    reach: dict[int, tuple[int, Decimal]] = {}
    if evidence and by_kind.get("problem"):
        reach = problem_reach(by_kind["problem"])
    result = {
        lane.value: Lane(
            lane.value,
            lane.label,
            others=[(other.value, other.label) for other in RoadmapLane if other != lane],
        )
        for lane in RoadmapLane
    }
    # One address reversed for every epic, as the release page does for its items (a reverse
    # per card cost more than the rest of the card).
    epic_prefix = reverse(
        "backlog:item_detail",
        kwargs={"workspace_slug": product.workspace.slug, "item_key": "X"},
    )[:-1]
    for entry_id, lane, kind, target_id in entries:
        obj = objects.get((kind, target_id))
        declared = registry().object_type(kind)
        if obj is None or declared is None:
            continue
        card = Card(
            id=entry_id,
            type=kind,
            kind=KIND_LABELS.get(kind, declared.label),
            target_id=target_id,
            ref=declared.ref_of(obj),
            title=declared.title(obj),
            state=_state(obj, states[kind]),
            date=_date(kind, obj),
        )
        if not public and declared.url is not None:
            card.url = epic_prefix + card.ref if kind == "item" else declared.url(obj)
        if descriptions:
            card.description = str(getattr(obj, "description", "") or "")[:500]
        if kind == "problem" and evidence:
            card.customers, card.arr = reach.get(target_id, (0, Decimal("0.00")))
        result[lane].cards.append(card)
    return list(result.values())


def timeline_rows(product: Product, *, today: dt.date | None = None) -> list[TimelineRow]:
    """The product's releases that are not cancelled, by target date (undated last): target,
    the day it went live, and for open ones the forecast's 50%..95% range (85% marked)."""
    today = today or timezone.localdate()
    releases = list(
        Release.objects.filter(product=product)
        .exclude(state=ReleaseState.CANCELLED)
        .select_related("product")
    )
    releases.sort(key=lambda r: (r.target_date is None, r.target_date or today, r.pk))
    # Every open release's forecast from one simulation, as each release's page gives it.
    forecasts = product_forecasts(product, today=today, releases=releases, chance=False)
    rows = []
    for release in releases:
        low = mid = high = None
        forecast = forecasts.get(release.pk)
        if forecast is not None:
            low, mid, high = (
                forecast.date_at(FORECAST_LOW),
                forecast.date_at(FORECAST_MID),
                forecast.date_at(FORECAST_HIGH),
            )
        done = timezone.localdate(release.went_live_at) if release.went_live_at else None
        rows.append(
            TimelineRow(
                label=release.name,
                target=release.target_date,
                low=low,
                mid=mid,
                high=high,
                done=done,
            )
        )
    return rows


def timeline_chart(product: Product, *, today: dt.date | None = None) -> Chart:
    today = today or timezone.localdate()
    return charts.timeline(
        timeline_rows(product, today=today),
        today=today,
        id="roadmap-timeline",
        title=f"{product.key} releases over time",
    )
