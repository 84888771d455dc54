"""The stakeholder report in the browser, on the demo: Victor, a viewer and a stakeholder,
opens ACME's report from the sidebar, picks this quarter, downloads the Markdown and opens the
printable file, which the browser shows under its own policy without a single refusal; the
page passes axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import violations
from tests.e2e.test_decisions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_stakeholder_reads_the_report_and_downloads_it(
    page: Any, demo: None, screenshot: Any
) -> None:
    sign_in(page, "victor@acme.example")
    page.get_by_role("navigation").get_by_role("link", name="Reports").first.click()
    expect(page).to_have_url(re.compile(r"/w/acme/reports/ACME$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("stakeholder update")
    quarter = page.get_by_role("navigation", name="Report periods").get_by_role("link").nth(1)
    label = quarter.inner_text()
    assert re.fullmatch(r"Q[1-4] \d{4}", label)
    quarter.click()
    expect(page.get_by_role("link", name=label)).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("report-sprint").first).to_be_visible()
    expect(page.locator("#report-velocity svg")).to_be_visible()
    screenshot("report-page")
    assert violations(page) == []

    with page.expect_download() as caught:
        page.get_by_test_id("report-markdown").click()
    download = caught.value
    assert re.fullmatch(
        r"ACME-report-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.md", download.suggested_filename
    )
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("# ACME Acme Analytics: stakeholder update\n")
    assert "## Sprints" in text
    assert "| Sprint | Team | Ended |" in text

    refusals: list[str] = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if message.type in ("error", "warning") else None
        ),
    )
    page.get_by_test_id("report-printable").click()
    expect(page).to_have_url(re.compile(r"/w/acme/reports/ACME/print\?since="))
    expect(page.locator("#report-velocity svg")).to_be_visible()
    # The inline stylesheet applied: the bars are coloured by the charts' rules.
    fill = page.locator("#report-velocity .chart-bar").first.evaluate(
        "(bar) => getComputedStyle(bar).fill"
    )
    assert fill not in ("", "none", "rgb(0, 0, 0)")
    screenshot("report-printable")
    assert refusals == []
