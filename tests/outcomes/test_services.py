"""Metrics and samples through the services: the rules, history and events, the daily series."""

from __future__ import annotations

import datetime as dt

import pytest

from lodestar.core.errors import Forbidden, Invalid
from lodestar.core.models import HistoryEntry, OutboxEvent
from lodestar.outcomes import selectors, services
from lodestar.outcomes.errors import OutcomeErrorCode as Code
from lodestar.outcomes.models import Metric, MetricSample
from lodestar.strategy.models import Product
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def _fields(error: Invalid) -> list[str]:
    return [e.field for e in error.errors]


def test_define_and_change_a_metric_records_history_and_events(
    developer: Persona, product: Product
) -> None:
    metric = services.metric_create(
        actor=developer.actor,
        product=product,
        key="Weekly-Active",
        name="WAU",
        direction="higher",
        aggregation="last",
        description="Users in *7 days*",
    )
    assert metric.key == "weekly-active"
    assert "<em>7 days</em>" in metric.description_html
    services.metric_update(actor=developer.actor, metric=metric, direction="lower", name="WAU 2")
    metric.refresh_from_db()
    assert (metric.direction, metric.name, metric.version) == ("lower", "WAU 2", 2)
    actions = list(
        HistoryEntry.objects.filter(object_type="outcomes.metric").values_list("action", flat=True)
    )
    assert sorted(actions) == ["created", "updated"]
    kinds = set(OutboxEvent.objects.values_list("kind", flat=True))
    assert {"metric.created", "metric.updated"} <= kinds


def test_bad_definitions_name_the_field(owner: Persona, product: Product, metric: Metric) -> None:
    cases = [
        ({"key": "1bad"}, "key"),
        ({"key": "conversion"}, "key"),  # taken
        ({"name": "  "}, "name"),
        ({"direction": "up"}, "direction"),
        ({"aggregation": "median"}, "aggregation"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ]
    for change, field in cases:
        values = {"key": "other", "name": "Other", "direction": "higher", **change}
        with pytest.raises(Invalid) as caught:
            services.metric_create(actor=owner.actor, product=product, **values)
        assert _fields(caught.value) == [field], change
    assert Metric.objects.count() == 1


def test_viewers_never_write(viewer: Persona, product: Product, metric: Metric) -> None:
    with pytest.raises(Forbidden):
        services.metric_create(
            actor=viewer.actor, product=product, key="x1", name="X", direction="higher"
        )
    with pytest.raises(Forbidden):
        services.samples_push(
            actor=viewer.actor, metric=metric, samples=[{"at": "2026-03-02T09:00:00Z", "value": 1}]
        )
    assert MetricSample.objects.count() == 0


def test_push_stores_utc_and_replaces_a_stored_time(owner: Persona, metric: Metric) -> None:
    first = services.samples_push(
        actor=owner.actor,
        metric=metric,
        samples=[
            {"at": "2026-03-02T10:00:00+01:00", "value": 3},
            {"at": "2026-03-02T10:00:00Z", "value": 4},
        ],
    )
    assert (first.created, first.replaced) == (2, 0)
    again = services.samples_push(
        actor=owner.actor,
        metric=metric,
        samples=[
            {"at": "2026-03-02T09:00:00Z", "value": 5},
            {"at": "2026-03-03T00:00:00Z", "value": 1},
        ],
    )
    assert (again.created, again.replaced) == (1, 1)
    stored = dict(MetricSample.objects.values_list("at", "value"))
    assert stored[dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)] == 5


def test_a_bad_batch_writes_nothing_and_names_each_row(owner: Persona, metric: Metric) -> None:
    with pytest.raises(Invalid) as caught:
        services.samples_push(
            actor=owner.actor,
            metric=metric,
            samples=[
                {"at": "2026-03-02T09:00:00Z", "value": 1},
                {"at": "2026-03-02T09:00:00", "value": 1},  # no zone
                {"at": "2026-03-02T10:00:00Z", "value": "high"},  # not a number
                {"at": "2026-03-02T09:00:00+00:00", "value": 2},  # repeats row 0
                {"at": "2026-03-02T11:00:00Z", "value": float("nan")},
                {"at": "2026-03-02T12:00:00Z", "value": float("inf")},
                {"at": "yesterday", "value": True},
            ],
        )
    assert caught.value.code == Code.SAMPLES_INVALID
    assert _fields(caught.value) == [
        "samples[1].at",
        "samples[2].value",
        "samples[3].at",
        "samples[4].value",
        "samples[5].value",
        "samples[6].at",
        "samples[6].value",
    ]
    assert "repeats the time of samples[0]" in caught.value.errors[2].message
    assert MetricSample.objects.count() == 0


