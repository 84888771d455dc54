"""Each duty's activities as the services record them today: the conditions of
``coverage/duties.py`` read what the services actually write, so a change in what a service
records shows up here."""

from __future__ import annotations

import pytest

from lodestar.backlog import services as backlog
from lodestar.coverage.selectors import Coverage, coverage_for
from lodestar.discovery import risk_services
from lodestar.discovery import services as discovery
from lodestar.outcomes import services as outcomes
from lodestar.releases import roadmap
from lodestar.releases import services as releases
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def done(coverage: Coverage, duty: str) -> dict[str, dict[str, int]]:
    row = next(row for row in coverage.duties if row.duty.key == duty)
    return {carrier.email: carrier.activities for carrier in row.people}


def test_every_duty_from_its_service(
    owner: Persona, po: Persona, pm: Persona, product: Product
) -> None:
    # Pulls research together: an insight and a problem validated.
    feedback = discovery.feedback_create(
        actor=pm.actor, text="Exports time out", source="support", product=product
    )
    problem = discovery.problem_create(actor=pm.actor, title="Slow exports", product=product)
    discovery.insight_create(
        actor=pm.actor, feedback=feedback, quote="Exports time out", problems=[problem]
    )
    discovery.problem_update(actor=pm.actor, problem=problem, status="validated")
    # Keeps the goal clear: set, reworded, closed; an item linked to the new one.
    goal = strategy.goal_set(actor=po.actor, product=product, statement="Fast exports")
    strategy.goal_update(actor=po.actor, goal=goal, statement="Exports in seconds")
    second = strategy.goal_set(actor=po.actor, product=product, statement="Self-serve")
    epic = backlog.item_create(actor=owner.actor, product=product, title="Exports", kind="epic")
    backlog.item_update(actor=po.actor, item=epic, goal=second)
    # Helps break work down: a split.
    backlog.item_split(actor=pm.actor, item=epic, children=[backlog.ChildSpec("CSV")])
    story = backlog.item_create(
        actor=owner.actor, product=product, title="PDF", estimate=3, goal=second
    )
    backlog.item_update(actor=pm.actor, item=story, acceptance_criteria=["A PDF downloads"])
    backlog.item_update(actor=pm.actor, item=story, status="ready")
    # Analyses data and measures success: a metric, a success criterion.
    metric = outcomes.metric_create(
        actor=pm.actor, product=product, key="export-time", name="Export time", direction="lower"
    )
    release = releases.release_create(actor=po.actor, product=product, name="2026.2")
    outcomes.criterion_create(
        actor=pm.actor,
        product=product,
        metric=metric,
        target=5,
        target_kind="absolute",
        release=release,
    )
    # Works with stakeholders: the roadmap and a share link.
    roadmap.roadmap_entry_add(
        actor=po.actor, product=product, type="release", target=str(release.pk), lane="now"
    )
    roadmap.roadmap_share_create(actor=po.actor, product=product, label="Board")
    # Decides when it goes live: past the unmet checks, with a reason.
    releases.release_go_live(actor=po.actor, release=release, force=True, reason="Launch day")
    # Analyses data: the outcome evaluated on demand; measures success: learnings written, then
    # follow-up items made on their own.
    [review] = outcomes.outcomes_evaluate(actor=pm.actor, product=product, release=release)
    review = outcomes.review_conclude(actor=pm.actor, review=review, learnings="Faster, not fast")
    outcomes.review_conclude(actor=pm.actor, review=review, follow_ups=["Cache exports"])

    coverage = coverage_for(owner.actor, product=product)

    assert done(coverage, "talk_to_customers") == {"pm@acme.test": {"feedback_captured": 1}}
    assert done(coverage, "pull_research_together") == {
        "pm@acme.test": {"insight_made": 1, "problem_validated": 1}
    }
    assert done(coverage, "keep_goal_clear") == {
        "po@acme.test": {"goal_set": 2, "goal_reworded": 1, "goal_closed": 1, "goal_linked": 1}
    }
    assert done(coverage, "break_work_down") == {
        "pm@acme.test": {"item_split": 1, "criteria_written": 1, "item_made_ready": 1}
    }
    assert done(coverage, "analyse_data") == {
        "pm@acme.test": {"metric_defined": 1, "outcome_evaluated": 1}
    }
    assert done(coverage, "measure_success") == {
        "pm@acme.test": {"criterion_set": 1, "learnings_written": 1, "follow_ups_created": 1}
    }
    assert done(coverage, "work_with_stakeholders") == {
        "po@acme.test": {"roadmap_updated": 1, "share_link_created": 1}
    }
    assert done(coverage, "decide_go_live") == {"po@acme.test": {"go_live_override": 1}}


def test_experiments_count_as_research_and_data_work(
    owner: Persona, pm: Persona, product: Product
) -> None:
    interviews = risk_services.experiment_create(
        actor=pm.actor, product=product, title="Export interviews", status="running"
    )
    risk_services.experiment_update(
        actor=pm.actor, experiment=interviews, status="concluded", result="validated"
    )
    risk_services.experiment_create(
        actor=owner.actor,
        product=product,
        title="Old A/B test of the export button",
        method="ab_test",
        status="concluded",
        result="invalidated",
    )
    risk_services.experiment_create(
        actor=pm.actor, product=product, title="Export funnel", method="data_analysis"
    )

    coverage = coverage_for(owner.actor, product=product)

    assert done(coverage, "pull_research_together") == {
        "pm@acme.test": {"experiment_concluded": 1},
        "owner@acme.test": {"experiment_recorded_concluded": 1},
    }
    assert done(coverage, "analyse_data") == {
        "owner@acme.test": {"data_experiment_planned": 1},
        "pm@acme.test": {"data_experiment_planned": 1},
    }
