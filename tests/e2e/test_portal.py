"""The public portal in a browser: a visitor sends an idea and confirms it from the email, a
moderator publishes it, a second visitor votes and confirms, the count shows 1 and stays 1 when
the confirmation is replayed. Every portal page and the team's portal pages pass axe at 1440
and 390 pixels."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from lodestar.discovery import services
from lodestar.discovery.models import ProblemStatus
from lodestar.discovery.portal_models import PortalVote
from lodestar.discovery.portal_moderation import idea_create
from lodestar.discovery.portal_services import portal_update
from lodestar.strategy.models import Product
from tests.backlog.conftest import product
from tests.conftest import PASSWORD, Persona
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_accessibility import AXE, PHONE, WIDE, violations

__all__ = ["product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOME = "/portal/acme/ACME/"
LINK = re.compile(r"http://127\.0\.0\.1:\d+(/portal/\S+/confirm/\S+/)")


@pytest.fixture
def tab(browser: Any, live_server: Any) -> Any:
    """Open a fresh tab (its own cookies) with axe-core ready, at ``viewport``."""
    contexts: list[Any] = []

    def open_tab(viewport: dict[str, int] = WIDE) -> Any:
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(15_000)
        context.add_init_script(path=str(AXE))
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def _last_link() -> str:
    found = LINK.search(mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    return found.group(1)


def _sign_in(page: Any, persona: Persona) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(persona.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))


def _audit(page: Any, where: str, problems: list[str]) -> None:
    problems.extend(f"{where}: {line}" for line in violations(page))


def test_an_idea_goes_from_a_visitor_to_the_portal_and_gets_one_vote(
    tab: Any, po: Persona, product: Product
) -> None:
    assert AXE.exists()
    portal_update(
        actor=po.actor, product=product, enabled=True, title="Acme ideas", intro="Tell us."
    )
    problems: list[str] = []

    # A visitor sends an idea, on a phone.
    visitor = tab(PHONE)
    visitor.goto(HOME)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Acme ideas")
    _audit(visitor, "portal home, 390px", problems)
    visitor.get_by_label("Your idea").fill("Dark mode for <b>reports</b>")
    visitor.get_by_label("Tell us more (optional)").fill("<script>alert(1)</script>")
    visitor.get_by_label("Your email address").fill("ana@example.com")
    visitor.get_by_role("button", name="Send my idea").click()
    expect(visitor.get_by_test_id("sent")).to_contain_text("confirm your idea")
    _audit(visitor, "portal sent, 390px", problems)
    visitor.goto(_last_link())
    _audit(visitor, "portal confirm, 390px", problems)
    visitor.get_by_role("button", name="Confirm my idea").click()
    expect(visitor.get_by_test_id("done")).to_contain_text("with the team")
    _audit(visitor, "portal done, 390px", problems)

    # A moderator publishes it from the queue.
    moderator = tab()
    _sign_in(moderator, po)
    moderator.goto("/w/acme/products/ACME/portal")
    _audit(moderator, "portal setting", problems)
    moderator.get_by_test_id("queue-tab").click()
    submission = moderator.get_by_test_id("submission")
    expect(submission).to_contain_text("Dark mode for <b>reports</b>")
    expect(submission).to_contain_text("ana@example.com")
    _audit(moderator, "moderation queue", problems)
    submission.get_by_text("Publish as a new idea").click()
    submission.get_by_role("button", name="Publish", exact=True).click()
    expect(moderator.get_by_test_id("idea-row")).to_contain_text("Dark mode for <b>reports</b>")
    _audit(moderator, "moderation queue with an idea", problems)

    # A second visitor votes and confirms; the count shows 1, and stays 1 on a replay.
    voter = tab()
    voter.goto(HOME)
    idea = voter.get_by_test_id("portal-idea")
    expect(idea).to_contain_text("Dark mode for <b>reports</b>")
    expect(idea.get_by_test_id("votes")).to_have_text("0 votes")
    expect(voter.locator("script:not([src])")).to_have_count(0)
    _audit(voter, "portal home with an idea, 1440px", problems)
    idea.get_by_role("link").click()
    # The idea's own page has loaded (axe must not run on the page being left).
    expect(voter.get_by_label("Your email address")).to_be_visible()
    _audit(voter, "portal idea, 1440px", problems)
    voter.get_by_label("Your email address").fill("bo@example.com")
    voter.get_by_role("button", name="Vote").click()
    expect(voter.get_by_test_id("sent")).to_contain_text("confirm your vote")
    link = _last_link()
    voter.goto(link)
    voter.get_by_role("button", name="Confirm my vote").click()
    expect(voter.get_by_test_id("done")).to_contain_text("Thank you for voting")
    expect(voter.get_by_test_id("votes")).to_have_text("1 vote")
    voter.goto(link)
    voter.get_by_role("button", name="Confirm my vote").click()
    expect(voter.get_by_test_id("done")).to_contain_text("counts once")
    voter.goto(HOME)
    expect(voter.get_by_test_id("portal-idea").get_by_test_id("votes")).to_have_text("1 vote")
    moderator.reload()
    expect(moderator.get_by_test_id("idea-votes")).to_have_text("1")

    phone = tab(PHONE)
    phone.goto(HOME)
    _audit(phone, "portal home with an idea, 390px", problems)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the portal scrolls sideways on a phone ({width}px)"
    phone.get_by_test_id("portal-idea").get_by_role("link").click()
    expect(phone.get_by_label("Your email address")).to_be_visible()
    _audit(phone, "portal idea, 390px", problems)
    _sign_in(phone, po)
    for path in ("/w/acme/products/ACME/portal", "/w/acme/products/ACME/portal/queue"):
        phone.goto(path)
        _audit(phone, f"{path}, 390px", problems)
    assert problems == []


def test_a_moderator_links_ideas_to_a_problem_and_the_problem_shows_their_votes(
    tab: Any, po: Persona, product: Product
) -> None:
    portal_update(actor=po.actor, product=product, enabled=True, title="Acme ideas")
    actor = po.actor
    exports = services.problem_create(
        actor=actor, title="Exports time out on big accounts", description="Globex may churn."
    )
    services.problem_update(actor=actor, problem=exports, status=ProblemStatus.VALIDATED)
    services.problem_create(actor=actor, title="Search misses typos")
    existing = idea_create(actor=actor, product=product, title="Faster CSV exports")
    for email in ("a@x.co", "b@x.co"):
        PortalVote.objects.create(idea=existing, email=email, confirmed_at=timezone.now())
    visitor = Client()
    visitor.post(
        HOME + "ideas",
        {"title": "Export to Excel", "description": "", "email": "c@x.co", "website": ""},
    )
    confirm = re.search(r"http://testserver(/portal/\S+/confirm/\S+/)", mail.outbox[-1].body)
    assert confirm is not None
    assert visitor.post(confirm.group(1)).status_code == 200
    problems: list[str] = []

    moderator = tab()
    _sign_in(moderator, po)
    moderator.goto("/w/acme/products/ACME/portal/queue")
    # The submission, published and linked to the problem at once: its status follows it.
    submission = moderator.get_by_test_id("submission")
    submission.get_by_text("Publish as a new idea").click()
    submission.get_by_label("Customer problem it is").select_option(
        label="Exports time out on big accounts"
    )
    submission.get_by_role("button", name="Publish", exact=True).click()
    expect(moderator.locator("#flash")).to_contain_text(
        "linked to “Exports time out on big accounts”"
    )
    published = moderator.get_by_test_id("idea-row").filter(has_text="Export to Excel")
    expect(published.get_by_test_id("idea-problem")).to_contain_text("Exports time out")
    expect(published.get_by_test_id("idea-status-source")).to_have_text("follows the problem")
    expect(published.get_by_label("Public status of Export to Excel")).to_have_value("planned")
    # The idea already on the portal, linked from its row.
    row = moderator.get_by_test_id("idea-row").filter(has_text="Faster CSV exports")
    row.get_by_label("Customer problem of Faster CSV exports").select_option(
        label="Exports time out on big accounts"
    )
    row.get_by_role("button", name="Link Faster CSV exports").click()
    row = moderator.get_by_test_id("idea-row").filter(has_text="Faster CSV exports")
    expect(row.get_by_test_id("idea-problem")).to_contain_text("Exports time out")
    expect(row.get_by_label("Public status of Faster CSV exports")).to_have_value("planned")
    _audit(moderator, "moderation queue with linked ideas", problems)
    moderator.screenshot(path=str(_shot("portal-moderation-linked")), full_page=True)

    # The problem's page: its ideas with their votes, beside the unchanged customer evidence.
    row.get_by_role("link", name="Exports time out on big accounts").click()
    expect(moderator.get_by_test_id("evidence-votes")).to_have_text("2")
    expect(moderator.get_by_test_id("evidence-customers")).to_have_text("0")
    ideas = moderator.get_by_test_id("problem-portal-idea")
    expect(ideas).to_have_count(2)
    expect(ideas.first).to_contain_text("Faster CSV exports")
    expect(ideas.first).to_contain_text("2 votes on the portal")
    expect(ideas.nth(1)).to_contain_text("0 votes on the portal")
    _audit(moderator, "problem page with portal ideas", problems)
    moderator.screenshot(path=str(_shot("problem-portal-votes")), full_page=True)

    # The public reads the status the problem gives, and nothing of the problem.
    public = tab()
    public.goto(HOME)
    expect(public.get_by_test_id("portal-idea").first).to_contain_text("Planned")
    expect(public.locator("body")).not_to_contain_text("Exports time out")
    expect(public.locator("body")).not_to_contain_text("Globex")

    phone = tab(PHONE)
    _sign_in(phone, po)
    phone.goto("/w/acme/products/ACME/portal/queue")
    _audit(phone, "moderation queue with linked ideas, 390px", problems)
    phone.screenshot(path=str(_shot("portal-moderation-linked-phone")), full_page=True)
    phone.goto(f"/w/acme/problems/{exports.pk}")
    _audit(phone, "problem page with portal ideas, 390px", problems)
    assert problems == []


def _shot(name: str) -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
