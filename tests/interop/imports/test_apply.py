"""The importer: a bundle into a product, checked before any write, all or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lodestar.backlog.models import BacklogItem
from lodestar.comments.models import Comment
from lodestar.core.errors import Forbidden, Invalid
from lodestar.interop.imports import apply
from lodestar.interop.imports.apply import import_bundle, parse_status_map
from lodestar.interop.imports.bundle import (
    Bundle,
    SourceItem,
    SourceRelease,
    SourceStatus,
    Unreadable,
)
from lodestar.interop.imports.models import ExternalRef
from lodestar.people.models import Invitation, Team
from lodestar.releases.models import Release
from lodestar.sprints.models import Sprint
from lodestar.sprints.services import sprint_create, sprint_start
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.interop.imports.conftest import make_bundle


def _keys(product: Product) -> list[str]:
    return list(
        BacklogItem.objects.filter(product=product).order_by("rank").values_list("title", flat=True)
    )


def _nothing_written(product: Product) -> None:
    assert not BacklogItem.objects.filter(product=product).exists()
    assert not ExternalRef.objects.exists()
    assert not Comment.objects.exists()
    assert not Release.objects.exists()
    assert not Invitation.objects.exists()


def _item(bundle: Bundle, external_id: str) -> SourceItem:
    return next(item for item in bundle.items if item.external_id == external_id)


def _replace(bundle: Bundle, external_id: str, **changes: Any) -> Bundle:
    bundle.items = [
        dataclasses.replace(item, **changes) if item.external_id == external_id else item
        for item in bundle.items
    ]
    return bundle


def test_an_import_writes_items_parents_order_comments_and_releases(
    owner: Persona, product: Product, bundle: Bundle
) -> None:
    report = import_bundle(owner.actor, product, bundle)

    assert report.ok, report.as_dict()
    assert report.created == {"item": 4, "comment": 2, "release": 1, "invitation": 1}
    # The source's order, a story before its epic included.
    assert _keys(product) == [
        "Pay by card",
        "Payments",
        "Refunds",
        "Receipts <script>alert(1)</script>",
    ]
    card = BacklogItem.objects.get(product=product, title="Pay by card")
    epic = BacklogItem.objects.get(product=product, title="Payments")
    assert card.parent_id == epic.pk
    assert card.status == "in_progress"
    assert epic.status == "new"
    assert card.estimate == 5
    assert sorted(label.name for label in card.labels.all()) == ["payments", "web"]
    # The original author (matched by email) and dates are kept.
    assert card.created_by == owner.user
    assert card.created_at == _item(bundle, "PAY-2").created_at
    # Someone who is not a member is invited (not emailed) and the item is the importer's.
    assert epic.created_by == owner.user
    invitation = Invitation.objects.get()
    assert invitation.email == "eve@elsewhere.test"
    comments = list(Comment.objects.filter(target_id=card.pk).order_by("created_at"))
    assert [c.body for c in comments] == ["What about **3DS**?", "Looks good"]
    assert comments[1].author == owner.membership
    assert "<strong>3DS</strong>" in comments[0].body_html
    release = Release.objects.get(product=product)
    assert set(release.entries.values_list("item__title", flat=True)) == {"Pay by card", "Refunds"}
    assert ExternalRef.objects.filter(kind="item").count() == 4
    assert any("kept as names only" in note for note in report.notes)
    assert "separator ," in report.notes
    # Sprints need a team: skipped, and said so.
    assert report.skipped["sprint"] == 2
    assert not Sprint.objects.exists()


def test_imported_text_is_sanitized_as_typed_text(
    owner: Persona, product: Product, bundle: Bundle
) -> None:
    import_bundle(owner.actor, product, bundle)

    receipts = BacklogItem.objects.get(product=product, title__startswith="Receipts")
    assert "onerror" not in receipts.description_html
    assert "<em>ok</em>" in receipts.description_html


def test_sprints_come_with_a_team(
    owner: Persona, product: Product, team: Team, bundle: Bundle
) -> None:
    report = import_bundle(owner.actor, product, bundle, team=team)

    assert report.ok, report.as_dict()
    assert report.created["sprint"] == 2
    closed = Sprint.objects.get(name="Sprint 1")
    active = Sprint.objects.get(name="Sprint 2")
    assert (closed.state, closed.start_date.isoformat()) == ("closed", "2026-03-02")
    assert active.state == "active"
    assert set(active.entries.values_list("item__title", flat=True)) == {"Pay by card"}


def test_a_team_running_a_sprint_keeps_it_and_the_files_sprints_wait(
    owner: Persona, product: Product, team: Team, bundle: Bundle
) -> None:
    today = dt.date(2026, 12, 1)
    running = sprint_create(
        actor=owner.actor,
        team=team,
        name="Sprint 40",
        start_date=today,
        end_date=today + dt.timedelta(days=13),
        goal="Ship refunds",
    )
    sprint_start(actor=owner.actor, sprint=running)

    report = import_bundle(owner.actor, product, bundle, team=team)

    assert report.ok, report.as_dict()
    assert report.created["item"] == 4
    assert report.skipped["sprint"] == 2
    assert any("runs Sprint 40 now" in note for note in report.notes)
    assert list(Sprint.objects.values_list("name", "state")) == [("Sprint 40", "active")]


def test_importing_again_creates_nothing_twice(
    owner: Persona, product: Product, team: Team
) -> None:
    import_bundle(owner.actor, product, make_bundle(), team=team)

    again = import_bundle(owner.actor, product, make_bundle(), team=team)

    assert again.ok, again.as_dict()
    assert again.created == {}
    assert again.updated == {}
    assert again.skipped["item"] == 4
    assert again.skipped["comment"] == 2
    assert BacklogItem.objects.filter(product=product).count() == 4
    assert Comment.objects.count() == 2
    assert Sprint.objects.count() == 2


def test_only_the_comments_of_items_imported_before_are_looked_up(
    owner: Persona, product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new item has no comment here yet: its comments are not looked for among the refs."""
    looked_up: list[tuple[str, list[str]]] = []
    real = apply._refs

    def spy(actor: Any, source: str, kind: str, ids: Any) -> Any:
        ids = list(ids)
        looked_up.append((kind, sorted(ids)))
        return real(actor, source, kind, ids)

    monkeypatch.setattr(apply, "_refs", spy)
    import_bundle(owner.actor, product, make_bundle())
    assert [kind for kind, _ in looked_up if kind == "comment"] == []
    looked_up.clear()
    again = import_bundle(owner.actor, product, make_bundle())
    comment_keys = [ids for kind, ids in looked_up if kind == "comment"]
    assert [len(keys) for keys in comment_keys] == [2]
    assert again.skipped["comment"] == 2
    assert Comment.objects.count() == 2


