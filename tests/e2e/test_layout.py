"""Nothing on the item panel runs over its neighbour: a weighted scorecard input's meaning
("on 1-5, lower is better: 75/100") stays inside its column, beside the input's source."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.people.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Each badge's right edge against its cell's, and its cell's against the next cell's left edge.
OVERRUNS = """cards => cards.flatMap(card => Array.from(card.querySelectorAll('tbody td .badge'))
  .map(badge => {
    const cell = badge.closest('td');
    const next = cell.nextElementSibling;
    const right = badge.getBoundingClientRect().right;
    return right - Math.min(cell.getBoundingClientRect().right,
                            next ? next.getBoundingClientRect().left : Infinity);
  }))"""


@pytest.mark.parametrize("width", [1440, 390])
def test_the_weighted_scorecard_inputs_stay_in_their_columns(
    page: Any, demo: None, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/signin")
    page.get_by_label("Email").fill("quinn@acme.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/w/acme/products/ACME/backlog")
    page.locator("#row-ACME-2 [data-item-link]").click()
    card = page.locator("#item-panel .score-card[data-framework='scorecard']")
    expect(card.locator(".badge").filter(has_text="lower is better")).to_be_visible()
    overruns: list[float] = card.evaluate_all(OVERRUNS)
    assert overruns, "no scorecard inputs were shown"
    assert max(overruns) <= 0.5, overruns
