"""The discovery demo: customers in three segments, six months of feedback, problems with
evidence, and the ACME items they explain no longer flagged (the rest, on purpose, still are)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization.models import Score
from lodestar.backlog.selectors import BacklogFilters, backlog_list
from lodestar.core.registry import registry
from lodestar.discovery import demo
from lodestar.discovery.models import (
    Contact,
    Customer,
    Feedback,
    FeedbackSource,
    Insight,
    Problem,
    ProblemItem,
)
from lodestar.discovery.selectors import problem_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """Every context's demo, in order, as ``lodestar demo`` loads it."""
    loaded: dict[str, Any] = {}
    for name, context_demo in registry().demos():
        loaded[name] = context_demo.seed(loaded)
    return loaded


def test_customers_feedback_and_problems_look_lived_in(world: dict[str, Any]) -> None:
    seeded: demo.DemoDiscovery = world["discovery"]
    customers = Customer.objects.filter(workspace=world["people"].workspace)
    assert customers.count() == 30
    assert set(customers.values_list("segment", flat=True)) == {
        "Startup",
        "Mid-market",
        "Enterprise",
    }
    assert all(c.arr and c.plan for c in customers)
    feedback = Feedback.objects.filter(workspace=world["people"].workspace)
    assert feedback.count() == 300
    assert set(feedback.values_list("source", flat=True)) == {
        FeedbackSource.INTERVIEW,
        FeedbackSource.SUPPORT,
        FeedbackSource.SALES,
        FeedbackSource.SURVEY,
    }
    interviews = feedback.filter(source=FeedbackSource.INTERVIEW)
    assert all(i.notes for i in interviews)
    assert all(i.member_participants.exists() for i in interviews)
    now = timezone.now()
    oldest = min(f.received_at for f in feedback)
    assert dt.timedelta(days=150) < now - oldest < dt.timedelta(days=190)
    # Spread over the months, so trends show: some every month.
    months = {(now - f.received_at).days // 30 for f in feedback}
    assert months >= {0, 1, 2, 3, 4, 5}
    # Near-duplicates: the same words from different customers.
    texts = [f.text for f in feedback]
    assert len(set(texts)) < len(texts)
    # Every insight marks a span of its feedback's text.
    for insight in Insight.objects.select_related("feedback")[:100]:
        assert insight.start is not None
        assert insight.end is not None
        assert insight.feedback.text[insight.start : insight.end] == insight.quote
    assert len(seeded.problems) == 15


def test_the_problems_have_evidence_and_their_items_are_not_flagged(
    world: dict[str, Any],
) -> None:
    people, product = world["people"], world["backlog"]
    problems = world["discovery"].problems
    evidence = problem_evidence([p.pk for p in problems])
    assert all(e.customers >= 2 and e.insights >= 3 for e in evidence.values())
    assert sum(e.insights for e in evidence.values()) > 150
    assert len({e.latest_at for e in evidence.values()}) > 1
    linked = set(ProblemItem.objects.values_list("item_id", flat=True))
    assert len(linked) >= 30
    flagged = backlog_list(
        actor=people.actor("quinn"),
        product=product,
        filters=BacklogFilters(flagged=True),
        limit=500,
    ).items
    flagged_titles = {item.title for item in flagged}
    assert not {item.pk for item in flagged} & linked
    # Work nobody asked for stays flagged, on purpose.
    assert set(demo.NOBODY_ASKED) <= flagged_titles
    # Orphans a customer problem explains are flagged no more.
    assert "Funnel chart legend overlaps on narrow screens" not in flagged_titles
    assert "Move dashboard rendering to a worker pool" not in flagged_titles


def test_some_scores_take_reach_from_the_evidence(world: dict[str, Any]) -> None:
    derived = Score.objects.filter(reach_from_evidence=True).select_related("item")
    assert derived.count() >= 4
    for score in derived:
        reach = next(e for e in score.explanation["inputs"] if e["field"] == "reach")
        assert reach["source"].startswith("from evidence: ")
        assert score.inputs["reach"] >= 2
        linked = ProblemItem.objects.filter(item=score.item).select_related("problem")
        assert any(link.problem.title in reach["source"] for link in linked)


def test_the_demo_is_the_same_every_time(world: dict[str, Any]) -> None:
    first = sorted(
        Feedback.objects.values_list("text", "source", "customer__name", "captured_by__email")
    )
    # Discovery's own links (later demos link more: an outcome's follow-up items).
    titles = {title for spec in demo.PROBLEMS for title in spec.items}
    items = sorted(
        BacklogItem.objects.filter(problem_links__isnull=False, title__in=titles)
        .values_list("key", "problem_links__problem__title")
        .distinct()
    )
    Feedback.all_objects.all().delete()
    Problem.all_objects.all().delete()
    Contact.objects.all().delete()
    Customer.all_objects.all().delete()
    demo.seed(world)
    again = sorted(
        Feedback.objects.values_list("text", "source", "customer__name", "captured_by__email")
    )
    assert again == first
    assert (
        sorted(
            BacklogItem.objects.filter(problem_links__isnull=False, title__in=titles)
            .values_list("key", "problem_links__problem__title")
            .distinct()
        )
        == items
    )
