"""Importing feedback in the browser: a product manager chooses a CSV file, checks it, sees a
bad row by line and column (nothing written), fixes the column it came from, checks again and
imports; the page passes axe-core's checks in each state."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.discovery.models import Customer, Feedback
from tests.conftest import PASSWORD, Persona
from tests.e2e.test_accessibility import AXE, violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    "Verbatim;Notes;Company;Date\n"
    '"Exports take forever;\nevery single time";slow;Globex;30/11/2025\n'
    "<script>alert(1)</script>;odd;Initech;not a date\n"
)


def test_check_fix_the_columns_and_import(
    page: Any, screenshot: Any, pm: Persona, tmp_path: Path
) -> None:
    page.context.add_init_script(path=str(AXE))
    file = tmp_path / "interviews.csv"
    file.write_text(CSV, encoding="utf-8-sig")
    page.goto("/signin")
    page.get_by_label("Email").fill(pm.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))

    page.goto("/w/acme/import")
    assert violations(page) == []
    page.get_by_label("CSV file").set_input_files(str(file))
    page.get_by_role("button", name="Check the file").click()

    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("not a date")
    expect(errors.locator("tbody tr")).to_have_count(1)
    # The row above spans lines 2 and 3.
    expect(errors.locator("tbody tr td").first).to_have_text("4")
    expect(page.get_by_label("Text (required)")).to_have_value("Verbatim")
    expect(page.locator("#import-now")).to_have_count(0)
    assert violations(page) == []
    assert not Feedback.objects.exists()

    # The date column is wrong: leave it out, check again (the file is still chosen).
    page.get_by_label("Date", exact=True).select_option("")
    page.get_by_role("button", name="Check again").click()
    expect(page.locator("#import-summary")).to_contain_text(
        "an import would add 2 pieces of feedback, 2 new customers"
    )
    expect(page.locator("#import-errors")).to_have_count(0)
    screenshot("import-checked")
    assert not Feedback.objects.exists()

    page.locator("#import-now").click()
    expect(page.locator("#import-summary")).to_contain_text(
        "Imported interviews.csv: added 2 pieces of feedback, 2 new customers"
    )
    assert violations(page) == []
    assert Feedback.objects.count() == 2
    assert set(Customer.objects.values_list("name", flat=True)) == {"Globex", "Initech"}
    stored = Feedback.objects.get(customer__name="Initech")
    assert stored.text == "<script>alert(1)</script>"
    assert Feedback.objects.get(customer__name="Globex").text == (
        "Exports take forever;\nevery single time"
    )
