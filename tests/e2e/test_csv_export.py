"""Exporting a filtered backlog: the Export CSV link keeps the filter the list shows, and the
file that downloads holds exactly the rows the page lists."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem, ItemKind
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, product
from tests.conftest import Persona
from tests.e2e.test_backlog import BACKLOG, shown_keys, sign_in

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def backlog(make_item: MakeItem, goal: ProductGoal) -> list[BacklogItem]:
    return [
        make_item("Dashboard templates", goal=goal),
        make_item("=Chart tooltip shows UTC", kind=ItemKind.BUG, estimate="3"),
        make_item("Weekly digest email"),
        make_item('CSV export drops rows, "sometimes"', kind=ItemKind.BUG, labels=["api", "ux"]),
    ]


def test_the_filtered_backlog_downloads_as_the_rows_it_shows(
    page: Any,
    screenshot: Any,
    tmp_path: Path,
    developer: Persona,
    product: Product,
    backlog: list[BacklogItem],
) -> None:
    sign_in(page, developer)
    page.goto(BACKLOG)
    expect(page.locator("#backlog-rows > .bl-row")).to_have_count(4)
    page.locator("#filter-kind").select_option("bug")
    expect(page.locator("#backlog-rows > .bl-row")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"kind=bug"))
    link = page.get_by_role("link", name="Export CSV")
    expect(link).to_have_attribute("href", re.compile(r"kind=bug.*format=csv"))
    screenshot("csv-export-backlog")

    with page.expect_download() as waiting:
        link.click()
    download = waiting.value
    assert re.fullmatch(r"ACME-backlog-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode().removeprefix("\ufeff"), newline="")))
    assert [row[0] for row in rows[1:]] == shown_keys(page) == ["ACME-2", "ACME-4"]
    titles = [row[1] for row in rows[1:]]
    assert titles == ["'=Chart tooltip shows UTC", 'CSV export drops rows, "sometimes"']
    assert rows[2][rows[0].index("Labels")] == "api, ux"
