"""A problem's evidence is computed from its insights: distinct customers and contacts, their
ARR counted once per customer, the split by segment, the count, the latest and the trend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.selectors import flag_reason, is_flagged
from lodestar.core.trash import trash_move
from lodestar.discovery import services
from lodestar.discovery.models import Customer
from lodestar.discovery.selectors import TREND_WEEKS, problem_evidence, problem_reach
from tests.conftest import Persona
from tests.discovery.conftest import Capture


def test_evidence_counts_each_customer_once(
    pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    problem = services.problem_create(actor=pm.actor, title="Exports are slow")
    other = services.problem_create(actor=pm.actor, title="Nobody asked")
    ana = services.contact_create(actor=pm.actor, customer=customers["globex"], name="Ana")
    bo = services.contact_create(actor=pm.actor, customer=customers["globex"], name="Bo")
    now = timezone.now()
    said = [
        capture(customer=customers["globex"], contact=ana, received_at=now - dt.timedelta(days=3)),
        capture(customer=customers["globex"], contact=bo, received_at=now - dt.timedelta(days=10)),
        capture(customer=customers["initech"], received_at=now - dt.timedelta(days=40)),
        capture(customer=customers["hooli"], received_at=now - dt.timedelta(days=200)),
        capture(received_at=now - dt.timedelta(days=1)),  # nobody known
    ]
    for feedback in said:
        services.insight_create(
            actor=pm.actor, feedback=feedback, quote="slow export", problems=[problem]
        )
    evidence = problem_evidence([problem.pk, other.pk])
    found = evidence[problem.pk]
    assert found.customers == 3
    assert found.contacts == 2
    assert found.insights == 5
    assert found.arr == Decimal("129000.00")  # Globex once, Initech; Hooli has none
    assert found.latest_at == said[4].received_at
    by_segment = {s.segment: (s.customers, s.arr) for s in found.segments}
    assert by_segment == {
        "Enterprise": (1, Decimal("120000.00")),
        "SMB": (2, Decimal("9000.00")),
    }
    assert len(found.trend) == TREND_WEEKS
    assert sum(w.insights for w in found.trend) == 4  # the 200-day-old one is outside
    assert found.trend[-1].week == timezone.localdate() - dt.timedelta(
        days=timezone.localdate().weekday()
    )
    empty = evidence[other.pk]
    assert (empty.customers, empty.insights, empty.arr, empty.latest_at) == (
        0,
        0,
        Decimal("0.00"),
        None,
    )
    # The reach (customers and ARR alone, as the roadmap's cards read it) says the same.
    assert problem_reach([problem.pk, other.pk]) == {problem.pk: (3, Decimal("129000.00"))}
    # Trashed feedback stops counting.
    trash_move(actor=pm.actor, obj=said[0])
    trash_move(actor=pm.actor, obj=said[1])
    assert problem_evidence([problem.pk])[problem.pk].customers == 2
    assert problem_reach([problem.pk]) == {problem.pk: (2, Decimal("9000.00"))}
    assert problem_reach([]) == {}


def test_evidence_takes_four_queries_whatever_the_number_of_problems(
    pm: Persona, customers: dict[str, Customer], capture: Capture, django_assert_num_queries: Any
) -> None:
    problems = [services.problem_create(actor=pm.actor, title=f"P{n}") for n in range(5)]
    for problem in problems:
        services.insight_create(
            actor=pm.actor,
            feedback=capture(customer=customers["globex"]),
            quote="q",
            problems=[problem],
        )
    # The insights' totals, the customers by segment, the portal's voters, the experiments.
    with django_assert_num_queries(4):
        problem_evidence([p.pk for p in problems])


def test_an_item_that_solves_a_problem_is_not_flagged(
    pm: Persona, make_item: Any, goal: Any
) -> None:
    assert flag_reason() == "serves no Product Goal and solves no customer problem"
    item: BacklogItem = make_item("Faster export")
    assert is_flagged(item)
    problem = services.problem_create(actor=pm.actor, title="Exports are slow")
    services.problem_items_link(actor=pm.actor, problem=problem, items=[item])
    services.problem_items_link(
        actor=pm.actor,
        problem=services.problem_create(actor=pm.actor, title="Another"),
        items=[item],
    )
    assert not is_flagged(BacklogItem.objects.get(pk=item.pk))
    # Two problems do not make the item two rows anywhere.
    assert BacklogItem.objects.filter(pk=item.pk).count() == 1
    trash_move(actor=pm.actor, obj=problem)