def test_a_week_later_only_the_changes_are_imported(owner: Persona, product: Product) -> None:
    import_bundle(owner.actor, product, make_bundle())
    refunds = BacklogItem.objects.get(product=product, title="Refunds")
    # Edited here since: the source did not change it, so it stays.
    refunds.description = "Our own notes"
    refunds.save()
    week = make_bundle()
    _replace(week, "PAY-4", title="Email receipts")
    _replace(week, "PAY-1", status=SourceStatus("In Progress", "in_progress"))
    week.items.append(
        SourceItem(external_id="PAY-5", where="line 6", title="Apple Pay", parent="PAY-1")
    )

    report = import_bundle(owner.actor, product, week)

    assert report.ok, report.as_dict()
    assert report.created == {"item": 1}
    assert report.updated == {"item": 2}
    assert report.skipped["item"] == 2
    assert BacklogItem.objects.get(product=product, number=4).title == "Email receipts"
    assert BacklogItem.objects.get(product=product, title="Payments").status == "in_progress"
    refunds.refresh_from_db()
    assert refunds.description == "Our own notes"
    new = BacklogItem.objects.get(product=product, title="Apple Pay")
    assert new.parent.title == "Payments"
    assert _keys(product)[-1] == "Apple Pay"


def test_a_re_import_reads_the_labels_of_the_changed_items_alone(
    owner: Persona, product: Product
) -> None:
    import_bundle(owner.actor, product, make_bundle())
    week = make_bundle()
    changed = next(item for item in week.items if item.labels)
    _replace(week, changed.external_id, labels=("payments", "mobile"))

    with CaptureQueriesContext(connection) as queries:
        report = import_bundle(owner.actor, product, week)

    assert report.ok, report.as_dict()
    assert report.updated == {"item": 1}
    item = BacklogItem.objects.get(product=product, title=changed.title)
    assert sorted(label.name for label in item.labels.all()) == ["mobile", "payments"]
    # Read for the one item that changed, not for every item imported before.
    [read] = [
        q["sql"]
        for q in queries.captured_queries
        if "_prefetch_related_val_backlogitem_id" in q["sql"]
    ]
    assert read.endswith(f'"backlogitem_id" IN ({item.pk}) ORDER BY "backlog_label"."name" ASC')


