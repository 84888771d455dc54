"""Exports in the browser, on the demo: Olivia, the workspace's owner, opens Exports from the
sidebar, exports the workspace now, sees it done and downloads the zip; the page passes
axe-core. Diego, a member, is refused the page. Then as the issue's Done-when tells it: an
owner's workspace (epics, stories under them, an order, a comment, history) exported from the
page, the downloaded file restored into a fresh workspace, and the restored workspace showing
the same backlog, comment and history; exported again, its manifest maps its ids to the first
file's."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from typer.testing import CliRunner

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.services import item_create, item_move, item_update
from lodestar.cli.main import app
from lodestar.interop.exports.format import from_runs
from lodestar.people.models import Workspace
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.e2e.test_accessibility import violations
from tests.e2e.test_backlog import sign_in as sign_in_as
from tests.e2e.test_decisions import sign_in
from tests.strategy.conftest import product

__all__ = ["product"]

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


# -- export, then restore into a fresh workspace -------------------------------------------------

ROWS_JS = """rows => rows.map(row => [
    row.dataset.key, row.dataset.depth || "", row.dataset.parent || "",
    row.querySelector(".bl-title").textContent.trim(),
])"""
# Each history line as it reads, without its "… ago" (the same moment reads the same, but a
# minute may pass between the two pages).
HISTORY_JS = """lines => lines.map(line => {
    const copy = line.cloneNode(true);
    copy.querySelectorAll("time").forEach(time => time.remove());
    return [copy.textContent.replace(/\\s+/g, " ").trim(),
            line.querySelector("time")?.getAttribute("datetime") || ""];
})"""


def _backlog(page: Any, slug: str) -> list[list[str]]:
    page.goto(f"/w/{slug}/products/ACME/backlog")
    expect(page.locator("#backlog-rows > .bl-row").first).to_be_visible()
    rows: list[list[str]] = page.locator("#backlog-rows > .bl-row").evaluate_all(ROWS_JS)
    return rows


def _item(page: Any, slug: str, key: str) -> tuple[list[str], list[list[str]]]:
    """The comments' texts and the history lines of an item's page."""
    page.goto(f"/w/{slug}/items/{key}")
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    comments: list[str] = page.get_by_test_id("comment").locator(".md").all_inner_texts()
    history: list[list[str]] = page.locator(".iv-history > li").evaluate_all(HISTORY_JS)
    return comments, history


def test_a_workspace_exported_from_the_page_restores_into_a_fresh_one(
    page: Any, screenshot: Any, settings: Any, tmp_path: Path, owner: Persona, product: Product
) -> None:
    settings.EXPORT_DIR = str(tmp_path)
    actor = owner.actor
    # The team's backlog: two epics with stories under them, reordered, changed, re-parented.
    onboarding = item_create(actor=actor, product=product, title="Guided onboarding", kind="epic")
    checklist = item_create(
        actor=actor, product=product, title="Checklist on the home page", parent=onboarding
    )
    sample = item_create(
        actor=actor, product=product, title="Sample dataset on first sign-in", parent=onboarding
    )
    billing = item_create(actor=actor, product=product, title="Billing", kind="epic")
    invoices = item_create(actor=actor, product=product, title="Invoices as PDF", parent=billing)
    digest = item_create(actor=actor, product=product, title="Weekly digest email")
    item_move(actor=actor, item=billing, position="top")
    item_move(actor=actor, item=sample, before=checklist)
    item_update(actor=actor, item=invoices, title="Invoices as PDF and CSV", status="in_progress")
    item_update(actor=actor, item=digest, parent=billing)

    sign_in_as(page, owner)
    page.goto(f"/w/acme/items/{checklist.key}")
    section = page.get_by_test_id("object-comments")
    section.get_by_label("Add a comment (Markdown)").fill("Start with the **three** first steps.")
    section.get_by_role("button", name="Comment").click()
    expect(page.get_by_text("Comment posted.")).to_be_visible()

    backlog = _backlog(page, "acme")
    assert [row[0] for row in backlog] == [
        billing.key, invoices.key, digest.key, onboarding.key, sample.key, checklist.key
    ]  # fmt: skip
    assert backlog[2][1:3] == ["1", billing.key]  # the digest moved under Billing
    pages = {key: _item(page, "acme", key) for key in (checklist.key, invoices.key, digest.key)}
    assert pages[checklist.key][0] == ["Start with the three first steps."]
    assert any(
        "renamed it to “Invoices as PDF and CSV”" in line for line, _ in pages[invoices.key][1]
    )
    assert any("changed the parent" in line for line, _ in pages[digest.key][1])

    # The owner exports the workspace from the Exports page and downloads the zip.
    page.goto("/w/acme/exports")
    page.get_by_test_id("export-now").click()
    row = page.get_by_test_id("export-runs").locator("tbody tr").first
    expect(row).to_have_attribute("data-state", "done")
    with page.expect_download() as caught:
        page.get_by_test_id("export-download").click()
    file = tmp_path / "acme-export.zip"
    caught.value.save_as(file)
    page.wait_for_load_state("networkidle")

    # The file restored as `lodestar restore` does, into a workspace nobody has yet.
    result = CliRunner().invoke(app, ["restore", str(file), "--workspace-slug", "acme-restored"])
    assert result.exit_code == 0, result.output
    assert "Restored workspace 'acme-restored'" in result.output
    copy = Workspace.objects.get(slug="acme-restored")
    assert not BacklogItem.objects.filter(workspace=copy, pk__in=[onboarding.pk, checklist.pk])

    # In the browser, the restored workspace shows the same backlog, comment and history.
    assert _backlog(page, "acme-restored") == backlog
    screenshot("restored-backlog")
    for key, seen in pages.items():
        assert _item(page, "acme-restored", key) == seen, key
    expect(page.get_by_role("heading", name=re.compile("Weekly digest email"))).to_be_visible()
    screenshot("restored-item")
    # The restored copy is searched like the original.
    page.goto("/w/acme-restored/search?q=invoices")
    hits = page.get_by_test_id("search-hits").get_by_role("listitem")
    expect(hits).to_have_count(1)
    expect(hits).to_contain_text("Invoices as PDF and CSV")

    # Exported again, the copy's manifest says what it was restored from and maps its ids.
    page.goto("/w/acme-restored/exports")
    page.get_by_test_id("export-now").click()
    row = page.get_by_test_id("export-runs").locator("tbody tr").first
    expect(row).to_have_attribute("data-state", "done")
    with page.expect_download() as caught:
        page.get_by_test_id("export-download").click()
    with zipfile.ZipFile(caught.value.path()) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    source = manifest["restored_from"]
    assert (source["slug"], manifest["workspace"]["slug"]) == ("acme", "acme-restored")
    items = from_runs(source["ids"]["backlog.backlogitem"])
    restored = BacklogItem.objects.get(workspace=copy, key=checklist.key)
    assert items[checklist.pk] == restored.pk
