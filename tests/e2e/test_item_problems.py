"""The item panel's customer problems in the browser: a product owner finds a problem by its
words, links it, and sees in place the section, the flag go and the RICE reach taken from its
evidence; unlinking brings the flag back."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization import services as scoring
from lodestar.discovery import services
from lodestar.discovery.models import Problem
from tests.backlog.conftest import MakeItem, make_item, product
from tests.conftest import Persona
from tests.e2e.test_backlog import BACKLOG, sign_in

__all__ = ["make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def orphan(make_item: MakeItem, po: Persona) -> BacklogItem:
    """ACME-1, serving no goal and solving no problem, with RICE reach from evidence."""
    item = make_item("Faster CSV exports")
    scoring.score_set(
        actor=po.actor,
        item=item,
        framework="rice",
        inputs={"impact": 2, "confidence": 50, "effort": 1},
        derived=["reach"],
    )
    return item


@pytest.fixture
def exports(pm: Persona) -> Problem:
    actor = pm.actor
    problem = services.problem_create(actor=actor, title="Exports time out on big accounts")
    for name, arr in (("Globex", 120_000), ("Initech", 9_000)):
        customer = services.customer_create(actor=actor, name=name, segment="SMB", arr=arr)
        feedback = services.feedback_create(
            actor=actor, text="The CSV export times out every Monday.", customer=customer
        )
        services.insight_create(
            actor=actor, feedback=feedback, quote="export times out", problems=[problem]
        )
    services.problem_create(actor=actor, title="Search misses typos")
    return problem


def test_the_product_owner_links_a_problem_from_the_panel(
    page: Any, screenshot: Any, po: Persona, orphan: BacklogItem, exports: Problem
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    page.locator("#row-ACME-1").get_by_role("link").click()
    panel = page.locator("#item-panel")
    section = panel.get_by_test_id("item-problems")
    expect(panel.get_by_test_id("flag")).to_be_visible()
    expect(section).to_contain_text("Solves no customer problem yet.")
    expect(panel.get_by_test_id("explain-rice")).to_contain_text("no linked problems yet")

    section.get_by_label("Link a problem").fill("export")
    results = section.get_by_test_id("problem-results")
    expect(results).to_contain_text("Exports time out on big accounts")
    expect(results).not_to_contain_text("Search misses typos")
    with page.expect_response(lambda r: "/link" in r.url and r.request.method == "POST") as sent:
        results.get_by_role("button", name="Link Exports time out on big accounts").click()
    # The answer is the section itself, swapped in place: no reload, no reopening.
    assert sent.value.status == 200
    assert "Exports time out on big accounts" in sent.value.text()
    assert sent.value.headers["hx-trigger"] == "backlog-changed"
    row = section.get_by_test_id("item-problem")
    expect(row).to_contain_text("2 customers")
    expect(row).to_contain_text("USD 129k ARR")
    expect(section.get_by_test_id("item-reach")).to_contain_text("2 customers")
    # After the swap the item's view reloads for the rest: no flag, reach from evidence.
    expect(panel.get_by_test_id("flag")).to_have_count(0)
    explain = panel.get_by_test_id("explain-rice")
    expect(explain).to_contain_text("2 x 2 x 50% / 1 = 2")
    expect(explain).to_contain_text(
        "from evidence: 2 customers behind 'Exports time out on big accounts'"
    )
    # The list's row follows: no longer flagged.
    expect(page.locator("#row-ACME-1 .bl-flag")).to_have_count(0)
    screenshot("item-panel-problems")

    # Unlinking swaps the section in place too, and the item is flagged again.
    with page.expect_response(lambda r: "/unlink" in r.url and r.request.method == "POST") as sent:
        section.get_by_role("button", name="Unlink Exports time out on big accounts").click()
    assert sent.value.status == 200
    expect(section).to_contain_text("Solves no customer problem yet.")
    expect(panel.get_by_test_id("flag")).to_be_visible()
    expect(page.locator("#row-ACME-1 .bl-flag")).to_have_count(1)
    # And the item, reopened, says the same.
    page.reload()
    expect(section).to_contain_text("Solves no customer problem yet.")
    expect(panel.get_by_test_id("flag")).to_be_visible()
