"""The demo's metrics: three on the demo product with 180 days each, deterministic, and a
checkout conversion that the evaluation engine finds met after the change 60 days ago."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lodestar.outcomes import demo, selectors
from lodestar.outcomes.evaluation import Verdict, evaluate
from lodestar.outcomes.models import Metric, MetricSample
from lodestar.people import demo as people_demo
from lodestar.people.models import Membership, User, Workspace
from lodestar.strategy.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> Product:
    people = people_demo.seed()
    product = Product.objects.create(workspace=people.workspace, key="ACME", name="Acme")
    demo.seed({"people": people, "backlog": product})
    return product


def test_three_metrics_with_180_days_each(seeded: Product) -> None:
    metrics = {m.key: m for m in Metric.objects.filter(product=seeded)}
    assert sorted(metrics) == ["checkout-conversion", "dashboard-load-p95", "weekly-active-users"]
    for metric in metrics.values():
        assert len(selectors.daily_series(metric=metric)) == demo.DAYS
    assert MetricSample.objects.filter(metric=metrics["checkout-conversion"]).count() == 180 * 6


def test_the_demo_is_deterministic(seeded: Product) -> None:
    first = list(MetricSample.objects.order_by("metric__key", "at").values_list("value", flat=True))
    MetricSample.objects.all().delete()
    Metric.all_objects.all().delete()
    workspace = Workspace.objects.get()
    users = {u.email.split("@")[0]: u for u in User.objects.all()}
    members = {m.user.email.split("@")[0]: m for m in Membership.objects.select_related("user")}
    again = people_demo.DemoPeople(workspace=workspace, users=users, members=members, teams={})
    demo.seed_metrics(again, seeded)
    second = list(
        MetricSample.objects.order_by("metric__key", "at").values_list("value", flat=True)
    )
    assert first == second


def test_the_conversion_change_is_met_and_a_faster_load_time_missed(seeded: Product) -> None:
    today = timezone.localdate()
    live = today - dt.timedelta(days=demo.STEP_DAYS_AGO)

    def windows(key: str) -> tuple[list[float], list[float]]:
        metric = Metric.objects.get(product=seeded, key=key)
        before = selectors.window_values(
            metric=metric, since=live - dt.timedelta(days=28), until=live - dt.timedelta(days=1)
        )
        after = selectors.window_values(
            metric=metric, since=live + dt.timedelta(days=1), until=live + dt.timedelta(days=28)
        )
        return before, after

    before, after = windows("checkout-conversion")
    met = evaluate(
        baseline=before, observed=after, direction="higher", target=5, target_kind="relative"
    )
    assert met.verdict == Verdict.MET
    before, after = windows("dashboard-load-p95")
    flat = evaluate(
        baseline=before, observed=after, direction="lower", target=-10, target_kind="relative"
    )
    assert flat.verdict == Verdict.MISSED
