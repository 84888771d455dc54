"""Success criteria and outcome reviews: setting a criterion (and every bad input refused with
the field named, nothing written), the go-live check it answers, reviews written when the
window closes, again on late samples and on demand, a missed outcome marking the problem's
open items, and concluding a review in one step."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.core.errors import Forbidden, Invalid, StaleVersion
from lodestar.core.models import HistoryEntry
from lodestar.discovery import services as discovery
from lodestar.discovery.models import Problem
from lodestar.outcomes import selectors, services
from lodestar.outcomes.models import Metric, OutcomeReview, SuccessCriterion
from lodestar.releases import services as releases
from lodestar.releases.checklist import checklist
from lodestar.releases.models import Release
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item
from tests.conftest import Persona

__all__ = ["make_item"]

pytestmark = pytest.mark.django_db

P = "/api/v1/workspaces/acme/products/ACME"
Clients = Callable[[Persona], Client]
LIVE = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)


def _send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    return client.generic(
        method,
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=headers,
    )


def _days(owner: Persona, metric: Metric, first: dt.date, values: list[float]) -> None:
    """One sample a day at noon from ``first``, the values given."""
    services.samples_push(
        actor=owner.actor,
        metric=metric,
        samples=[
            {
                "at": dt.datetime.combine(
                    first + dt.timedelta(days=index), dt.time(12), tzinfo=dt.UTC
                ).isoformat(),
                "value": value,
            }
            for index, value in enumerate(values)
        ],
    )


def _wave(level: float, days: int) -> list[float]:
    return [level + (0.05 if index % 2 else -0.05) for index in range(days)]


@pytest.fixture
def release(owner: Persona, product: Product, make_item: MakeItem) -> Release:
    made = releases.release_create(actor=owner.actor, product=product, name="2026.1")
    releases.release_items_add(
        actor=owner.actor, release=made, items=[make_item("Faster checkout")]
    )
    return made


def _live(owner: Persona, release: Release, when: dt.datetime = LIVE) -> Release:
    releases.release_go_live(actor=owner.actor, release=release, force=True, reason="Launch day")
    Release.objects.filter(pk=release.pk).update(went_live_at=when)
    release.refresh_from_db()
    return release


def _criterion(owner: Persona, product: Product, metric: Metric, release: Release, **kw: Any):
    values: dict[str, Any] = {"target": 5, "target_kind": "relative"} | kw
    return services.criterion_create(
        actor=owner.actor, product=product, metric=metric, release=release, **values
    )


# -- setting a criterion ---------------------------------------------------------------------


def test_a_criterion_reads_in_words_and_answers_the_go_live_check(
    owner: Persona, product: Product, metric: Metric, release: Release
) -> None:
    entries = {entry.key: entry for entry in checklist(release)}
    assert not entries["success_criteria"].met
    assert "No success criterion yet" in entries["success_criteria"].detail
    criterion = _criterion(owner, product, metric, release)
    assert services.criterion_label(criterion) == "Checkout conversion +5% on its baseline"
    absolute = _criterion(
        owner,
        product,
        services.metric_create(
            actor=owner.actor,
            product=product,
            key="load",
            name="Load",
            unit="ms",
            direction="lower",
        ),
        release,
        target=700,
        target_kind="absolute",
    )
    assert services.criterion_label(absolute) == "Load at most 700 ms"
    entries = {entry.key: entry for entry in checklist(release)}
    assert entries["success_criteria"].met
    assert entries["success_criteria"].detail == "Measured by Checkout conversion, Load."
    line = HistoryEntry.objects.filter(object_type="outcomes.successcriterion").first()
    assert line is not None
    assert line.action == "created"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"target": "lots"}, "target", "must be a number ('lots' is not)"),
        ({"target": float("nan")}, "target", "must be a finite number"),
        ({"target": None}, "target", "must be a number"),
        ({"target_kind": "double"}, "target_kind", "must be one of absolute, relative"),
        ({"baseline": 0}, "baseline", "needs a baseline other than 0"),
        ({"baseline_window_days": 3}, "baseline_window_days", "must be 7 to 365 days"),
        ({"evaluation_window_days": 400}, "evaluation_window_days", "must be 7 to 365 days"),
        ({"evaluation_window_days": "two"}, "evaluation_window_days", "a whole number of days"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    owner: Persona,
    product: Product,
    metric: Metric,
    release: Release,
    changes: dict[str, Any],
    field: str,
    words: str,
) -> None:
    with pytest.raises(Invalid) as raised:
        _criterion(owner, product, metric, release, **changes)
    assert raised.value.errors[0].field == field
    assert words in raised.value.errors[0].message
    assert not SuccessCriterion.objects.exists()


def test_what_a_criterion_may_be_set_on(
    owner: Persona, product: Product, metric: Metric, release: Release, make_item: MakeItem
) -> None:
    story = make_item("A story")
    with pytest.raises(Invalid, match="is a story"):
        services.criterion_create(
            actor=owner.actor,
            product=product,
            metric=metric,
            item=story,
            target=1,
            target_kind="absolute",
        )
    with pytest.raises(Invalid, match="one of them"):
        services.criterion_create(
            actor=owner.actor,
            product=product,
            metric=metric,
            release=release,
            item=story,
            target=1,
            target_kind="absolute",
        )
    _criterion(owner, product, metric, release)
    with pytest.raises(Invalid) as taken:
        _criterion(owner, product, metric, release)
    assert taken.value.code == "criterion_taken"
    cancelled = releases.release_create(actor=owner.actor, product=product, name="Beta")
    releases.release_update(actor=owner.actor, release=cancelled, state="cancelled")
    with pytest.raises(Invalid, match="cancelled"):
        _criterion(owner, product, metric, cancelled)
    assert SuccessCriterion.objects.count() == 1


def test_viewers_read_criteria_but_set_none(
    viewer: Persona, owner: Persona, product: Product, metric: Metric, release: Release
) -> None:
    with pytest.raises(Forbidden):
        _criterion(viewer, product, metric, release)
    assert not SuccessCriterion.objects.exists()


def test_the_api_answers_404_for_a_metric_release_or_epic_it_cannot_reach(
    api_client: Clients,
    owner: Persona,
    outsider: Persona,
    product: Product,
    metric: Metric,
    release: Release,
) -> None:
    other = strategy.product_create(actor=outsider.actor, key="ACME", name="Theirs")
    services.metric_create(
        actor=outsider.actor, product=other, key="secret", name="Secret", direction="higher"
    )
    client = api_client(owner)
    body = {"release": "2026.1", "metric": "secret", "target": 5, "target_kind": "relative"}
    assert _send(client, "POST", f"{P}/success-criteria", body).status_code == 404
    body |= {"metric": "conversion", "release": "No such release"}
    assert _send(client, "POST", f"{P}/success-criteria", body).status_code == 404
    body |= {"release": None, "item": "ACME-999"}
    assert _send(client, "POST", f"{P}/success-criteria", body).status_code == 404
    assert not SuccessCriterion.objects.exists()
    body |= {"release": "2026.1", "item": None}
    made = _send(client, "POST", f"{P}/success-criteria", body)
    assert made.status_code == 201, made.content
    assert made.json()["label"] == "Checkout conversion +5% on its baseline"
    assert made.json()["review"] is None
    listed = client.get(f"{P}/success-criteria?release=2026.1").json()
    assert [c["metric"] for c in listed["items"]] == ["conversion"]
    bad = _send(client, "POST", f"{P}/success-criteria", body | {"target": "NaN"})
    assert bad.status_code == 422


# -- reviews ----------------------------------------------------------------------------------


def test_a_review_waits_for_going_live_then_the_window(
    owner: Persona, product: Product, metric: Metric, release: Release
) -> None:
    criterion = _criterion(owner, product, metric, release, evaluation_window_days=14)
    with pytest.raises(Invalid, match="gone live"):
        services.outcomes_evaluate(actor=owner.actor, product=product)
    _live(owner, release)
    live_day = LIVE.date()
    _days(owner, metric, live_day - dt.timedelta(days=28), _wave(3.0, 28))
    _days(owner, metric, live_day + dt.timedelta(days=1), _wave(3.5, 7))
    soon = LIVE + dt.timedelta(days=8)
    assert services.outcomes_evaluate_due(now=soon) == 0
    (so_far,) = services.outcomes_evaluate(actor=owner.actor, product=product, now=soon)
    assert so_far.verdict == "pending"
    assert not so_far.final
    assert so_far.observed_until == live_day + dt.timedelta(days=14)
    _days(owner, metric, live_day + dt.timedelta(days=8), _wave(3.5, 7))
    later = LIVE + dt.timedelta(days=16)
    assert services.outcomes_evaluate_due(now=later) == 1
    review = OutcomeReview.objects.get(criterion=criterion)
    assert review.final
    assert review.verdict == "met", review.reason
    assert review.baseline_value == pytest.approx(3.0, abs=0.01)
    assert review.observed_value == pytest.approx(3.5, abs=0.01)
    assert review.target_level == pytest.approx(3.15, abs=0.01)
    assert review.baseline_days == 28
    assert review.observed_days == 14
    assert "Welch" in review.test["name"]
    # Nothing new: nothing to do. Late samples: evaluated again. (The test's clock is months
    # behind the samples' write time: set that back to the test's time.)
    Metric.objects.filter(pk=metric.pk).update(samples_changed_at=later - dt.timedelta(hours=1))
    assert services.outcomes_evaluate_due(now=later + dt.timedelta(hours=1)) == 0
    _days(owner, metric, live_day + dt.timedelta(days=14), [3.6])
    assert services.outcomes_evaluate_due(now=later + dt.timedelta(hours=2)) == 1
    review.refresh_from_db()
    assert review.evaluations == 3
    lines = [
        entry.changes
        for entry in HistoryEntry.objects.filter(
            object_type="outcomes.outcomereview", object_id=review.pk
        ).order_by("id")
    ]
    assert lines[0]["verdict"] == [None, "pending"]
    assert lines[1]["verdict"] == ["pending", "met"]


def test_too_few_days_is_inconclusive_and_says_why(
    owner: Persona, product: Product, metric: Metric, release: Release
) -> None:
    _criterion(owner, product, metric, release, evaluation_window_days=7)
    _live(owner, release)
    _days(owner, metric, LIVE.date() + dt.timedelta(days=1), [3.5, 3.6])
    services.outcomes_evaluate_due(now=LIVE + dt.timedelta(days=9))
    review = OutcomeReview.objects.get()
    assert review.verdict == "inconclusive"
    assert "7" in review.reason


def test_a_missed_outcome_marks_the_problems_open_items_once(
    owner: Persona, product: Product, metric: Metric, release: Release, make_item: MakeItem
) -> None:
    shipped = release.entries.get().item
    shipped.status = "done"
    shipped.save()
    open_item = make_item("Cache tiles")
    done_item = make_item("Old fix")
    done_item.status = "done"
    done_item.save()
    problem = discovery.problem_create(actor=owner.actor, title="Checkout is slow", product=product)
    discovery.problem_items_link(
        actor=owner.actor, problem=problem, items=[shipped, open_item, done_item]
    )
    _criterion(owner, product, metric, release, target=50, evaluation_window_days=7)
    _live(owner, release)
    _days(owner, metric, LIVE.date() - dt.timedelta(days=28), _wave(3.0, 28))
    _days(owner, metric, LIVE.date() + dt.timedelta(days=1), _wave(3.0, 7))
    services.outcomes_evaluate_due(now=LIVE + dt.timedelta(days=9))
    review = OutcomeReview.objects.get()
    assert review.verdict == "missed"
    labelled = set(
        BacklogItem.objects.filter(labels__name="outcome-missed").values_list("title", flat=True)
    )
    assert labelled == {"Cache tiles"}
    mark = HistoryEntry.objects.filter(
        object_type="backlog.backlogitem", object_id=open_item.pk, changes__has_key="labels"
    ).get()
    assert mark.actor is None
    _days(owner, metric, LIVE.date() + dt.timedelta(days=7), [2.9])
    services.outcomes_evaluate_due(now=LIVE + dt.timedelta(days=10))
    assert (
        HistoryEntry.objects.filter(
            object_type="backlog.backlogitem", object_id=open_item.pk, changes__has_key="labels"
        ).count()
        == 1
    )


def _missed(owner: Persona, product: Product, metric: Metric, release: Release) -> OutcomeReview:
    _criterion(owner, product, metric, release, target=50, evaluation_window_days=7)
    _live(owner, release)
    _days(owner, metric, LIVE.date() - dt.timedelta(days=28), _wave(3.0, 28))
    _days(owner, metric, LIVE.date() + dt.timedelta(days=1), _wave(3.0, 7))
    services.outcomes_evaluate_due(now=LIVE + dt.timedelta(days=9))
    return OutcomeReview.objects.get()


def test_concluding_makes_follow_ups_on_the_problem_in_one_step(
    owner: Persona, product: Product, metric: Metric, release: Release
) -> None:
    problem = discovery.problem_create(actor=owner.actor, title="Slow checkout", product=product)
    discovery.problem_items_link(
        actor=owner.actor, problem=problem, items=[release.entries.get().item]
    )
    review = _missed(owner, product, metric, release)
    assert list(selectors.problems_of_criterion(review.criterion)) == [problem]
    services.review_conclude(
        actor=owner.actor,
        review=review,
        learnings="The *median* improved, not the tail.",
        follow_ups=["Cache tiles per tenant", "  ", "Measure per tile"],
        problem=problem,
        problem_status="solving",
        expected_version=review.version,
    )
    review.refresh_from_db()
    made = list(review.follow_ups.order_by("id"))
    assert [item.title for item in made] == ["Cache tiles per tenant", "Measure per tile"]
    assert all(
        list(item.labels.values_list("name", flat=True)) == ["outcome-follow-up"] for item in made
    )
    problem.refresh_from_db()
    assert problem.status == "solving"
    assert set(Problem.objects.get().items.values_list("title", flat=True)) >= {
        "Cache tiles per tenant",
        "Measure per tile",
    }
    assert "<em>median</em>" in review.learnings_html
    with pytest.raises(StaleVersion):
        services.review_conclude(
            actor=owner.actor, review=review, learnings="x", expected_version=1
        )


def test_a_bad_follow_up_refuses_the_whole_step(
    owner: Persona, product: Product, metric: Metric, release: Release
) -> None:
    review = _missed(owner, product, metric, release)
    items_before = BacklogItem.objects.count()
    with pytest.raises(Invalid) as raised:
        services.review_conclude(
            actor=owner.actor,
            review=review,
            learnings="Keep this?",
            follow_ups=["Fine", "x" * 600],
        )
    assert raised.value.errors[0].field == "follow_ups[1]"
    assert BacklogItem.objects.count() == items_before
    review.refresh_from_db()
    assert review.learnings == ""
    with pytest.raises(Invalid, match="Nothing to save"):
        services.review_conclude(actor=owner.actor, review=review)
    with pytest.raises(Invalid) as many:
        services.review_conclude(
            actor=owner.actor, review=review, follow_ups=[f"Item {n}" for n in range(11)]
        )
    assert many.value.errors[0].field == "follow_ups"


def test_a_reviewed_criterion_stays(
    owner: Persona, product: Product, metric: Metric, release: Release
) -> None:
    review = _missed(owner, product, metric, release)
    with pytest.raises(Invalid) as raised:
        services.criterion_delete(actor=owner.actor, criterion=review.criterion)
    assert raised.value.code == "criterion_fixed"
    assert SuccessCriterion.objects.count() == 1


def test_an_epic_is_measured_from_the_day_it_is_done(
    owner: Persona, product: Product, metric: Metric, make_item: MakeItem
) -> None:
    from lodestar.backlog import services as backlog

    epic = make_item("Self-serve exports", kind="epic")
    criterion = services.criterion_create(
        actor=owner.actor,
        product=product,
        metric=metric,
        item=epic,
        target=3.2,
        target_kind="absolute",
    )
    assert selectors.criterion_windows(criterion, now=LIVE) is None
    backlog.item_update(actor=owner.actor, item=epic, status="done")
    criterion.refresh_from_db()
    windows = selectors.criterion_windows(criterion, now=LIVE + dt.timedelta(days=400))
    assert windows is not None
    assert windows.closed
    assert windows.observed_from == windows.started_on + dt.timedelta(days=1)


def test_the_outcomes_api(
    api_client: Clients,
    owner: Persona,
    viewer: Persona,
    product: Product,
    metric: Metric,
    release: Release,
) -> None:
    review = _missed(owner, product, metric, release)
    reader = api_client(viewer)
    listed = reader.get(f"{P}/outcomes?verdict=missed").json()
    assert [r["id"] for r in listed["items"]] == [review.pk]
    one = reader.get(f"{P}/outcomes/{review.pk}")
    assert one.status_code == 200
    body = one.json()
    assert body["verdict"] == "missed"
    assert body["final"] is True
    assert len(body["days"]) == 35
    assert body["criterion"]["release_name"] == "2026.1"
    assert reader.get(f"{P}/outcomes/999999").status_code == 404
    assert reader.get(f"{P}/outcomes?verdict=great").status_code == 422
    writer = api_client(owner)
    stale = _send(
        writer,
        "POST",
        f"{P}/outcomes/{review.pk}/conclusion",
        {"learnings": "x"},
        **{"If-Match": '"999"'},
    )
    assert stale.status_code == 412
    wrong = _send(writer, "POST", f"{P}/outcomes/{review.pk}/conclusion", {"problem": 12345})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "problem"
    done = _send(
        writer,
        "POST",
        f"{P}/outcomes/{review.pk}/conclusion",
        {"learnings": "Tail latency", "follow_ups": ["Cache tiles"]},
        **{"If-Match": f'"{review.version}"'},
    )
    assert done.status_code == 200, done.content
    assert done.json()["follow_ups"] == ["ACME-2"]
    evaluated = _send(writer, "POST", f"{P}/outcomes/evaluate", {"release": "2026.1"})
    assert evaluated.status_code == 200
    assert evaluated.json()[0]["evaluations"] == 2


def test_follow_ups_go_only_to_a_problem_the_outcome_is_about(
    owner: Persona, product: Product, metric: Metric, release: Release
) -> None:
    review = _missed(owner, product, metric, release)
    other = discovery.problem_create(actor=owner.actor, title="Unrelated", product=product)
    items_before = BacklogItem.objects.count()
    with pytest.raises(Invalid) as raised:
        services.review_conclude(
            actor=owner.actor, review=review, follow_ups=["Fix it"], problem=other
        )
    assert raised.value.errors[0].field == "problem"
    assert BacklogItem.objects.count() == items_before