def test_a_batch_over_the_limit_is_refused(owner: Persona, metric: Metric) -> None:
    from lodestar.outcomes.samples import MAX_BATCH

    rows = [{"at": f"2026-01-01T00:00:{i % 60:02d}Z", "value": 1} for i in range(MAX_BATCH + 1)]
    with pytest.raises(Invalid) as caught:
        services.samples_push(actor=owner.actor, metric=metric, samples=rows)
    assert caught.value.code == Code.SAMPLES_TOO_MANY
    assert _fields(caught.value) == ["samples"]


def test_csv_import_names_lines(owner: Persona, metric: Metric) -> None:
    data = b"at,value\n2026-03-02T09:00:00Z,1.5\n\n2026-03-02T10:00:00,2\n2026-03-02T11:00:00Z,x\n"
    with pytest.raises(Invalid) as caught:
        services.samples_import(actor=owner.actor, metric=metric, data=data)
    assert _fields(caught.value) == ["line 4.at", "line 5.value"]
    assert MetricSample.objects.count() == 0
    good = b"\xef\xbb\xbfAt,Value,note\n2026-03-02T09:00:00Z,1.5,a\n2026-03-02T10:00:00Z,2,b\n"
    result = services.samples_import(actor=owner.actor, metric=metric, data=good)
    assert result.created == 2
    with pytest.raises(Invalid) as caught:
        services.samples_import(actor=owner.actor, metric=metric, data=b"time;amount\n1;2\n")
    assert caught.value.code == Code.SAMPLES_FILE_INVALID


def test_many_samples_go_in_through_the_bulk_path(owner: Persona, metric: Metric) -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [{"at": (start + dt.timedelta(minutes=i)).isoformat(), "value": i} for i in range(500)]
    assert services.samples_push(actor=owner.actor, metric=metric, samples=rows).created == 500
    assert MetricSample.objects.filter(metric=metric).count() == 500


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [("mean", [2.0, 10.0]), ("sum", [6.0, 10.0]), ("last", [3.0, 10.0])],
)
def test_daily_series_aggregates_per_day_in_the_metric_zone(
    owner: Persona, product: Product, aggregation: str, expected: list[float]
) -> None:
    metric = services.metric_create(
        actor=owner.actor,
        product=product,
        key=f"m-{aggregation}",
        name="M",
        direction="higher",
        aggregation=aggregation,
        time_zone="America/New_York",
    )
    services.samples_push(
        actor=owner.actor,
        metric=metric,
        samples=[
            # 2 March in New York (UTC-5): 05:00Z to 05:00Z next day
            {"at": "2026-03-02T05:00:00Z", "value": 1},
            {"at": "2026-03-02T12:00:00Z", "value": 2},
            {"at": "2026-03-03T04:59:59Z", "value": 3},
            {"at": "2026-03-03T05:00:00Z", "value": 10},  # 3 March there
        ],
    )
    days = selectors.daily_series(metric=metric)
    assert [d.day for d in days] == [dt.date(2026, 3, 2), dt.date(2026, 3, 3)]
    assert [d.value for d in days] == expected
    assert [d.samples for d in days] == [3, 1]
    window = selectors.daily_series(
        metric=metric, since=dt.date(2026, 3, 3), until=dt.date(2026, 3, 3)
    )
    assert [d.value for d in window] == expected[1:]


def test_daily_series_across_a_clock_change(owner: Persona, product: Product) -> None:
    metric = services.metric_create(
        actor=owner.actor,
        product=product,
        key="dst",
        name="D",
        direction="higher",
        aggregation="sum",
        time_zone="Europe/Berlin",
    )
    # Berlin moves to summer time on 29 March 2026: that day has 23 hours (22:00Z to 22:00Z).
    services.samples_push(
        actor=owner.actor,
        metric=metric,
        samples=[
            {"at": "2026-03-28T23:00:00Z", "value": 1},
            {"at": "2026-03-29T21:59:00Z", "value": 1},
            {"at": "2026-03-29T22:00:00Z", "value": 5},
        ],
    )
    days = selectors.daily_series(metric=metric)
    assert [(d.day.day, d.value) for d in days] == [(29, 2.0), (30, 5.0)]


