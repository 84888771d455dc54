"""The traceable loop: one customer's complaint followed from the feedback to the release that
addressed it and to the outcome that says whether it worked, in both directions, with the
broken links named; trashed objects off the chain; a few queries whatever its length."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.coverage.trace import Trace, trace_of
from lodestar.decisions import services as decisions
from lodestar.discovery import services as discovery
from lodestar.discovery.models import Feedback, Insight, Problem
from lodestar.outcomes import services as outcomes
from lodestar.outcomes.models import Metric, OutcomeReview
from lodestar.releases import services as releases
from lodestar.releases.models import Release
from lodestar.sprints import services as sprints
from lodestar.sprints.models import Sprint
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item
from tests.conftest import Persona
from tests.outcomes.test_reviews import _days
from tests.strategy.conftest import product

__all__ = ["make_item", "product"]

pytestmark = pytest.mark.django_db

LIVE = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)


@dataclass
class Loop:
    feedback: Feedback
    insight: Insight
    problem: Problem
    epic: BacklogItem
    story: BacklogItem
    sprint: Sprint
    release: Release
    review: OutcomeReview
    metric: Metric

    @property
    def release_url(self) -> str:
        return f"/w/acme/releases/ACME/{self.release.pk}"


@pytest.fixture
def loop(owner: Persona, product: Product, make_item: MakeItem, team: Any) -> Loop:
    """Feedback -> insight -> problem -> epic (its story) -> sprint and release (live) ->
    success criterion -> a missed outcome review."""
    actor = owner.actor
    customer = discovery.customer_create(actor=actor, name="Globex", arr=120_000)
    feedback = discovery.feedback_create(
        actor=actor,
        text="Checkout takes forever on mobile, we lose carts.",
        source="interview",
        customer=customer,
        product=product,
    )
    problem = discovery.problem_create(
        actor=actor, title="Mobile checkout is slow", product=product
    )
    insight = discovery.insight_create(
        actor=actor, feedback=feedback, quote="we lose carts", problems=[problem]
    )
    epic = make_item("Fast mobile checkout", kind="epic")
    story = make_item("Cache the cart", parent=epic)
    discovery.problem_items_link(actor=actor, problem=problem, items=[epic, story])
    sprint = sprints.sprint_create(
        actor=actor,
        team=team,
        name="Sprint 1",
        start_date=dt.date(2026, 5, 1),
        end_date=dt.date(2026, 5, 14),
    )
    sprints.sprint_items_add(actor=actor, sprint=sprint, items=[story])
    release = releases.release_create(actor=actor, product=product, name="2026.6")
    releases.release_items_add(actor=actor, release=release, items=[story])
    metric = outcomes.metric_create(
        actor=actor,
        product=product,
        key="conversion",
        name="Conversion",
        unit="%",
        direction="higher",
    )
    outcomes.criterion_create(
        actor=actor,
        product=product,
        metric=metric,
        release=release,
        target=50,
        target_kind="relative",
        evaluation_window_days=7,
    )
    releases.release_go_live(actor=actor, release=release, force=True, reason="Launch", at=LIVE)
    _days(owner, metric, LIVE.date() - dt.timedelta(days=28), [3.0, 3.1] * 14)
    _days(owner, metric, LIVE.date() + dt.timedelta(days=1), [3.0, 3.1, 3.0, 3.1, 3.0, 3.1, 3.0])
    outcomes.outcomes_evaluate_due(now=LIVE + dt.timedelta(days=9))
    review = OutcomeReview.objects.get()
    assert review.verdict == "missed"
    return Loop(feedback, insight, problem, epic, story, sprint, release, review, metric)


def _stage(trace: Trace, name: str) -> list[str]:
    """The titles of a stage's objects (an item's without its key)."""
    stage = next(s for s in trace.stages if s.name == name)
    return [
        node.title.split(" ", 1)[1] if node.type == "item" else node.title for node in stage.nodes
    ]


def _rules(trace: Trace) -> set[tuple[str, str]]:
    return {(gap.rule, gap.node.title) for gap in trace.gaps}


def test_from_the_feedback_the_whole_way_down(owner: Persona, loop: Loop) -> None:
    trace = trace_of(owner.actor, "feedback", loop.feedback)

    assert trace.origin.type == "feedback"
    assert _stage(trace, "insight") == ["we lose carts"]
    assert _stage(trace, "problem") == ["Mobile checkout is slow"]
    assert _stage(trace, "item") == ["Fast mobile checkout", "Cache the cart"]
    assert [title.endswith(": Sprint 1") for title in _stage(trace, "sprint")] == [True]
    assert _stage(trace, "release") == ["ACME 2026.6"]
    assert len(_stage(trace, "success_criterion")) == 1
    assert len(_stage(trace, "outcome")) == 1
    assert _stage(trace, "follow_up") == []
    outcome = next(s for s in trace.stages if s.name == "outcome").nodes[0]
    assert outcome.state_code == "missed"
    assert outcome.url is not None
    assert _rules(trace) == {("missed_outcome_without_follow_up", outcome.title)}


def test_from_the_release_both_ways(owner: Persona, loop: Loop) -> None:
    trace = trace_of(owner.actor, "release", loop.release)

    # Up: the released story, its epic, the problem, the insight, the feedback.
    assert _stage(trace, "item") == ["Fast mobile checkout", "Cache the cart"]
    assert _stage(trace, "problem") == ["Mobile checkout is slow"]
    assert _stage(trace, "feedback") == [loop.feedback.summary]
    assert len(_stage(trace, "sprint")) == 1
    # Down: its criterion and the review.
    assert len(_stage(trace, "outcome")) == 1
    origin = [n for s in trace.stages for n in s.nodes if n.origin]
    assert [n.type for n in origin] == ["release"]


def _conclude_with_a_follow_up(owner: Persona, loop: Loop) -> None:
    """The missed review concluded with a follow-up item, "Prefetch the payment form"."""
    outcomes.review_conclude(
        actor=owner.actor,
        review=loop.review,
        learnings="The tail did not move.",
        follow_ups=["Prefetch the payment form"],
        problem=loop.problem,
        problem_status="solving",
        expected_version=loop.review.version,
    )


def test_a_follow_up_closes_the_loop_and_the_gap(owner: Persona, loop: Loop) -> None:
    _conclude_with_a_follow_up(owner, loop)
    trace = trace_of(owner.actor, "problem", loop.problem)
    assert _stage(trace, "follow_up") == ["Prefetch the payment form"]
    assert not any(gap.rule == "missed_outcome_without_follow_up" for gap in trace.gaps)

    # From the follow-up, up the loop that made it.
    follow_up = BacklogItem.objects.get(title="Prefetch the payment form")
    back = trace_of(owner.actor, "item", follow_up)
    assert len(_stage(back, "outcome")) == 1
    assert _stage(back, "release") == ["ACME 2026.6"]
    assert _stage(back, "feedback") == [loop.feedback.summary]


def test_a_trace_again_after_a_change_reads_the_change(owner: Persona, loop: Loop) -> None:
    """The walk's statements are compiled once and run again with other ids (on PostgreSQL):
    the same trace after a change says what changed."""
    before = trace_of(owner.actor, "problem", loop.problem)
    assert _stage(before, "follow_up") == []
    missed = ("missed_outcome_without_follow_up", "Conversion +50% on its baseline")
    assert missed in _rules(before)
    assert trace_of(owner.actor, "problem", loop.problem) == before

    _conclude_with_a_follow_up(owner, loop)
    after = trace_of(owner.actor, "problem", loop.problem)

    assert _stage(after, "follow_up") == ["Prefetch the payment form"]
    assert missed not in _rules(after)
    assert _stage(after, "feedback") == _stage(before, "feedback")


def test_a_decision_on_the_review_is_a_follow_up(
    owner: Persona, loop: Loop, product: Product
) -> None:
    decision = decisions.decision_create(
        actor=owner.actor,
        product=product,
        title="Keep the cart cache",
        links=[f"outcome:{loop.review.pk}"],
    )
    trace = trace_of(owner.actor, "release", loop.release)
    assert _stage(trace, "follow_up") == [str(decision)]
    assert not any(gap.rule == "missed_outcome_without_follow_up" for gap in trace.gaps)
    from_decision = trace_of(owner.actor, "decision", decision)
    assert _stage(from_decision, "release") == ["ACME 2026.6"]


def test_the_broken_links_are_named(owner: Persona, product: Product, make_item: MakeItem) -> None:
    actor = owner.actor
    lonely = discovery.feedback_create(actor=actor, text="Exports are too slow", product=product)
    solved = discovery.problem_create(
        actor=actor, title="Exports are slow", product=product, status="solved"
    )
    unsolved = discovery.problem_create(actor=actor, title="No dark mode", product=product)
    item = make_item("Stream exports")
    discovery.problem_items_link(actor=actor, problem=solved, items=[item])
    release = releases.release_create(actor=actor, product=product, name="2026.7")
    releases.release_go_live(actor=actor, release=release, force=True, reason="Hotfix")

    assert _rules(trace_of(actor, "feedback", lonely)) == {
        ("feedback_without_insight", lonely.summary)
    }
    assert _rules(trace_of(actor, "problem", solved)) == {
        ("solved_problem_without_release", "Exports are slow")
    }
    assert _rules(trace_of(actor, "problem", unsolved)) == {
        ("problem_without_item", "No dark mode")
    }
    assert _rules(trace_of(actor, "release", release)) == {
        ("live_release_without_criterion", "ACME 2026.7")
    }


def test_trashed_objects_are_off_the_chain(owner: Persona, loop: Loop) -> None:
    backlog.item_delete(actor=owner.actor, item=loop.story)

    trace = trace_of(owner.actor, "problem", loop.problem)

    assert _stage(trace, "item") == ["Fast mobile checkout"]
    assert _stage(trace, "release") == []
    assert _stage(trace, "sprint") == []


def test_a_sprint_does_not_bring_its_other_items_into_an_items_chain(
    owner: Persona, loop: Loop, make_item: MakeItem
) -> None:
    other = make_item("Unrelated chore")
    sprints.sprint_items_add(actor=owner.actor, sprint=loop.sprint, items=[other])
    elsewhere = releases.release_create(actor=owner.actor, product=loop.release.product, name="X")
    releases.release_items_add(actor=owner.actor, release=elsewhere, items=[other])

    trace = trace_of(owner.actor, "item", loop.story)

    assert "Unrelated chore" not in _stage(trace, "item")
    assert _stage(trace, "release") == ["ACME 2026.6"]
    from_sprint = trace_of(owner.actor, "sprint", loop.sprint)
    assert set(_stage(from_sprint, "item")) >= {"Cache the cart", "Unrelated chore"}


def test_a_trace_costs_a_few_queries_whatever_its_length(
    owner: Persona, loop: Loop, make_item: MakeItem
) -> None:
    first = make_item("Story one", parent=loop.epic)
    sprints.sprint_items_add(actor=owner.actor, sprint=loop.sprint, items=[first])
    trace_of(owner.actor, "feedback", loop.feedback)  # what is read once per process
    with CaptureQueriesContext(connection) as few:
        trace_of(owner.actor, "feedback", loop.feedback)
    for n in range(20):
        more = make_item(f"Story {n}", parent=loop.epic)
        sprints.sprint_items_add(actor=owner.actor, sprint=loop.sprint, items=[more])
    with CaptureQueriesContext(connection) as many:
        trace = trace_of(owner.actor, "feedback", loop.feedback)
    assert len(_stage(trace, "item")) == 23
    assert len(many.captured_queries) == len(few.captured_queries)


# -- the API and the pages ------------------------------------------------------------------


def test_the_api_answers_the_trace_of_an_item(api_client: Any, viewer: Persona, loop: Loop) -> None:
    response = api_client(viewer).get(f"/api/v1/workspaces/acme/trace/item/{loop.story.key}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["origin"]["ref"] == loop.story.key
    assert [s["name"] for s in body["stages"]] == [
        "feedback",
        "insight",
        "problem",
        "item",
        "sprint",
        "release",
        "success_criterion",
        "outcome",
        "follow_up",
    ]
    stages = {s["name"]: s for s in body["stages"]}
    assert stages["feedback"]["nodes"][0]["type"] == "feedback"
    assert stages["release"]["nodes"][0]["state_code"] == "live"
    assert [g["rule"] for g in body["gaps"]] == ["missed_outcome_without_follow_up"]


def test_the_api_refuses_another_workspace_and_an_unknown_kind_with_404(
    api_client: Any, outsider: Persona, viewer: Persona, loop: Loop
) -> None:
    theirs = api_client(outsider).get(f"/api/v1/workspaces/acme/trace/item/{loop.story.key}")
    assert theirs.status_code == 404
    missing = api_client(viewer).get("/api/v1/workspaces/acme/trace/item/ACME-999")
    assert missing.status_code == 404
    kind = api_client(viewer).get("/api/v1/workspaces/acme/trace/customer/1")
    assert kind.status_code == 404
    assert kind.json()["code"] == "trace_kind_unknown"
    assert "choose one of" in kind.json()["detail"]


def test_object_pages_carry_the_trace_and_the_trace_has_its_own_page(
    client: Any, viewer: Persona, loop: Loop
) -> None:
    client.force_login(viewer.user)
    url = f"/w/acme/trace/item/{loop.story.key}"
    for page in (
        f"/w/acme/items/{loop.story.key}",
        f"/w/acme/problems/{loop.problem.pk}",
        f"/w/acme/feedback/{loop.feedback.pk}",
    ):
        html = client.get(page).content.decode()
        assert 'data-testid="trace-slot"' in html, page
    section = client.get(url, headers={"HX-Request": "true"})
    assert section.status_code == 200
    text = section.content.decode()
    assert "<html" not in text
    assert "Mobile checkout is slow" in text
    assert 'data-rule="missed_outcome_without_follow_up"' in text
    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert client.get("/w/acme/trace/customer/1").status_code == 404


def test_a_decisions_links_lead_only_to_untrashed_objects(
    owner: Persona, loop: Loop, product: Product, make_item: MakeItem
) -> None:
    dropped = make_item("Dropped idea")
    decision = decisions.decision_create(
        actor=owner.actor,
        product=product,
        title="Cache first",
        links=[f"item:{loop.story.key}", f"item:{dropped.key}", f"problem:{loop.problem.pk}"],
    )
    backlog.item_delete(actor=owner.actor, item=dropped)

    trace = trace_of(owner.actor, "decision", decision)

    assert "Dropped idea" not in _stage(trace, "item")
    assert {"Cache the cart", "Fast mobile checkout"} <= set(_stage(trace, "item"))
    assert _stage(trace, "problem") == ["Mobile checkout is slow"]
    assert _stage(trace, "feedback") == [loop.feedback.summary]
    assert trace.origin.type == "decision"
    assert trace.origin.origin


def test_a_trace_costs_a_query_per_round_of_its_walk(owner: Persona, loop: Loop) -> None:
    trace_of(owner.actor, "outcome", loop.review)  # what is read once per process
    with CaptureQueriesContext(connection) as queries:
        trace = trace_of(owner.actor, "outcome", loop.review)

    # Up from the review: its criterion; its release; the release's story; the story's epic
    # and problem; the problem's insight; its feedback (6 rounds, the way down in the same
    # statements), then the broken links (1) and a read for each of the 8 types reached.
    assert trace.count == 9
    assert len(queries.captured_queries) <= 6 + 1 + 8
    rounds = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    assert rounds, "the steps of a round are one statement"


def test_every_listed_object_links_to_its_page(owner: Persona, loop: Loop) -> None:
    trace = trace_of(owner.actor, "outcome", loop.review)

    urls = {node.type: node.url for stage in trace.stages for node in stage.nodes}
    assert urls["insight"] == f"/w/acme/feedback/{loop.feedback.pk}#insight-{loop.insight.pk}"
    assert urls["release"] == loop.release_url
    assert str(urls["item"]).startswith("/w/acme/items/ACME-")
    assert all(url and url.startswith("/w/acme/") for url in urls.values())


def test_the_listed_objects_read_few_columns_and_read_as_the_whole_rows_do(
    owner: Persona, loop: Loop, product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each type's objects are read as the columns their title, reference, state and page
    need (``trace._COLUMNS``): a column missing there would cost a query per object. Every
    type is on this chain, and each node reads as it does from the whole row."""
    from django.db.models import Model

    from lodestar.coverage import trace as tracing

    _conclude_with_a_follow_up(owner, loop)
    decision = decisions.decision_create(
        actor=owner.actor,
        product=product,
        title="Keep the cart cache",
        links=[f"outcome:{loop.review.pk}"],
    )
    review = OutcomeReview.objects.get(pk=loop.review.pk)
    origins = {
        "feedback": loop.feedback,
        "insight": loop.insight,
        "problem": loop.problem,
        "item": loop.story,
        "sprint": loop.sprint,
        "release": loop.release,
        "success_criterion": review.criterion,
        "outcome": review,
        "decision": decision,
    }
    whole = {
        kind: tracing._node(kind, type(obj).objects.get(pk=obj.pk)) for kind, obj in origins.items()
    }

    def deferred(self: Model, *args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"{type(self).__name__} read a column not named: {kwargs}")

    monkeypatch.setattr(Model, "refresh_from_db", deferred)
    compared: set[str] = set()
    for kind, obj in origins.items():
        trace = trace_of(owner.actor, kind, obj)
        for node in (node for stage in trace.stages for node in stage.nodes):
            if node.id == whole[node.type].id:
                assert dataclasses.replace(node, origin=False) == whole[node.type], (kind, node)
                compared.add(node.type)
    assert compared == set(whole)
