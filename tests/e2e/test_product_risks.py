"""Product risks and experiments in the browser: a product manager marks a problem's value
risk "testing", plans an experiment linked to it, concludes it validated and records the risk
addressed by it; an item above the Definition of Ready's size becomes ready only then."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.discovery import services as discovery
from lodestar.discovery.risk_models import Experiment, ProductRisk
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item, product
from tests.conftest import Persona
from tests.e2e.test_backlog import sign_in

__all__ = ["make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_value_risk_addressed_by_a_validated_experiment(
    page: Any,
    screenshot: Any,
    owner: Persona,
    pm: Persona,
    product: Product,
    make_item: MakeItem,
) -> None:
    # The Definition of Ready asks for an estimate and, above 5 points, the value risk.
    strategy.product_update(
        actor=owner.actor,
        product=product,
        definition_of_ready={
            "acceptance_criteria": False,
            "serves_goal": False,
            "max_velocity_share": None,
            "value_risk_above_points": 5,
        },
    )
    problem = discovery.problem_create(
        actor=pm.actor, title="Exports time out on big workspaces", product=product
    )
    item = make_item("Stream CSV exports", estimate=Decimal(8))
    discovery.problem_items_link(actor=pm.actor, problem=problem, items=[item])
    sign_in(page, pm)

    # The value risk: testing.
    page.goto(f"/w/acme/problems/{problem.pk}")
    value = page.get_by_test_id("risk-value")
    expect(value.get_by_test_id("risk-status")).to_have_text("Unknown")
    value.get_by_text("Change").click()
    value.get_by_label("Status").select_option("testing")
    value.get_by_role("button", name="Save value risk").click()
    expect(page.locator(".flash-success")).to_contain_text("Value risk saved")
    expect(page.get_by_test_id("risk-value").get_by_test_id("risk-status")).to_have_text("Testing")

    # The item is not ready yet: its value risk is not addressed.
    page.goto(f"/w/acme/items/{item.key}")
    expect(page.get_by_test_id("readiness")).to_contain_text("Value risk addressed")
    expect(page.get_by_test_id("readiness")).to_contain_text("address the value risk")

    # An experiment planned from the problem, linked to it.
    page.goto(f"/w/acme/problems/{problem.pk}")
    page.get_by_test_id("product-risks").get_by_role("link", name="Plan an experiment").click()
    page.get_by_label("Title", exact=True).fill("Ask 8 big accounts about streamed exports")
    page.get_by_label("Method", exact=True).select_option("interview")
    page.get_by_label("Success signal").fill("6 of 8 say a streamed file would do")
    page.get_by_role("button", name="Plan experiment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ask 8 big accounts about streamed exports"
    )
    expect(page.get_by_test_id("experiment-links")).to_contain_text(problem.title)
    experiment = Experiment.objects.get()

    # Concluding it needs its result; then it is concluded, validated.
    page.get_by_label("Status", exact=True).select_option("concluded")
    page.get_by_role("button", name="Save experiment").click()
    expect(page.locator(".field.has-error")).to_contain_text("needs its result")
    page.get_by_label("Result", exact=True).select_option("validated")
    page.get_by_label("What was seen").fill("7 of 8 said yes.")
    page.get_by_role("button", name="Save experiment").click()
    expect(page.get_by_test_id("experiment-result")).to_have_text("Validated")
    screenshot("risks-experiment")

    # The value risk, addressed by the experiment.
    page.goto(f"/w/acme/problems/{problem.pk}")
    expect(page.get_by_test_id("evidence-experiments")).to_have_text("1")
    value = page.get_by_test_id("risk-value")
    value.get_by_text("Change").click()
    value.get_by_label("Status").select_option("addressed")
    value.get_by_label("Addressed by the experiment").select_option(str(experiment.pk))
    value.get_by_role("button", name="Save value risk").click()
    value = page.get_by_test_id("risk-value")
    expect(value.get_by_test_id("risk-status")).to_have_text("Addressed")
    expect(value.get_by_test_id("risk-experiment")).to_have_text(experiment.title)
    screenshot("risks-problem")
    risk = ProductRisk.objects.get(problem=problem, kind="value")
    assert (risk.status, risk.experiment_id) == ("addressed", experiment.pk)

    # Now the item may be made ready.
    page.goto(f"/w/acme/items/{item.key}")
    expect(page.get_by_test_id("readiness")).to_contain_text("value risk addressed on problem")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.locator("#item-view").get_by_label("Status").select_option("ready")
    expect(page.locator("#item-view").get_by_label("Status")).to_have_value("ready")
    assert BacklogItem.objects.get(pk=item.pk).status == ItemStatus.READY
