"""``lodestar release ...``: the same rules as the API, bad input as one line."""

from __future__ import annotations

import json

import pytest

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.releases.models import Release, ReleaseState
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem
from tests.cli.support import error_line, run
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

W = ("-w", "acme")
PRODUCT = ("-p", "ACME")


def test_a_release_from_plan_to_live(owner: Persona, product: Product, make_item: MakeItem) -> None:
    first = make_item("Export", kind="story")
    make_item("Crash on save", kind="bug")
    added = run("release", "add", "2026.1", *W, "-p", "ACME", "--target", "2026-06-30", "--json")
    assert added.exit_code == 0, added.output
    release_id = str(json.loads(added.stdout)["id"])
    assert run("release", "items", release_id, "acme-1", "ACME-2", *W).exit_code == 0
    listed = json.loads(run("release", "list", *W, "-p", "ACME", "--json").stdout)
    assert [(r["name"], r["progress"]) for r in listed] == [("2026.1", "0/2")]
    refused = run("release", "go-live", release_id, *W)
    line = error_line(refused)
    assert "Checks: Every item is done or dropped: 2 of 2 items" in line
    assert "Checks: Release notes are written: Not written yet" in line
    backlog.item_update(actor=owner.actor, item=first, status="done")
    dropped = run("release", "items", release_id, "ACME-2", *W, "--drop", "--reason", "Later")
    assert dropped.exit_code == 0, dropped.output
    draft = run("release", "notes", release_id, *W, "--draft")
    assert "- Export (ACME-1)" in draft.stdout
    assert "Crash on save" not in draft.stdout
    assert run("release", "notes", release_id, *W, "--save-draft").exit_code == 0
    shown = run("release", "show", release_id, *W)
    assert "ACME-2 [dropped: Later] Crash on save" in shown.stdout
    assert "ok   Every item is done or dropped" in shown.stdout
    line = error_line(run("release", "go-live", release_id, *W))
    assert "Success criteria are defined: No success criterion yet" in line
    metric = run(
        "metrics", "add", "conversion", "Conversion", *W, *PRODUCT, "--direction", "higher"
    )
    assert metric.exit_code == 0, metric.output
    criterion = run(
        "outcomes",
        "criterion",
        *W,
        *PRODUCT,
        "--release",
        "2026.1",
        "--metric",
        "conversion",
        "--target",
        "5",
        "--kind",
        "relative",
    )
    assert criterion.exit_code == 0, criterion.output
    assert "Conversion +5% on its baseline" in criterion.stdout
    live = run("release", "go-live", release_id, *W)
    assert live.exit_code == 0, live.output
    assert "2026.1 is live." in live.stdout
    assert Release.objects.get().state == ReleaseState.LIVE


def test_forcing_needs_a_reason_and_the_po(
    owner: Persona, developer: Persona, product: Product
) -> None:
    release = run("release", "add", "2026.2", *W, "-p", "ACME", "--json")
    release_id = str(json.loads(release.stdout)["id"])
    line = error_line(run("release", "go-live", release_id, *W, "--force"))
    assert "Reason: say why it goes live with unmet checks" in line
    line = error_line(
        run(
            "release",
            "go-live",
            release_id,
            *W,
            "--force",
            "--reason",
            "x",
            "--as",
            "dev@acme.test",
        )
    )
    assert "Only the product's owner or a workspace admin decides" in line
    forced = run("release", "go-live", release_id, *W, "--force", "--reason", "Launch day")
    assert forced.exit_code == 0, forced.output
    said = " ".join(forced.stdout.split())
    assert (
        "forced past: Every item is done or dropped; Success criteria are defined; "
        "Release notes are written" in said
    )


def test_bad_input_is_one_line(owner: Persona, product: Product, make_item: MakeItem) -> None:
    assert "--target must be a date" in error_line(
        run("release", "add", "x", *W, "-p", "ACME", "--target", "soon")
    )
    release_id = str(
        json.loads(run("release", "add", "x", *W, "-p", "ACME", "--json").stdout)["id"]
    )
    assert "already has a release named 'X'" in error_line(
        run("release", "add", "X", *W, "-p", "ACME")
    )
    other = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    backlog.item_create(actor=owner.actor, product=other, title="Theirs")
    assert "BETA-1 is not in the backlog of ACME" in error_line(
        run("release", "items", release_id, "BETA-1", *W)
    )
    assert "--reason goes with --drop" in error_line(
        run("release", "items", release_id, "BETA-1", *W, "--reason", "x")
    )
    assert "--state must be" in error_line(run("release", "list", *W, "-p", "ACME", "--state", "x"))
    assert "No release 9999" in error_line(run("release", "show", "9999", *W))


def test_forecast_says_why_without_history(
    owner: Persona, product: Product, items: list[BacklogItem], release: Release
) -> None:
    shown = run("release", "forecast", str(release.pk), *W)
    assert shown.exit_code == 0, shown.output
    assert "2 of 2 items remaining" in shown.stdout
    assert "has finished anything yet" in shown.stdout
    data = json.loads(run("release", "forecast", str(release.pk), *W, "--json").stdout)
    assert data["remaining"] == 2
    assert data["dates"] == []


def test_the_roadmap_from_the_command_line(
    owner: Persona, product: Product, make_item: MakeItem
) -> None:
    epic = make_item("Self-serve reporting", kind="epic")
    story = make_item("A story", kind="story")
    added = run("roadmap", "add", "item", epic.key, *W, *PRODUCT, "--lane", "next", "--json")
    assert added.exit_code == 0, added.output
    rows = json.loads(added.stdout)
    assert [(r["lane"], r["spelled"]) for r in rows] == [("next", f"item:{epic.key}")]
    refused = run("roadmap", "add", "item", story.key, *W, *PRODUCT, "--lane", "now")
    assert "is not an epic" in error_line(refused)
    bad_lane = run("roadmap", "add", "item", epic.key, *W, *PRODUCT, "--lane", "soon")
    assert "Lane: must be now, next or later" in error_line(bad_lane)
    moved = run("roadmap", "move", str(rows[0]["id"]), *W, *PRODUCT, "--lane", "later", "--json")
    assert json.loads(moved.stdout)[0]["lane"] == "later"
    shared = run("roadmap", "share", *W, *PRODUCT, "--label", "Board", "--json")
    assert shared.exit_code == 0, shared.output
    link = json.loads(shared.stdout)
    assert "/share/roadmap/rm_" in link["url"]
    assert run("roadmap", "revoke", str(link["id"]), *W, *PRODUCT).exit_code == 0
    past = run("roadmap", "share", *W, *PRODUCT, "--label", "Old", "--expires", "2001-01-01")
    assert "Expires on: must be a day after today" in error_line(past)
    shown = run("roadmap", "show", *W, *PRODUCT)
    assert "Self-serve reporting" in shown.stdout
