"""Exports in the browser, on the demo: Olivia, the workspace's owner, opens Exports from the
sidebar, exports the workspace now, sees it done and downloads the zip; the page passes
axe-core. Diego, a member, is refused the page."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import violations
from tests.e2e.test_decisions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_owner_exports_the_workspace_and_downloads_it(
    page: Any, demo: None, screenshot: Any, settings: Any, tmp_path: Path
) -> None:
    settings.EXPORT_DIR = str(tmp_path)
    sign_in(page, "olivia@acme.example")
    page.get_by_role("navigation").get_by_role("link", name="Exports").first.click()
    expect(page).to_have_url(re.compile(r"/w/acme/exports$"))
    expect(page.get_by_text("No exports yet")).to_be_visible()
    page.get_by_test_id("export-now").click()
    expect(page.get_by_text("Export started")).to_be_visible()
    row = page.get_by_test_id("export-runs").locator("tbody tr").first
    expect(row).to_have_attribute("data-state", "done")
    expect(row.get_by_role("progressbar")).to_have_attribute("value", "100")
    screenshot("exports-page")
    assert violations(page) == []

    with page.expect_download() as caught:
        page.get_by_test_id("export-download").click()
    download = caught.value
    assert re.fullmatch(r"acme-export-\d+\.zip", download.suggested_filename)
    with zipfile.ZipFile(download.path()) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert "backlog/backlogitem.jsonl" in archive.namelist()
    assert manifest["workspace"] == {"slug": "acme", "name": "Acme Analytics"}


def test_a_member_is_refused_the_exports_page(page: Any, demo: None) -> None:
    sign_in(page, "diego@acme.example")
    response = page.goto("/w/acme/exports")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_text("Only the workspace's owners and admins export it")).to_be_visible()
