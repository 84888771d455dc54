"""Releases and outcomes, tried as a new user would, on the demo: Priya, the product manager,
defines a metric, plans a release of finished work, sets its success criterion, writes its
notes, ticks the product's checks and takes it live; a month on, a script pushes the metric's
samples from the command line; the outcome review comes out met with its chart; she records a
decision from the release's page, writes her learnings and a follow-up item from the review in
one step, reads the missed outcome of the demo's older release, and shares the roadmap with a
stakeholder who sees no customer data."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.decisions.models import Decision
from lodestar.discovery.models import Customer, Feedback
from lodestar.outcomes.models import OutcomeReview
from lodestar.people.demo import DEMO_PASSWORD
from lodestar.releases.models import Release, ReleaseItem, ReleaseState
from tests.cli.support import run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, email: str) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))


def _samples(path: Path, live: dt.date) -> Path:
    """Four weeks before going live near 10 a day, four weeks after near 12."""
    lines = ["at,value"]
    for offset in range(-28, 29):
        if offset == 0:
            continue
        day = live + dt.timedelta(days=offset)
        level = 12.0 if offset > 0 else 10.0
        value = level + (0.3 if offset % 2 else -0.3)
        lines.append(f"{day.isoformat()}T12:00:00+02:00,{value}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_release_goes_live_and_its_outcome_is_reviewed(
    page: Any,
    browser: Any,
    live_server: Any,
    screenshot: Any,
    demo: dict[str, object],
    tmp_path: Path,
) -> None:
    finished = list(
        BacklogItem.objects.filter(product__key="ACME", status=ItemStatus.DONE)
        .exclude(pk__in=ReleaseItem.objects.values("item_id"))
        .exclude(kind="epic")
        .order_by("rank")[:2]
    )
    assert len(finished) == 2
    _sign_in(page, "priya@acme.example")

    # A metric to measure it by.
    page.goto("/w/acme/metrics/ACME")
    page.get_by_label("Key", exact=True).fill("nudge-clicks")
    page.get_by_label("Name", exact=True).fill("Checkout nudge clicks")
    page.get_by_label("Unit", exact=True).fill("clicks")
    page.get_by_role("button", name="Define metric").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout nudge clicks")

    # The release: finished work, its notes, the product's own checks.
    page.goto("/w/acme/releases/ACME/new")
    page.get_by_label("Name or version").fill("2026.3 Checkout nudges")
    page.get_by_role("button", name="Plan release").click()
    page.get_by_label(re.compile("Add items")).fill(" ".join(item.key for item in finished))
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_test_id("release-items").locator("tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator(".flash-success")).to_contain_text("Release notes saved")
    for label in ("Support has been briefed", "Changelog page updated"):
        page.get_by_role("button", name=f"Tick {label}").click()
    expect(page.get_by_test_id("unmet-count")).to_have_text("1 unmet")
    expect(page.locator("[data-check='success_criteria']")).to_contain_text(
        "No success criterion yet"
    )

    # Its success criterion: nudge clicks up 10% on the four weeks before going live; a bad
    # target is refused on the form with what was typed kept.
    page.get_by_test_id("criterion-add").click()
    page.get_by_label("Metric", exact=True).select_option("nudge-clicks")
    page.get_by_label("The target is").select_option("relative")
    page.get_by_label("Target", exact=True).fill("ten")
    page.get_by_role("button", name="Set criterion").click()
    expect(page.locator(".field.has-error .errors")).to_contain_text("Must be a number")
    expect(page.get_by_label("Target", exact=True)).to_have_value("ten")
    page.get_by_label("Target", exact=True).fill("10")
    page.get_by_role("button", name="Set criterion").click()
    criteria = page.get_by_test_id("success-criteria")
    expect(criteria).to_contain_text("Checkout nudge clicks +10% on its baseline")
    expect(page.get_by_test_id("release-state")).to_have_text("Planned")
    expect(page.locator("#checklist .badge")).to_have_text("All met")

    # Live, with every check met.
    page.get_by_role("button", name="Go live", exact=True).click()
    expect(page.get_by_test_id("release-state")).to_have_text("Live")
    release = Release.objects.get(name="2026.3 Checkout nudges")
    assert release.state == ReleaseState.LIVE
    assert not release.forced

    # A month later (the test moves the go-live back four weeks and a day), the team's script
    # pushes the metric's samples from the command line.
    went = timezone.now() - dt.timedelta(days=29)
    Release.objects.filter(pk=release.pk).update(went_live_at=went)
    pushed = run(
        "metrics",
        "push",
        "nudge-clicks",
        str(_samples(tmp_path / "clicks.csv", went.date())),
        "-w",
        "acme",
        "-p",
        "ACME",
        "--as",
        "priya@acme.example",
    )
    assert pushed.exit_code == 0, pushed.output
    assert "Pushed 56 samples" in pushed.stdout

    # Evaluated (the worker does it hourly; she does not wait): met, with its chart.
    page.reload()
    page.get_by_role("button", name="Evaluate now").click()
    expect(page.locator(".flash-success")).to_contain_text("met")
    page.get_by_test_id("criterion-outcome").click()
    expect(page.get_by_test_id("outcome-verdict")).to_have_text("Met")
    expect(page.get_by_test_id("outcome-reason")).to_contain_text("past the target")
    expect(page.get_by_test_id("outcome-test")).to_contain_text("Welch")
    expect(page.locator("figure svg").first).to_be_visible()
    screenshot("outcome-met")

    # Learnings and a follow-up item, in one step.
    page.get_by_label("Learnings", exact=True).fill("Nudges work: clicks rose about 20%.")
    page.get_by_label(re.compile("Follow-up items")).fill("Nudge on the pricing page too")
    page.get_by_role("button", name="Save learnings and follow-ups").click()
    expect(page.get_by_test_id("outcome-follow-ups")).to_contain_text(
        "Nudge on the pricing page too"
    )
    review = OutcomeReview.objects.get(criterion__release=release)
    assert review.verdict == "met"
    follow_up = review.follow_ups.get()
    assert list(follow_up.labels.values_list("name", flat=True)) == ["outcome-follow-up"]

    # A decision, recorded from the release's page.
    page.goto(f"/w/acme/releases/ACME/{release.pk}")
    page.get_by_text("Record a decision").click()
    page.locator("[id^='dc-title-release']").fill("Roll nudges out to every plan")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_test_id("object-decisions")).to_contain_text("Roll nudges out to every plan")
    assert Decision.objects.filter(title="Roll nudges out to every plan").exists()

    # The demo's older release missed its outcome: its review says so, with the follow-ups.
    page.goto("/w/acme/outcomes/ACME?verdict=missed")
    page.get_by_role("link", name=re.compile("Dashboard load time")).click()
    expect(page.get_by_test_id("outcome-verdict")).to_have_text("Missed")
    expect(page.get_by_test_id("outcome-follow-ups")).to_contain_text(
        "Cache dashboard tiles per tenant"
    )
    screenshot("outcome-missed")

    # The roadmap, shared with a stakeholder who sees no customer data.
    page.goto("/w/acme/releases/ACME/roadmap")
    page.get_by_label("For whom").fill("Investors")
    page.get_by_role("button", name="Make a link").click()
    link = page.locator("#new-link").input_value()
    visitor = browser.new_context(base_url=live_server.url)
    try:
        public = visitor.new_page()
        answer = public.goto(link)
        assert answer is not None
        assert answer.status == 200
        expect(public.locator("#roadmap-timeline")).to_be_visible()
        html = public.content()
        customers = list(Customer.objects.values_list("name", flat=True))
        assert customers
        for name in customers:
            assert name not in html, name
        for text in Feedback.objects.values_list("text", flat=True)[:200]:
            assert text[:40] not in html
        assert "ARR" not in html
        public.screenshot(path=str(tmp_path / "shared.png"), full_page=True)
    finally:
        visitor.close()
