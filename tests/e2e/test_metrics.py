"""Metrics in the browser: a developer defines a metric, uploads a CSV file with bad lines
(each listed, nothing imported), fixes it and uploads again, and sees the daily series drawn
with its table; each state passes axe-core's checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.outcomes.models import MetricSample
from lodestar.strategy.models import Product
from tests.conftest import PASSWORD, Persona
from tests.e2e.test_accessibility import AXE, violations
from tests.strategy.conftest import product

__all__ = ["product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BAD = "at,value\n2026-03-02T09:00:00Z,3.1\n2026-03-03T09:00:00,3.2\n2026-03-04T09:00:00Z,lots\n"


def test_define_a_metric_upload_samples_and_see_the_chart(
    page: Any, screenshot: Any, developer: Persona, product: Product, tmp_path: Path
) -> None:
    page.context.add_init_script(path=str(AXE))
    page.goto("/signin")
    page.get_by_label("Email").fill(developer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))

    page.get_by_role("link", name="Metrics").first.click()
    page.get_by_role("link", name="All metrics of ACME").click()
    expect(page.get_by_role("heading", name="Metrics of Acme Analytics")).to_be_visible()
    assert violations(page) == []
    page.get_by_label("Key", exact=True).fill("conversion")
    page.get_by_label("Name", exact=True).fill("Checkout conversion")
    page.get_by_label("Unit", exact=True).fill("%")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_role("button", name="Define metric").click()
    expect(page).to_have_url(re.compile(r"/metrics/ACME/conversion$"))
    expect(page.locator(".chart-empty")).to_contain_text("No samples yet")

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD)
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload").click()
    errors = page.locator("#upload-errors")
    expect(errors).to_contain_text("Line 3, at: '2026-03-03T09:00:00' has no time zone")
    expect(errors).to_contain_text("Line 4, value: 'lots' is not a number")
    assert violations(page) == []
    screenshot("metrics-upload-refused")
    assert not MetricSample.objects.exists()

    good = tmp_path / "good.csv"
    good.write_text(
        "at,value\n"
        + "".join(f"2026-03-{day:02d}T09:00:00+01:00,{3 + day / 10}\n" for day in range(1, 15))
    )
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Imported 14 samples (14 new, 0 replaced).")).to_be_visible()
    chart = page.locator("figure[data-chart='series']")
    expect(chart.locator("svg")).to_be_visible()
    expect(chart.locator(".chart-summary")).to_contain_text("4.4% on 14 Mar 2026")
    chart.get_by_text("Show the data as a table").click()
    expect(chart.locator("tbody tr")).to_have_count(14)
    assert violations(page) == []
    screenshot("metrics-chart")
    assert MetricSample.objects.count() == 14

    # The lists, now with a metric in them.
    page.goto("/w/acme/metrics/ACME")
    expect(page.get_by_role("link", name="Checkout conversion")).to_be_visible()
    assert violations(page) == []
    page.goto("/w/acme/metrics")
    expect(page.get_by_role("link", name="Checkout conversion")).to_be_visible()
    assert violations(page) == []
