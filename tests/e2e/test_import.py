"""Importing from Jira in the browser, as the issue's Done-when tells it: an owner uploads the
team's Jira CSV, sees the dry run's report and maps the status Jira files under no category,
imports it and follows its progress, finds the epics, stories, order and sprints in the
backlog; a week later uploads the changed export and the report says 2 updated, 1 created,
the rest unchanged, and the running sprint on its board holds the issue moved into it and the
new one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem
from lodestar.interop.imports import tasks
from lodestar.interop.imports.bundle import ReadOptions
from lodestar.interop.imports.readers import reader_for
from lodestar.interop.imports.services import import_run_execute
from lodestar.people.models import Team
from lodestar.sprints.models import Sprint
from lodestar.strategy.models import Product
from tests.conftest import PASSWORD, Persona
from tests.e2e.test_accessibility import AXE, violations
from tests.interop.imports.jira_files import first_export, week_later_export
from tests.strategy.conftest import product

__all__ = ["product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Worker:
    """The worker, by hand: runs are queued by the page and run when the test says, so the
    page is seen waiting and polling before the report comes."""

    def __init__(self) -> None:
        self.queued: list[int] = []

    def enqueue(self, run_id: int) -> None:
        self.queued.append(run_id)

    def work(self) -> None:
        while self.queued:
            import_run_execute(self.queued.pop(0))


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Worker:
    hand = Worker()
    monkeypatch.setattr(tasks, "run_import", hand)
    return hand


def test_import_a_jira_export_then_again_a_week_later(
    page: Any,
    screenshot: Any,
    owner: Persona,
    product: Product,
    team: Team,
    worker: Worker,
    tmp_path: Path,
) -> None:
    page.context.add_init_script(path=str(AXE))
    first = tmp_path / "jira.csv"
    first.write_bytes(first_export())
    later = tmp_path / "jira-a-week-later.csv"
    later.write_bytes(week_later_export())
    page.goto("/signin")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))

    # Found under Settings, as owners and admins find the workspace's administration.
    page.get_by_role("link", name="Imports").click()
    expect(page).to_have_url(re.compile(r"/w/acme/imports$"))
    assert violations(page) == []
    page.get_by_label("Source").select_option("jira")
    page.get_by_label("File").set_input_files(str(first))
    page.get_by_label("Team").select_option("core")
    page.get_by_role("button", name="Dry run").click()
    run = page.get_by_test_id("import-run")
    expect(run).to_contain_text("Waiting for the worker")
    worker.work()

    # The dry run's report: refused until "Backlog" is mapped, with a select to map it.
    expect(page.get_by_test_id("import-outcome")).to_contain_text(
        "An import of this file would be refused", timeout=15_000
    )
    expect(page.get_by_test_id("import-problems")).to_contain_text('the status "Backlog"')
    page.get_by_label("“Backlog” (1 item)").select_option(label="New")
    screenshot("import-dry-run")
    assert violations(page) == []
    page.get_by_role("button", name="Dry run").click()
    expect(page.get_by_test_id("import-run")).to_contain_text("Waiting for the worker")
    worker.work()
    expect(page.get_by_test_id("import-outcome")).to_contain_text(
        "Nothing was written", timeout=15_000
    )
    counts = page.get_by_test_id("import-counts")
    expect(counts.locator('tr[data-kind="item"] td').first).to_have_text("7")
    assert not BacklogItem.objects.exists()

    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("import-run")).to_contain_text("Waiting for the worker")
    expect(page.locator("progress")).to_be_visible()
    worker.work()
    expect(page.get_by_test_id("import-outcome")).to_contain_text("Imported.", timeout=15_000)
    expect(counts.locator('tr[data-kind="item"] td').first).to_have_text("7")
    expect(counts.locator('tr[data-kind="sprint"] td').first).to_have_text("2")
    screenshot("import-done")

    page.get_by_role("link", name="Open the ACME backlog").click()
    expect(page.get_by_text("Checkout revamp").first).to_be_visible()
    titles = list(
        BacklogItem.objects.filter(product=product).order_by("rank").values_list("title", flat=True)
    )
    ranked = reader_for("jira")(first_export(), ReadOptions()).items
    assert titles == [item.title for item in ranked]  # Jira's rank order
    for title in ("Pay by link", "Research wallets", "Set up the payment provider sandbox"):
        expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    screenshot("import-backlog")
    assert {s.name: s.state for s in Sprint.objects.filter(team=team)} == {
        "ACME Sprint 1": "closed",
        "ACME Sprint 2": "active",
    }

    # A week later: one title changed, one status moved, one issue taken into the running
    # sprint, one new issue in it.
    page.goto("/w/acme/imports")
    page.get_by_label("File").set_input_files(str(later))
    page.get_by_label("Team").select_option("core")
    page.get_by_role("button", name="Dry run").click()
    expect(page.get_by_test_id("import-run")).to_contain_text("Waiting for the worker")
    worker.work()
    expect(page.get_by_test_id("import-outcome")).to_contain_text(
        "refused", timeout=15_000
    )  # a new page: "Backlog" needs its mapping again
    page.get_by_label("“Backlog” (1 item)").select_option(label="New")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("import-run")).to_contain_text("Waiting for the worker")
    worker.work()
    expect(page.get_by_test_id("import-outcome")).to_contain_text("Imported.", timeout=15_000)
    row = page.get_by_test_id("import-counts").locator('tr[data-kind="item"] td')
    expect(row).to_have_text(["1", "2", "5"])
    expect(page.get_by_test_id("import-run")).to_contain_text(
        "2 items joined ACME Sprint 2, where the file has them now"
    )
    screenshot("import-a-week-later")
    assert BacklogItem.objects.get(title="Research wallets").status == "done"
    page.goto(f"/w/acme/sprints/{Sprint.objects.get(name='ACME Sprint 2').pk}/board")
    for title in ("Faster search", "Apple Pay"):
        expect(page.get_by_text(title, exact=True)).to_be_visible()
    page.goto("/w/acme/imports")
    expect(page.get_by_test_id("past-imports").locator("tbody tr")).to_have_count(5)
