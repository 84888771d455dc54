"""A release in the browser: the product owner plans it with the form, assigns items, sees
the unmet go-live checks named, is refused going live, and forces it with a reason, which the
release then shows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.releases import services
from lodestar.releases.models import Release, ReleaseState
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item
from tests.conftest import PASSWORD, Persona
from tests.strategy.conftest import product

__all__ = ["make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, persona: Persona) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(persona.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))


@pytest.fixture
def items(owner: Persona, product: Product, make_item: MakeItem) -> list[BacklogItem]:
    made = [
        make_item("Export dashboards as PDF", kind="story"),
        make_item("Charts cut off on phones", kind="bug"),
    ]
    backlog.item_update(actor=owner.actor, item=made[1], status="done")
    services.product_check_create(actor=owner.actor, product=product, label="Support briefed")
    return made


def test_a_release_planned_and_forced_live(
    page: Any, screenshot: Any, po: Persona, items: list[BacklogItem]
) -> None:
    sign_in(page, po)
    page.get_by_role("link", name="Releases").first.click()
    expect(page).to_have_url(re.compile(r"/w/acme/releases$"))
    page.get_by_role("link", name="ACME Acme Analytics").click()
    page.get_by_role("link", name="New release").click()

    # The form refuses an empty name in words, then plans the release.
    page.get_by_role("button", name="Plan release").click()
    expect(page.locator(".form-error")).to_contain_text("Name: must not be empty")
    page.get_by_label("Name or version").fill("2026.1 Exports")
    page.get_by_label("Target date").fill("2030-06-30")
    page.get_by_label("Description (Markdown)").fill("Exports *people trust*.")
    page.get_by_role("button", name="Plan release").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026.1 Exports")
    expect(page.get_by_test_id("release-state")).to_have_text("Planned")

    # Items assigned by key; one that does not exist is refused, naming it.
    page.get_by_label(re.compile("Add items")).fill("ACME-9")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".flash-error")).to_contain_text("no item 'ACME-9'")
    page.get_by_label(re.compile("Add items")).fill("ACME-1 acme-2")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Added ACME-1, ACME-2")
    rows = page.get_by_test_id("release-items").locator("tbody tr")
    expect(rows).to_have_count(2)

    # The checklist names what is unmet.
    checklist = page.locator("#checklist")
    expect(page.get_by_test_id("unmet-count")).to_have_text("4 unmet")
    expect(checklist).to_contain_text("1 of 2 items are neither done nor dropped: ACME-1 (new)")
    expect(checklist).to_contain_text("Support briefed")
    screenshot("release-unmet-checks")

    # Going live is refused, naming the checks.
    page.get_by_role("button", name="Go live", exact=True).click()
    errors = page.get_by_test_id("go-live-errors")
    expect(errors).to_contain_text("Every item is done or dropped")
    expect(errors).to_contain_text("Release notes are written")
    expect(errors).to_contain_text("Success criteria are defined")
    expect(errors).to_contain_text("Support briefed: Not ticked yet.")
    release = Release.objects.get()
    assert release.state == ReleaseState.PLANNED

    # Forcing without a reason is refused; with one, it goes live and says so.
    page.get_by_text("Force go-live past the unmet checks").click()
    page.get_by_role("button", name="Force go-live").click()
    expect(page.get_by_test_id("go-live-errors")).to_contain_text(
        "say why it goes live with unmet checks"
    )
    page.get_by_label("Why it goes live now").fill("The customer event is on Monday")
    page.get_by_role("button", name="Force go-live").click()
    expect(page.locator(".flash-success")).to_contain_text("is live (forced past unmet checks)")
    expect(page.get_by_test_id("release-state")).to_have_text("Live")
    forced = page.get_by_test_id("release-forced")
    expect(forced).to_contain_text("Forced live by")
    expect(forced).to_contain_text("Reason: The customer event is on Monday")
    screenshot("release-forced-live")
    release.refresh_from_db()
    assert release.forced
    assert release.forced_by == po.user
    assert release.forced_checks == [
        "Every item is done or dropped",
        "Success criteria are defined",
        "Release notes are written",
        "Support briefed",
    ]


def test_the_notes_preview(
    page: Any, owner: Persona, product: Product, items: list[BacklogItem]
) -> None:
    release = services.release_create(actor=owner.actor, product=product, name="2026.2")
    services.release_items_add(actor=owner.actor, release=release, items=items)
    sign_in(page, owner)
    page.goto(f"/w/acme/releases/ACME/{release.pk}")
    notes = page.get_by_label(re.compile("Drafted from the done items"))
    expect(notes).to_have_value(re.compile(r"## Fixed\n\n- Charts cut off on phones \(ACME-2\)"))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#notes-preview h2")).to_have_text("Fixed")
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator(".flash-success")).to_contain_text("Release notes saved")
    expect(page.get_by_test_id("release-notes").locator("h2")).to_have_text("Fixed")


def test_the_demo_releases_forecast(page: Any, screenshot: Any, demo: dict[str, object]) -> None:
    """The demo's release in progress: its forecast dates, the chance of its target date, the
    calibration record in words and the histogram; the list shows its 85% date."""
    planned = Release.objects.get(state=ReleaseState.IN_PROGRESS)
    page.goto("/signin")
    page.get_by_label("Email").fill("quinn@acme.example")
    page.get_by_label("Password").fill("lodestar-demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/w/acme/releases/ACME")
    row = page.locator(f"tr[data-release='{planned.name}']")
    expect(row).to_contain_text("In progress")
    expect(row.locator("td").nth(3).locator("time")).to_be_visible()
    row.get_by_role("link", name=planned.name).click()
    forecast = page.get_by_test_id("release-forecast")
    expect(forecast).to_contain_text("85% done by")
    expect(page.get_by_test_id("release-chance")).to_have_text(re.compile(r"^\d{1,3}%$"))
    expect(page.locator("#forecast")).to_contain_text("From the weekly throughput of Checkout")
    expect(page.locator("#forecast svg[role='img']")).to_be_visible()
    expect(page.locator("#checklist")).to_contain_text("Support has been briefed")
    screenshot("release-demo-forecast")