def test_a_range_the_wrong_way_is_refused(metric: Metric) -> None:
    with pytest.raises(Invalid) as caught:
        selectors.daily_series(metric=metric, since=dt.date(2026, 3, 2), until=dt.date(2026, 3, 1))
    assert _fields(caught.value) == ["since"]


def test_deleting_moves_to_the_trash(owner: Persona, product: Product, metric: Metric) -> None:
    services.metric_delete(actor=owner.actor, metric=metric)
    assert not selectors.metric_list(actor=owner.actor, product=product).exists()
    with pytest.raises(Invalid):  # its key stays taken while it is in the trash
        services.metric_create(
            actor=owner.actor, product=product, key="conversion", name="C", direction="higher"
        )


def test_changing_the_time_zone_counts_the_days_again(owner: Persona, metric: Metric) -> None:
    services.samples_push(
        actor=owner.actor,
        metric=metric,
        samples=[
            {"at": "2026-03-02T23:30:00Z", "value": 1},
            {"at": "2026-03-03T00:30:00Z", "value": 3},
        ],
    )
    assert [d.value for d in selectors.daily_series(metric=metric)] == [1.0, 3.0]
    services.metric_update(actor=owner.actor, metric=metric, time_zone="Asia/Tokyo")
    days = selectors.daily_series(metric=metric)
    assert [(d.day, d.value, d.samples) for d in days] == [(dt.date(2026, 3, 3), 2.0, 2)]


def test_a_replaced_sample_updates_its_day(owner: Persona, metric: Metric) -> None:
    one = {"at": "2026-03-02T09:00:00Z", "value": 1}
    services.samples_push(actor=owner.actor, metric=metric, samples=[one])
    services.samples_push(actor=owner.actor, metric=metric, samples=[{**one, "value": 7}])
    assert [(d.value, d.samples) for d in selectors.daily_series(metric=metric)] == [(7.0, 1)]


def test_values_beyond_the_bound_are_refused(owner: Persona, metric: Metric) -> None:
    with pytest.raises(Invalid) as caught:
        services.samples_push(
            actor=owner.actor,
            metric=metric,
            samples=[{"at": "2026-03-02T09:00:00Z", "value": 2e15}],
        )
    assert _fields(caught.value) == ["samples[0].value"]


def test_metrics_are_found_by_search_and_leave_it_in_the_trash(
    owner: Persona, viewer: Persona, metric: Metric
) -> None:
    from lodestar.core.search import search

    services.metric_update(actor=owner.actor, metric=metric, description="Paid **checkouts**")
    hits = search(actor=viewer.actor, text="checkouts", kinds=["metric"]).items
    assert [(hit.kind, hit.title) for hit in hits] == [("metric", "Checkout conversion")]
    assert hits[0].url == "/w/acme/metrics/ACME/conversion"
    services.metric_delete(actor=owner.actor, metric=metric)
    assert search(actor=viewer.actor, text="checkouts", kinds=["metric"]).items == []


def test_an_outcome_evaluation_reads_both_windows(owner: Persona, metric: Metric) -> None:
    base = [9, 10, 11, 10, 9, 10, 11, 10]
    seen = [11, 12, 13, 12, 11, 12, 13, 12]
    samples = [
        {"at": f"2026-03-{day + 1:02d}T12:00:00Z", "value": value}
        for day, value in enumerate(base + seen)
    ]
    services.samples_push(actor=owner.actor, metric=metric, samples=samples)
    result = selectors.outcome_evaluation(
        metric=metric,
        baseline=(dt.date(2026, 3, 1), dt.date(2026, 3, 8)),
        observed=(dt.date(2026, 3, 9), dt.date(2026, 3, 16)),
        target=0,
        target_kind="relative",
    )
    assert (result.baseline_value, result.observed_value) == (10.0, 12.0)
    assert result.test is not None
    assert result.test.t == pytest.approx(5.291502622129181)  # SciPy's Welch t, as in the engine
    assert str(result.verdict) == "met"
    with pytest.raises(Invalid) as caught:
        selectors.outcome_evaluation(
            metric=metric,
            baseline=(dt.date(2026, 3, 8), dt.date(2026, 3, 1)),
            observed=(dt.date(2026, 3, 9), dt.date(2026, 3, 16)),
            target=0,
            target_kind="relative",
        )
    assert _fields(caught.value) == ["baseline"]
