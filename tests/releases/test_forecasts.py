"""A product's open releases are worked in order (target date, undated last, the older first on
a tie): each release's forecast counts the open items of those before it, all of them from one
simulation, so the roadmap's timeline, the product's list, the API and the release's own page
give the same dates."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.backlog.flow.models import ItemStatusChange
from lodestar.backlog.models import BacklogItem
from lodestar.forecasting import engine
from lodestar.forecasting.engine import ForecastInput
from lodestar.releases import roadmap_selectors, services
from lodestar.releases.forecasts import (
    TRIALS,
    product_forecasts,
    product_history,
    release_forecast,
    simulated,
)
from lodestar.releases.models import Release, ReleaseState
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

PERCENTILES = (50, 85, 95)


def _finish(owner: Persona, items: list[BacklogItem]) -> None:
    for item in items:
        backlog.item_update(actor=owner.actor, item=item, status="done")


def _release(
    owner: Persona,
    product: Product,
    make_item: MakeItem,
    name: str,
    size: int,
    target: dt.date | None,
) -> Release:
    made = services.release_create(
        actor=owner.actor, product=product, name=name, target_date=target
    )
    services.release_items_add(
        actor=owner.actor, release=made, items=[make_item(f"{name} {n}") for n in range(size)]
    )
    made.refresh_from_db()
    return made


@pytest.fixture
def history(owner: Persona, make_item: MakeItem) -> None:
    """Six items finished this week (so a whole week of history three weeks on)."""
    _finish(owner, [make_item(f"Done {n}") for n in range(6)])


def _dates(answer: object) -> list[dt.date | None]:
    return [answer.date_at(p) for p in PERCENTILES]  # type: ignore[attr-defined]


def test_releases_are_worked_in_order_of_their_target_dates(
    owner: Persona, product: Product, release: Release, make_item: MakeItem, history: None
) -> None:
    today = timezone.localdate() + dt.timedelta(weeks=3)
    Release.objects.filter(pk=release.pk).update(target_date=today + dt.timedelta(weeks=8))
    sooner = _release(owner, product, make_item, "2026.0", 3, today + dt.timedelta(weeks=4))
    undated = _release(owner, product, make_item, "Someday", 1, None)
    tied = _release(owner, product, make_item, "2026.1b", 2, today + dt.timedelta(weeks=8))
    answers = product_forecasts(product, today=today)
    order = [
        (sooner, 0, []),
        (release, 3, ["2026.0"]),
        (tied, 5, ["2026.0", "2026.1"]),
        (undated, 7, ["2026.0", "2026.1", "2026.1b"]),
    ]
    for made, ahead, after in order:
        answer = answers[made.pk]
        assert answer.when is not None
        assert (answer.ahead, answer.after) == (ahead, after)
        assert answer.when.inputs.items == ahead + answer.remaining
    assert "2026.0" in answers[release.pk].reason
    assert "3 open items come first" in answers[release.pk].reason
    assert answers[sooner.pk].reason == ""
    # A release worked later is never forecast sooner than one before it.
    for (first, _, _), (second, _, _) in itertools.pairwise(order):
        for early, late in zip(_dates(answers[first.pk]), _dates(answers[second.pk]), strict=True):
            assert early is not None
            assert late is not None
            assert early <= late


def test_the_chance_is_the_engines_odds_for_the_items_up_to_the_release(
    owner: Persona, product: Product, release: Release, make_item: MakeItem, history: None
) -> None:
    today = timezone.localdate() + dt.timedelta(weeks=3)
    target = today + dt.timedelta(weeks=3)
    Release.objects.filter(pk=release.pk).update(target_date=target)
    _release(owner, product, make_item, "2026.0", 4, today + dt.timedelta(weeks=1))
    answer = release_forecast(Release.objects.get(pk=release.pk), today=today)
    assert answer.ahead == 4
    _, throughput = product_history(product, today=today)
    odds = engine.forecast(
        ForecastInput(
            question="odds",
            throughput=throughput,
            items=6,
            date=target,
            period="week",
            today=today,
            start=today,
            calibrate=True,
            working_days=True,
            trials=TRIALS,
            seed=product.pk,
            calibration_seed=product.pk,
        )
    )
    assert answer.chance == odds.probability


def test_finished_live_and_cancelled_releases_hold_nothing_up(
    owner: Persona, product: Product, release: Release, make_item: MakeItem, history: None
) -> None:
    today = timezone.localdate() + dt.timedelta(weeks=3)
    Release.objects.filter(pk=release.pk).update(target_date=today + dt.timedelta(weeks=8))
    gone = _release(owner, product, make_item, "Dropped", 5, today + dt.timedelta(weeks=1))
    Release.objects.filter(pk=gone.pk).update(state=ReleaseState.CANCELLED)
    finished = _release(owner, product, make_item, "Finished", 2, today + dt.timedelta(weeks=1))
    _finish(owner, list(BacklogItem.objects.filter(title__startswith="Finished")))
    answers = product_forecasts(product, today=today)
    assert gone.pk not in answers
    assert answers[finished.pk].reason == "Every item is done."
    assert answers[finished.pk].chance == 1.0
    assert answers[release.pk].ahead == 0
    assert "cancelled" in release_forecast(Release.objects.get(pk=gone.pk), today=today).reason


def test_the_roadmap_the_list_the_api_and_the_release_page_say_the_same(
    client: Client,
    owner: Persona,
    po: Persona,
    product: Product,
    release: Release,
    make_item: MakeItem,
) -> None:
    # Finished two weeks ago, so that today's forecast has a whole week of history.
    done = [make_item(f"Done {n}") for n in range(8)]
    _finish(owner, done)
    two_weeks = timezone.localdate() - dt.timedelta(weeks=2)
    ItemStatusChange.objects.filter(item__in=done).update(day=two_weeks)
    today = timezone.localdate()
    Release.objects.filter(pk=release.pk).update(target_date=today + dt.timedelta(weeks=6))
    sooner = _release(owner, product, make_item, "2026.0", 3, today + dt.timedelta(weeks=2))
    rows = {row.label: row for row in roadmap_selectors.timeline_rows(product)}
    client.force_login(po.user)
    api = client.get("/api/v1/workspaces/acme/products/ACME/roadmap").json()
    timeline = {row["label"]: row for row in api["timeline"]}
    listed = client.get("/w/acme/releases/ACME").content.decode()
    for made in (sooner, Release.objects.get(pk=release.pk)):
        own = release_forecast(made)
        assert own.when is not None
        low, mid, high = _dates(own)
        assert (rows[made.name].low, rows[made.name].mid, rows[made.name].high) == (low, mid, high)
        assert timeline[made.name]["forecast_85"] == mid.isoformat()  # type: ignore[union-attr]
        answer = client.get(f"/api/v1/workspaces/acme/products/ACME/releases/{made.pk}/forecast")
        dates = {d["percentile"]: d["date"] for d in answer.json()["dates"]}
        assert [dates[p] for p in PERCENTILES] == [d.isoformat() for d in (low, mid, high)]  # type: ignore[union-attr]
        page = client.get(f"/w/acme/releases/ACME/{made.pk}").content.decode()
        assert f"<dt>85% done by</dt><dd>{mid:%-d %b %Y}</dd>" in page
        assert f'datetime="{mid:%Y-%m-%d}"' in listed


def test_the_simulation_is_kept_until_its_inputs_change(
    owner: Persona, product: Product, release: Release, make_item: MakeItem, history: None
) -> None:
    today = timezone.localdate() + dt.timedelta(weeks=3)
    Release.objects.filter(pk=release.pk).update(target_date=today + dt.timedelta(weeks=8))
    sooner = _release(owner, product, make_item, "2026.0", 1, today + dt.timedelta(weeks=4))
    simulated.cache_clear()
    first = product_forecasts(product, today=today)
    again = product_forecasts(product, today=today)
    assert simulated.cache_info().hits == 1
    assert again[release.pk].when is first[release.pk].when
    # An item more in the release before it: asked again, and it counts.
    services.release_items_add(actor=owner.actor, release=sooner, items=[make_item("More")])
    changed = product_forecasts(product, today=today)
    assert simulated.cache_info().misses == 2
    assert changed[release.pk].ahead == 2
    assert changed[release.pk].when is not None
    assert changed[release.pk].when.inputs.items == 4