def test_an_unknown_status_is_named_with_how_to_map_it(
    owner: Persona, product: Product, bundle: Bundle
) -> None:
    _replace(bundle, "PAY-3", status=SourceStatus("In Review", None))
    _replace(bundle, "PAY-4", status=SourceStatus("In Review", None))

    report = import_bundle(owner.actor, product, bundle)

    assert not report.ok
    assert report.statuses == [{"raw": "In Review", "count": 2}]
    [problem] = report.problems
    assert problem["where"] == "line 4"
    assert '--status-map "In Review=in_progress"' in problem["message"]
    _nothing_written(product)

    mapped = import_bundle(
        owner.actor, product, bundle, status_map=parse_status_map(["In Review=done"])
    )
    assert mapped.ok
    assert BacklogItem.objects.get(product=product, title="Refunds").status == "done"


def test_a_status_map_overrides_the_category(
    owner: Persona, product: Product, bundle: Bundle
) -> None:
    report = import_bundle(owner.actor, product, bundle, status_map={"Done": "wont_do"})

    assert report.ok
    assert BacklogItem.objects.get(product=product, title="Refunds").status == "wont_do"


@pytest.mark.parametrize(
    ("pair", "message"),
    [("In Review", "is not a mapping"), ("In Review=reviewing", "map to one of new")],
)
def test_a_bad_status_map_is_refused(pair: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_status_map([pair])
    assert message in caught.value.detail


def test_a_parent_cycle_is_refused(owner: Persona, product: Product, bundle: Bundle) -> None:
    _replace(bundle, "PAY-1", parent="PAY-2")

    report = import_bundle(owner.actor, product, bundle)

    assert not report.ok
    assert any("lead back" in p["message"] and "PAY-2" in p["message"] for p in report.problems)
    _nothing_written(product)


def test_an_epic_link_to_an_issue_not_in_the_file_is_refused(
    owner: Persona, product: Product, bundle: Bundle
) -> None:
    _replace(bundle, "PAY-3", parent="PAY-99")

    report = import_bundle(owner.actor, product, bundle)

    assert report.problems == [
        {
            "where": "line 4",
            "message": "PAY-3's parent PAY-99 is not in the file and was not imported before; "
            "export it with its parent (or import the parent first)",
        }
    ]
    _nothing_written(product)


def test_a_parent_imported_before_is_found(owner: Persona, product: Product) -> None:
    first = make_bundle()
    first.items = [_item(first, "PAY-1")]
    import_bundle(owner.actor, product, first)
    later = make_bundle()
    later.items = [_item(later, "PAY-3")]

    report = import_bundle(owner.actor, product, later)

    assert report.ok, report.as_dict()
    refunds = BacklogItem.objects.get(product=product, title="Refunds")
    assert refunds.parent.title == "Payments"


def test_unreadable_rows_and_duplicates_are_all_named(
    owner: Persona, product: Product, bundle: Bundle
) -> None:
    bundle.unreadable.append(Unreadable("line 7", "the date 31/02/2026 does not exist", "Created"))
    bundle.items.append(dataclasses.replace(_item(bundle, "PAY-3"), where="line 8"))

    report = import_bundle(owner.actor, product, bundle)

    assert not report.ok
    assert report.unreadable == [
        {"where": "line 7", "column": "Created", "message": "the date 31/02/2026 does not exist"}
    ]
    assert report.problems[0]["where"] == "line 8"
    assert "twice (also at line 4)" in report.problems[0]["message"]
    _nothing_written(product)


def test_a_dry_run_reports_and_writes_nothing(
    owner: Persona, product: Product, bundle: Bundle
) -> None:
    report = import_bundle(owner.actor, product, bundle, dry_run=True)

    assert report.ok
    assert report.dry_run
    assert report.created == {"item": 4, "comment": 2, "release": 1, "invitation": 1}
    _nothing_written(product)


def test_a_failure_midway_leaves_nothing(
    owner: Persona, product: Product, bundle: Bundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise Invalid.field("comments[0].body", "the database went away")

    monkeypatch.setattr(apply, "comments_create_many", broken)

    report = import_bundle(owner.actor, product, bundle)

    assert not report.ok
    assert report.errors == ["comments[0].body: the database went away"]
    assert report.created == {}
    _nothing_written(product)


def test_a_kind_that_does_not_fit_the_breakdown_is_fitted_and_said(
    owner: Persona, product: Product, bundle: Bundle
) -> None:
    _replace(bundle, "PAY-3", kind="task")  # a task right under an epic, as Jira allows

    report = import_bundle(owner.actor, product, bundle)

    assert report.ok, report.as_dict()
    refunds = BacklogItem.objects.get(product=product, title="Refunds")
    assert (refunds.kind, refunds.parent.title) == ("story", "Payments")
    assert any("fit the backlog's breakdown" in note for note in report.notes)


@pytest.mark.parametrize("who", ["developer", "viewer"])
def test_only_owners_and_admins_import(
    who: str, request: pytest.FixtureRequest, product: Product, bundle: Bundle
) -> None:
    persona: Persona = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        import_bundle(persona.actor, product, bundle)


def test_an_admin_imports(admin: Persona, product: Product, bundle: Bundle) -> None:
    assert import_bundle(admin.actor, product, bundle).ok


def test_an_estimate_off_the_scale_takes_the_next_value_up(
    owner: Persona, product: Product, bundle: Bundle
) -> None:
    _replace(bundle, "PAY-2", estimate=Decimal("4"))
    _replace(bundle, "PAY-3", estimate=Decimal("40"))

    report = import_bundle(owner.actor, product, bundle)

    assert report.ok, report.as_dict()
    assert BacklogItem.objects.get(product=product, title="Pay by card").estimate == 5
    assert BacklogItem.objects.get(product=product, title="Refunds").estimate == 21
    assert any("4 → 5 (1), 40 → 21 (1)" in note for note in report.notes)
    again = import_bundle(owner.actor, product, bundle)
    assert again.updated == {}


def test_a_release_of_more_items_than_one_call_takes(owner: Persona, product: Product) -> None:
    bundle = Bundle(
        source="jira",
        items=[
            SourceItem(
                external_id=f"BIG-{n}", where=f"line {n + 2}", title=f"Item {n}", release="R"
            )
            for n in range(501)
        ],
        releases=[SourceRelease("R", "fix version 'R'", "2.0")],
    )

    report = import_bundle(owner.actor, product, bundle)

    assert report.ok, report.as_dict()
    assert Release.objects.get(product=product).entries.count() == 501


def _shipped_bundle(state: str, released: dt.date | None = None) -> Bundle:
    return Bundle(
        source="github",
        items=[SourceItem(external_id="acme/shop#1", where="[0]", title="Pay", release="M1")],
        releases=[SourceRelease("M1", "milestone 'v1'", "v1", state=state, released_at=released)],  # type: ignore[arg-type]
    )


def test_a_release_live_in_the_source_is_live_here_on_its_date(
    owner: Persona, product: Product
) -> None:
    report = import_bundle(owner.actor, product, _shipped_bundle("live", dt.date(2026, 3, 2)))

    assert report.ok, report.as_dict()
    release = Release.objects.get(product=product)
    assert release.state == "live"
    assert release.went_live_at is not None
    assert release.went_live_at.date() == dt.date(2026, 3, 2)
    assert release.forced
    assert "Released in GitHub (imported)" in release.force_reason
    assert list(release.entries.values_list("item__title", flat=True)) == ["Pay"]
    assert "1 release went live in the source: live here too, on its date there" in report.notes


def test_a_release_the_source_closed_since_the_last_import_goes_live_then(
    owner: Persona, product: Product
) -> None:
    assert import_bundle(owner.actor, product, _shipped_bundle("planned")).ok
    assert Release.objects.get(product=product).state == "planned"

    report = import_bundle(owner.actor, product, _shipped_bundle("live", dt.date(2026, 4, 1)))

    assert report.ok, report.as_dict()
    assert Release.objects.get(product=product).state == "live"
    again = import_bundle(owner.actor, product, _shipped_bundle("live", dt.date(2026, 4, 1)))
    assert again.ok
    assert not any("went live" in note for note in again.notes)


def test_a_cancelled_release_is_cancelled_and_a_release_of_the_same_name_is_left_alone(
    owner: Persona, product: Product
) -> None:
    from lodestar.releases.services import release_create

    release_create(actor=owner.actor, product=product, name="v1")

    report = import_bundle(owner.actor, product, _shipped_bundle("live", dt.date(2026, 3, 2)))

    assert report.ok, report.as_dict()
    assert Release.objects.get(product=product).state == "planned"  # ours, not the file's
    other = _shipped_bundle("cancelled")
    other.releases = [dataclasses.replace(other.releases[0], name="v2", external_id="M2")]
    other.items = [dataclasses.replace(other.items[0], release="M2")]
    assert import_bundle(owner.actor, product, other).ok
    assert Release.objects.get(product=product, name="v2").state == "cancelled"
