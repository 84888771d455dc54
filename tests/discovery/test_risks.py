"""Product risks and experiments through the services: the four risks of a problem or an epic,
experiments and their rules, what they add to a problem's evidence, and the Definition of
Ready's value-risk check. Each refusal names the field to fix and writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.selectors import item_readiness
from lodestar.core.errors import Forbidden, Invalid, NotFound, StaleVersion
from lodestar.core.history import describe
from lodestar.core.models import HistoryEntry
from lodestar.core.trash import trash_move
from lodestar.discovery import risk_services as services
from lodestar.discovery import services as discovery
from lodestar.discovery.access import access_experiment, access_problem
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.models import Problem
from lodestar.discovery.risk_models import Experiment, ProductRisk
from lodestar.discovery.risk_selectors import subject_risks
from lodestar.discovery.selectors import problem_evidence
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.conftest import Persona


@pytest.fixture
def product(owner: Persona) -> Product:
    return strategy.product_create(actor=owner.actor, key="ACME", name="Acme Analytics")


@pytest.fixture
def problem(pm: Persona, product: Product) -> Problem:
    return discovery.problem_create(actor=pm.actor, title="Exports are slow", product=product)


@pytest.fixture
def epic(pm: Persona, product: Product) -> BacklogItem:
    return backlog.item_create(actor=pm.actor, product=product, title="Exports", kind="epic")


def _field(exc: pytest.ExceptionInfo[Invalid]) -> str:
    return exc.value.errors[0].field


def _statuses(subject: Problem | BacklogItem) -> dict[str, str]:
    return {risk.kind: risk.status for risk in subject_risks(subject)}


# -- risks ---------------------------------------------------------------------------------------


def test_a_risk_never_set_is_unknown_with_version_0(problem: Problem) -> None:
    risks = subject_risks(problem)
    assert [r.kind for r in risks] == ["value", "usability", "feasibility", "viability"]
    assert {r.status for r in risks} == {"unknown"}
    assert {r.version for r in risks} == {0}
    assert risks[3].label == "Business viability"


def test_setting_a_risk_records_its_history_in_words(pm: Persona, problem: Problem) -> None:
    risk = services.risk_set(actor=pm.actor, subject=problem, kind="value", status="testing")
    assert risk.version == 1
    assert _statuses(problem)["value"] == "testing"
    entry = HistoryEntry.objects.get(object_type="discovery.productrisk", object_id=risk.pk)
    assert entry.changes == {"status": ["unknown", "testing"]}
    assert describe(entry) == "marked the Value risk of “Exports are slow” testing"
    services.risk_set(actor=pm.actor, subject=problem, kind="value", note="Fake door: 9%")
    risk.refresh_from_db()
    assert risk.version == 2
    assert risk.status == "testing"  # left as it was
    assert "<p>Fake door: 9%</p>" in risk.note_html


def test_addressed_needs_evidence(pm: Persona, problem: Problem) -> None:
    with pytest.raises(Invalid) as exc:
        services.risk_set(actor=pm.actor, subject=problem, kind="value", status="addressed")
    assert _field(exc) == "note"
    assert exc.value.code == Code.RISK_EVIDENCE_MISSING
    assert not ProductRisk.objects.exists()


def test_a_risk_is_addressed_by_an_experiment_linked_to_the_same_problem(
    pm: Persona, product: Product, problem: Problem
) -> None:
    other = discovery.problem_create(actor=pm.actor, title="Search misses typos")
    experiment = services.experiment_create(
        actor=pm.actor, product=product, title="Export interviews", problems=[other]
    )
    with pytest.raises(Invalid) as exc:
        services.risk_set(
            actor=pm.actor,
            subject=problem,
            kind="value",
            status="addressed",
            experiment=experiment,
        )
    assert _field(exc) == "experiment"
    assert exc.value.code == Code.RISK_EXPERIMENT_INVALID
    services.experiment_link(actor=pm.actor, experiment=experiment, problems=[problem])
    risk = services.risk_set(
        actor=pm.actor, subject=problem, kind="value", status="addressed", experiment=experiment
    )
    assert risk.experiment == experiment
    assert subject_risks(problem)[0].experiment == experiment
    entry = HistoryEntry.objects.filter(object_type="discovery.productrisk").latest("id")
    assert describe(entry) == (
        "marked the Value risk of “Exports are slow” addressed (by “Export interviews”)"
    )
    # Unlinking the experiment takes it out of the evidence: with no note, back to testing.
    services.experiment_unlink(actor=pm.actor, experiment=experiment, problem=problem)
    risk.refresh_from_db()
    assert (risk.status, risk.experiment) == ("testing", None)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"kind": "price"}, "kind", Code.RISK_KIND_INVALID),
        ({"status": "done"}, "status", Code.RISK_STATUS_INVALID),
    ],
)
def test_unknown_kind_or_status_is_refused(
    pm: Persona, problem: Problem, fields: dict[str, str], field: str, code: str
) -> None:
    with pytest.raises(Invalid) as exc:
        services.risk_set(actor=pm.actor, subject=problem, **{"kind": "value", **fields})
    assert _field(exc) == field
    assert exc.value.code == code
    assert not ProductRisk.objects.exists()


def test_risks_are_on_epics_only(pm: Persona, product: Product, epic: BacklogItem) -> None:
    story = backlog.item_create(actor=pm.actor, product=product, title="CSV export")
    with pytest.raises(Invalid) as exc:
        services.risk_set(actor=pm.actor, subject=story, kind="value", status="testing")
    assert _field(exc) == "item"
    assert exc.value.code == Code.RISK_SUBJECT_INVALID
    assert "is a story" in exc.value.errors[0].message
    services.risk_set(actor=pm.actor, subject=epic, kind="feasibility", status="testing")
    assert _statuses(epic)["feasibility"] == "testing"


def test_stale_version_is_refused(pm: Persona, problem: Problem) -> None:
    services.risk_set(actor=pm.actor, subject=problem, kind="value", status="testing")
    with pytest.raises(StaleVersion):
        services.risk_set(
            actor=pm.actor, subject=problem, kind="value", status="unknown", expected_version=0
        )
    with pytest.raises(StaleVersion):
        services.risk_set(
            actor=pm.actor, subject=problem, kind="usability", status="testing", expected_version=3
        )
    assert _statuses(problem) == {
        "value": "testing",
        "usability": "unknown",
        "feasibility": "unknown",
        "viability": "unknown",
    }


def test_other_workspace_and_viewers_are_refused(
    pm: Persona, viewer: Persona, outsider: Persona, problem: Problem, product: Product
) -> None:
    with pytest.raises(NotFound):
        access_problem(outsider.actor, problem.pk)
    with pytest.raises(Invalid) as exc:
        services.risk_set(actor=outsider.actor, subject=problem, kind="value", status="testing")
    assert _field(exc) == "problem"
    with pytest.raises(Forbidden):
        services.risk_set(actor=viewer.actor, subject=problem, kind="value", status="testing")
    experiment = services.experiment_create(actor=pm.actor, product=product, title="Survey")
    with pytest.raises(NotFound):
        access_experiment(outsider.actor, experiment.pk)
    assert not ProductRisk.objects.exists()


# -- experiments ---------------------------------------------------------------------------------


def test_an_experiment_runs_and_concludes(pm: Persona, product: Product, problem: Problem) -> None:
    experiment = services.experiment_create(
        actor=pm.actor,
        product=product,
        title="Pricing page fake door",
        hypothesis="Admins **will** pay for faster exports",
        method="fake_door",
        success_signal="5% click through",
        problems=[problem],
    )
    assert (experiment.status, experiment.result, experiment.started_on) == ("planned", "", None)
    assert "<strong>will</strong>" in experiment.hypothesis_html
    services.experiment_update(actor=pm.actor, experiment=experiment, status="running")
    assert experiment.started_on == timezone.localdate()
    with pytest.raises(Invalid) as exc:
        services.experiment_update(actor=pm.actor, experiment=experiment, status="concluded")
    assert _field(exc) == "result"
    services.experiment_update(
        actor=pm.actor,
        experiment=experiment,
        status="concluded",
        result="validated",
        result_text="9% clicked",
        expected_version=experiment.version,
    )
    experiment.refresh_from_db()
    assert (experiment.status, experiment.result) == ("concluded", "validated")
    assert experiment.ended_on == timezone.localdate()
    entry = HistoryEntry.objects.filter(object_type="discovery.experiment").latest("id")
    assert describe(entry) == "concluded the experiment “Pricing page fake door”: validated"
    # Reopened, the result it had no longer holds.
    services.experiment_update(actor=pm.actor, experiment=experiment, status="running")
    experiment.refresh_from_db()
    assert experiment.result == ""


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"title": "  "}, "title", Code.EXPERIMENT_INVALID),
        ({"method": "guess"}, "method", Code.EXPERIMENT_METHOD_INVALID),
        ({"status": "done"}, "status", Code.EXPERIMENT_STATUS_INVALID),
        ({"status": "concluded", "result": "great"}, "result", Code.EXPERIMENT_RESULT_INVALID),
        ({"status": "running", "result": "validated"}, "result", Code.EXPERIMENT_RESULT_INVALID),
        (
            {"started_on": dt.date(2026, 3, 2), "ended_on": dt.date(2026, 3, 1)},
            "ended_on",
            Code.EXPERIMENT_DATES_INVALID,
        ),
        ({"started_on": dt.date(1900, 1, 1)}, "started_on", Code.EXPERIMENT_DATES_INVALID),
    ],
)
def test_bad_experiments_are_refused(
    pm: Persona, product: Product, fields: dict[str, object], field: str, code: str
) -> None:
    with pytest.raises(Invalid) as exc:
        services.experiment_create(actor=pm.actor, product=product, **{"title": "T", **fields})  # type: ignore[arg-type]
    assert _field(exc) == field
    assert exc.value.code == code
    assert not Experiment.all_objects.exists()


def test_items_of_another_product_are_refused(pm: Persona, product: Product) -> None:
    other = Product.objects.create(workspace_id=pm.actor.workspace_id, key="OTHER", name="Other")
    item = backlog.item_create(actor=pm.actor, product=other, title="Elsewhere")
    with pytest.raises(Invalid) as exc:
        services.experiment_create(actor=pm.actor, product=product, title="T", items=[item])
    assert _field(exc) == "items[0]"
    assert not Experiment.all_objects.exists()


def test_experiments_count_as_a_problems_evidence(
    pm: Persona, product: Product, problem: Problem
) -> None:
    assert problem_evidence([problem.pk])[problem.pk].experiments.total == 0
    for title, result in (("A", "validated"), ("B", "invalidated"), ("C", "")):
        services.experiment_create(
            actor=pm.actor,
            product=product,
            title=title,
            status="concluded" if result else "running",
            result=result,
            problems=[problem],
        )
    trashed = services.experiment_create(
        actor=pm.actor, product=product, title="D", problems=[problem]
    )
    trash_move(actor=pm.actor, obj=trashed)
    counts = problem_evidence([problem.pk])[problem.pk].experiments
    assert (counts.total, counts.running, counts.concluded) == (3, 1, 2)
    assert (counts.validated, counts.invalidated) == (1, 1)
    # Experiments are shown beside the customers; they do not make customers or ARR.
    evidence = problem_evidence([problem.pk])[problem.pk]
    assert (evidence.customers, evidence.arr) == (0, Decimal("0.00"))


# -- the Definition of Ready ---------------------------------------------------------------------


def _value_check(item: BacklogItem) -> tuple[str, str] | None:
    item.refresh_from_db()
    for check in item_readiness(item).checks:
        if check.code == "value_risk":
            return check.status, check.detail
    return None


def test_the_definition_of_ready_can_require_the_value_risk_addressed(
    pm: Persona, owner: Persona, product: Product, problem: Problem, epic: BacklogItem
) -> None:
    story = backlog.item_create(
        actor=pm.actor, product=product, title="CSV export", parent=epic, estimate=Decimal(8)
    )
    small = backlog.item_create(
        actor=pm.actor, product=product, title="Button", parent=epic, estimate=Decimal(2)
    )
    assert _value_check(story) is None  # off by default
    strategy.product_update(
        actor=owner.actor, product=product, definition_of_ready={"value_risk_above_points": 5}
    )
    status, detail = _value_check(story)  # type: ignore[misc]
    assert status == "failed"
    assert "epic ACME-1" in detail
    assert _value_check(small) == (
        "passed",
        "2 points: at most 5, the check does not apply",
    )
    # Addressed on a problem the story solves: ready as far as this check goes.
    discovery.problem_items_link(actor=pm.actor, problem=problem, items=[story])
    services.risk_set(
        actor=pm.actor, subject=problem, kind="value", status="addressed", note="12 interviews"
    )
    assert _value_check(story) == ("passed", "value risk addressed on problem “Exports are slow”")


def test_an_epics_value_risk_covers_its_stories_and_tasks(
    pm: Persona, owner: Persona, product: Product, epic: BacklogItem
) -> None:
    strategy.product_update(
        actor=owner.actor, product=product, definition_of_ready={"value_risk_above_points": 0}
    )
    story = backlog.item_create(
        actor=pm.actor, product=product, title="CSV export", parent=epic, estimate=Decimal(3)
    )
    task = backlog.item_create(
        actor=pm.actor, product=product, title="Stream rows", kind="task", parent=story
    )
    backlog.item_update(actor=pm.actor, item=task, estimate=Decimal(1))
    loose = backlog.item_create(actor=pm.actor, product=product, title="Loose", estimate=Decimal(3))
    assert _value_check(task)[0] == "failed"  # type: ignore[index]
    services.risk_set(
        actor=pm.actor, subject=epic, kind="value", status="addressed", note="Fake door: 9%"
    )
    assert _value_check(task) == ("passed", "value risk addressed on epic ACME-1")
    assert _value_check(story) == ("passed", "value risk addressed on epic ACME-1")
    status, detail = _value_check(loose)  # type: ignore[misc]
    assert status == "failed"
    assert detail.startswith("no epic or problem carries its value risk")


def test_the_value_risk_threshold_is_checked(owner: Persona, product: Product) -> None:
    for bad in (-1, 1001, "8", True):
        with pytest.raises(Invalid) as exc:
            strategy.product_update(
                actor=owner.actor,
                product=product,
                definition_of_ready={"value_risk_above_points": bad},
            )
        assert _field(exc) == "definition_of_ready.value_risk_above_points"


def test_the_value_risk_check_costs_three_queries_at_most_when_on(
    pm: Persona,
    owner: Persona,
    product: Product,
    problem: Problem,
    epic: BacklogItem,
    django_assert_max_num_queries: Any,
) -> None:
    task_parent = backlog.item_create(
        actor=pm.actor, product=product, title="CSV", parent=epic, estimate=Decimal(8)
    )
    discovery.problem_items_link(actor=pm.actor, problem=problem, items=[task_parent])
    task_parent.refresh_from_db()
    with django_assert_max_num_queries(10) as off:
        item_readiness(task_parent)
    strategy.product_update(
        actor=owner.actor, product=product, definition_of_ready={"value_risk_above_points": 5}
    )
    task_parent.refresh_from_db()
    # The epic one level up, the item's problems, the addressed risk: three more at most.
    with django_assert_max_num_queries(len(off.captured_queries) + 3):
        item_readiness(task_parent)
