"""The issue's Done-when through the real Jira reader: the team's CSV export imported with its
epics, stories, order and sprints, then again a week later: only the changes."""

from __future__ import annotations

import io
from typing import Any

import pytest

from lodestar.backlog.models import BacklogItem
from lodestar.comments.models import Comment
from lodestar.interop.imports.models import ImportRun
from lodestar.interop.imports.services import import_now
from lodestar.people.models import Team
from lodestar.sprints.models import Sprint
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.interop.imports.jira_files import DATA, first_export, week_later_export


def _import(owner: Persona, product: Product, data: bytes, **options: object) -> ImportRun:
    return import_now(
        actor=owner.actor,
        product=product,
        source="jira",
        file=io.BytesIO(data),
        size=len(data),
        file_name="jira.csv",
        **options,
    )


def test_the_file_as_exported_is_refused_naming_the_link_and_the_status(
    owner: Persona, product: Product
) -> None:
    run = _import(owner, product, DATA.read_bytes())

    assert run.state == "failed"
    messages = " ".join(p["message"] for p in run.report["problems"])
    assert "ACME-8's parent ACME-99 is not in the file" in messages
    assert run.report["statuses"] == [{"raw": "Backlog", "count": 1}]
    assert not BacklogItem.objects.exists()


def test_a_team_imports_its_jira_export_then_a_week_later_only_the_changes(
    owner: Persona, product: Product, team: Team
) -> None:
    mapping = ["Backlog=new"]
    dry = _import(owner, product, first_export(), team=team, status_map=mapping, dry_run=True)
    assert dry.state == "done", (dry.report["errors"], dry.report["problems"])
    assert dry.report["created"]["item"] == 7
    assert not BacklogItem.objects.exists()

    run = _import(owner, product, first_export(), team=team, status_map=mapping)

    assert run.state == "done", run.report
    assert run.report["created"] == {"item": 7, "comment": 3, "release": 2, "sprint": 2}
    keys = list(
        BacklogItem.objects.filter(product=product)
        .order_by("rank")
        .values_list("title", "kind", "parent__title")
    )
    assert keys[0] == ("Totals round wrongly", "bug", "Checkout revamp")  # rank order
    assert ("Checkout revamp", "epic", None) in keys
    assert {s.name: s.state for s in Sprint.objects.all()} == {
        "ACME Sprint 1": "closed",
        "ACME Sprint 2": "active",
    }
    assert Comment.objects.count() == 3
    assert any("2 sprints have no dates in the file" in note for note in run.report["notes"])

    week = _import(owner, product, week_later_export(), team=team, status_map=mapping)

    assert week.state == "done", week.report
    assert week.report["created"] == {"item": 1}
    assert week.report["updated"] == {"item": 2}
    assert week.report["skipped"]["item"] == 5  # the rest, unchanged
    assert BacklogItem.objects.get(title="Research wallets").status == "done"
    assert BacklogItem.objects.filter(title="Set up the payment sandbox").exists()
    assert BacklogItem.objects.get(title="Apple Pay").parent.title == "Checkout revamp"
    assert Comment.objects.count() == 3
    # The running sprint took the issue the file moved into it and the new one in it.
    running = Sprint.objects.get(team=team, name="ACME Sprint 2")
    assert set(running.entries.values_list("item__title", flat=True)) == {
        "Pay by link",
        "Write the webhook handler",
        "Set up the payment sandbox",
        "Faster search",
        "Apple Pay",
    }
    assert set(
        running.entries.filter(added_after_start=True).values_list("item__title", flat=True)
    ) == {"Faster search", "Apple Pay"}
    assert "2 items joined ACME Sprint 2, where the file has them now" in week.report["notes"]

    again = _import(owner, product, week_later_export(), team=team, status_map=mapping)
    assert again.report["created"] == {}
    assert not any("joined" in note for note in again.report["notes"])


def test_an_item_put_in_another_open_sprint_here_stays_there(
    owner: Persona, product: Product, team: Team
) -> None:
    from lodestar.sprints import services as sprints

    mapping = ["Backlog=new"]
    assert _import(owner, product, first_export(), team=team, status_map=mapping).state == "done"
    later = sprints.sprint_create(
        actor=owner.actor,
        team=team,
        name="Next one",
        start_date=Sprint.objects.get(name="ACME Sprint 2").end_date,
        end_date=Sprint.objects.get(name="ACME Sprint 2").end_date,
    )
    search = BacklogItem.objects.get(title="Faster search")
    sprints.sprint_items_add(actor=owner.actor, sprint=later, items=[search])

    week = _import(owner, product, week_later_export(), team=team, status_map=mapping)

    assert week.state == "done", week.report
    assert list(later.entries.values_list("item", flat=True)) == [search.pk]
    assert "1 item joined ACME Sprint 2, where the file has them now" in week.report["notes"]
    assert (
        "1 item the file moved to another sprint is in an open sprint here already: left there"
        in week.report["notes"]
    )


def test_an_import_reads_and_writes_with_the_collector_paused_and_turns_it_back_on(
    owner: Persona, product: Product, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from lodestar.interop.imports import services

    seen: list[bool] = []
    real = services.import_bundle

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "import_bundle", watched)
    run = _import(owner, product, first_export(), team=team, status_map=["Backlog=new"])
    assert run.state == "done", run.report
    assert seen == [False]
    assert gc.isenabled()
    # A file that fails turns it back on as well.
    assert _import(owner, product, DATA.read_bytes()).state == "failed"
    assert gc.isenabled()
