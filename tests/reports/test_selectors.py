"""``stakeholder_report``: what each section holds for the period, and nothing outside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lodestar.reports import selectors
from lodestar.reports.selectors import stakeholder_report
from tests.conftest import Persona
from tests.reports.conftest import HOSTILE, SINCE, TODAY, UNTIL, World

pytestmark = pytest.mark.django_db


def test_every_section_holds_the_period_only(owner: Persona, world: World) -> None:
    report = stakeholder_report(owner.actor, world.product, SINCE, UNTIL, today=TODAY)
    assert (report.product_key, report.since, report.until) == ("ACME", SINCE, UNTIL)

    [goal] = report.goals
    assert goal.statement == HOSTILE
    # Four items, one dropped (won't do) and so not counted, one of the other three done.
    assert (goal.items, goal.done, goal.percent) == (3, 1, 33)

    assert [s.name for s in report.sprints] == ["Sprint | 1"]
    assert report.sprints[0].goal_met is True
    assert report.sprints[0].completed_points == 8.0
    assert report.goals_met == 1

    assert [r.name for r in report.live] == ["2026.1 | Faster"]
    assert report.live[0].went_live_on == dt.date(2026, 10, 22)
    [planned] = report.planned
    assert planned.name == "2026.2 Exports"
    assert (planned.items, planned.done) == (2, 0)
    assert planned.forecast is not None
    assert planned.forecast.remaining == 2
    # No team has finished anything: the forecast says why instead of dates.
    assert planned.forecast.p85 is None
    assert "finished anything" in planned.forecast.note
    assert report.unforecast == 0

    # Decided in the period only; the proposed one and the one of September are left out.
    assert [d.title for d in report.decisions] == [" ".join(HOSTILE.split())]
    assert report.decisions[0].decision == "Stream every row."
    assert report.decisions[0].key == "ACME-D1"

    [problem] = report.problems
    assert (problem.customers, problem.arr, problem.insights) == (1, Decimal("120000.00"), 1)


def test_a_period_before_anything_happened_reports_nothing_in_it(
    owner: Persona, world: World
) -> None:
    report = stakeholder_report(
        owner.actor, world.product, dt.date(2025, 1, 1), dt.date(2025, 3, 31), today=TODAY
    )
    assert report.goals == []
    assert report.sprints == []
    assert report.live == []
    assert report.decisions == []
    # Planned releases and the problems are as they stand today, whatever the period.
    assert len(report.planned) == 1
    assert len(report.problems) == 1


def test_open_releases_are_capped_and_the_rest_counted(
    owner: Persona, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lodestar.releases import services as releases

    monkeypatch.setattr(selectors, "FORECASTS", 1)
    releases.release_create(
        actor=owner.actor, product=world.product, name="Later", target_date=dt.date(2027, 6, 1)
    )
    report = stakeholder_report(owner.actor, world.product, SINCE, UNTIL, today=TODAY)
    # In the order the teams work them: the nearest target first.
    assert [r.name for r in report.planned] == ["2026.2 Exports"]
    assert report.planned[0].forecast is not None
    assert report.unforecast == 1


def test_the_report_reads_in_a_fixed_number_of_queries(
    owner: Persona, world: World, django_assert_max_num_queries: object
) -> None:
    # 33: the coverage section's summary reads the workspace's thresholds too, and when the
    # duties nobody carried were last done before the period (two).
    with django_assert_max_num_queries(33):  # type: ignore[operator]
        stakeholder_report(owner.actor, world.product, SINCE, UNTIL, today=TODAY)


def test_the_demo_reports_its_outcomes_met_and_missed(db: None) -> None:
    from lodestar.core.registry import registry
    from lodestar.people.models import Membership
    from lodestar.people.policy import Actor
    from lodestar.strategy.models import Product

    world: dict[str, object] = {}
    for name, demo in registry().demos():
        world[name] = demo.seed(world)
    product = Product.objects.get(workspace__slug="acme", key="ACME")
    member = Membership.objects.get(workspace__slug="acme", user__email="victor@acme.example")
    viewer = Actor(user=member.user, membership=member)
    until = dt.date.today()  # noqa: DTZ011 - the demo is dated from today
    report = stakeholder_report(viewer, product, until - dt.timedelta(days=365), until)
    verdicts = {line.subject: line.verdict for line in report.outcomes}
    assert verdicts["2026.1 Faster reports"] == "met"
    assert verdicts["2025.4 Dashboard speed-up"] == "missed"
    assert report.verdicts["met"] >= 1
    assert report.verdicts["missed"] >= 1
    missed = next(line for line in report.outcomes if line.verdict == "missed")
    assert missed.learnings
    assert missed.observed_value is not None
    # In the order their windows ended.
    ends = [line.observed_until for line in report.outcomes]
    assert ends == sorted(ends)
    # A period before any window closed has none.
    early = stakeholder_report(viewer, product, dt.date(2020, 1, 1), dt.date(2020, 3, 31))
    assert early.outcomes == []
