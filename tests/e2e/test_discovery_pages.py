"""A product manager's discovery in the browser: pasting interview notes, turning a selected
phrase (after emoji and accents) into an insight on a new problem and seeing the problem's
evidence; and triaging the feedback inbox with the keyboard alone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.discovery import services
from lodestar.discovery.models import Feedback, FeedbackState, Insight
from tests.conftest import Persona
from tests.e2e.test_backlog import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INBOX = "/w/acme/feedback"
NOTES = (
    "Interview with Zoë at Globex 👋🏽 — café call\n"
    "\n"
    "- Exporting the monthly report takes 🐢 twenty minutes every Monday\n"
    "- They paste numbers into a spreadsheet by hand\n"
)
PHRASE = "Exporting the monthly report takes 🐢 twenty minutes"

# Select ``phrase`` in the feedback's text the way a reader would (one range over the text
# nodes); the page's own script then works out the offsets.
SELECT = """(phrase) => {
  const root = document.querySelector('[data-feedback-text]');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, text.length]);
    text += node.data;
  }
  const at = text.indexOf(phrase);
  const locate = (index) => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (nodes[i][1] <= index) return [nodes[i][0], index - nodes[i][1]];
    }
  };
  const range = document.createRange();
  range.setStart(...locate(at));
  range.setEnd(...locate(at + phrase.length));
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def test_pasted_notes_become_an_insight_on_a_new_problem_with_its_evidence(
    page: Any, pm: Persona
) -> None:
    services.customer_create(actor=pm.actor, name="Globex", segment="Enterprise", arr="120000")
    sign_in(page, pm)
    page.locator(".sidebar [data-nav='discovery']").click()
    expect(page).to_have_url(re.compile(f"{INBOX}$"))
    page.locator(".page-actions").get_by_role("link", name="Capture feedback").click()
    page.get_by_label("What they said").fill(NOTES)
    page.get_by_label("Customer", exact=True).fill("Globex")
    page.get_by_role("button", name="Capture feedback").click()

    expect(page).to_have_url(re.compile(r"/w/acme/feedback/\d+$"))
    feedback = Feedback.objects.get()
    assert feedback.text == NOTES.strip()
    page.evaluate(SELECT, PHRASE)
    trigger = page.locator("[data-insight-trigger]")
    expect(trigger).to_be_visible()
    trigger.click()
    pop = page.locator("#insight-pop")
    expect(pop.locator("[data-pop-quote]")).to_have_text(PHRASE)
    pop.get_by_label("Or a new problem").fill("Monthly reports take too long to export")
    pop.get_by_role("button", name="Make insight").click()

    expect(page).to_have_url(re.compile(r"#insight-\d+$"))
    expect(page.locator("[data-feedback-text] mark")).to_have_text(PHRASE)
    insight = Insight.objects.get()
    assert insight.quote == PHRASE
    assert feedback.text[insight.start : insight.end] == PHRASE  # type: ignore[misc]

    page.locator(".dv-insights").get_by_role(
        "link", name="Monthly reports take too long to export"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Monthly reports take too long to export"
    )
    expect(page.get_by_test_id("evidence-customers")).to_have_text("1")
    expect(page.get_by_test_id("evidence-arr")).to_have_text("$120,000")
    expect(page.locator(".dv-insights blockquote")).to_have_text(PHRASE)


def test_the_inbox_is_triaged_with_the_keyboard_alone(page: Any, pm: Persona) -> None:
    globex = services.customer_create(actor=pm.actor, name="Globex")
    made = [
        services.feedback_create(actor=pm.actor, text=f"Note {n}", customer=globex)
        for n in (3, 2, 1)  # the last made is the newest: Note 1 is listed first
    ]
    sign_in(page, pm)
    page.goto(INBOX)
    expect(page.locator("#inbox-keys")).to_contain_text("t triage · e archive · l link")
    page.locator("body").press("j")
    first = page.locator(".dv-row").nth(0)
    expect(first.locator("[data-row-link]")).to_be_focused()
    page.keyboard.press("t")
    expect(page.locator("[data-row-gone]")).to_contain_text("Triaged")
    # The keyboard moves on to the next piece, which is archived in turn.
    expect(page.locator("[data-row-link]", has_text="Note 2")).to_be_focused()
    page.keyboard.press("e")
    expect(page.locator("[data-row-gone]").nth(1)).to_contain_text("Archived")
    expect(page.locator("[data-row-link]", has_text="Note 3")).to_be_focused()
    page.keyboard.press("l")
    dialog = page.get_by_role("dialog", name="Link to a problem")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Note 3")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{INBOX}/{made[0].pk}$"))
    states = {f.text: f.state for f in Feedback.objects.all()}
    assert states == {
        "Note 1": FeedbackState.TRIAGED,
        "Note 2": FeedbackState.ARCHIVED,
        "Note 3": FeedbackState.NEW,
    }


def test_every_discovery_page_fits_a_phone(page: Any, pm: Persona) -> None:
    """At 390 pixels no discovery page scrolls sideways, long words and tables included."""
    actor = pm.actor
    customer = services.customer_create(
        actor=actor, name="Globex International Holdings", segment="Enterprise", arr="120000"
    )
    services.contact_create(
        actor=actor, customer=customer, name="Zoë", email="zoe.with.a.long.address@globex.example"
    )
    feedback = services.feedback_create(
        actor=actor,
        text=NOTES + "\nhttps://example.com/" + "a-very-long-path-segment" * 8,
        customer=customer,
        tags=["export", "reports", "monday"],
    )
    problem = services.problem_create(actor=actor, title="Monthly reports take too long to export")
    start = NOTES.index(PHRASE)
    services.insight_create(
        actor=actor, feedback=feedback, start=start, end=start + len(PHRASE), problems=[problem]
    )
    sign_in(page, pm)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in [
        f"{INBOX}?state=all",
        f"{INBOX}/new",
        f"{INBOX}/{feedback.pk}",
        "/w/acme/problems",
        f"/w/acme/problems/{problem.pk}",
        "/w/acme/customers",
        f"/w/acme/customers/{customer.pk}",
    ]:
        page.goto(path)
        fits = page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth")
        assert fits, f"{path} scrolls sideways at 390 pixels"
