"""The releases services: the release and its state, items, the checklist, going live (and
forcing it), notes and the forecast."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.core.errors import Forbidden, Invalid
from lodestar.core.models import HistoryEntry, OutboxEvent
from lodestar.discovery import services as discovery
from lodestar.people.models import Team
from lodestar.releases import services
from lodestar.releases.checklist import checklist
from lodestar.releases.errors import ReleaseErrorCode as Code
from lodestar.releases.extensions import RELEASE_CHECKS, CheckResult, ReleaseCheck
from lodestar.releases.forecasts import combined_history, release_forecast
from lodestar.releases.models import Release, ReleaseItem, ReleaseState
from lodestar.releases.notes import draft
from lodestar.sprints import services as sprints
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona


def _finish(owner: Persona, items: list[BacklogItem]) -> None:
    for item in items:
        backlog.item_update(actor=owner.actor, item=item, status="done")


def _ready(owner: Persona, release: Release, items: list[BacklogItem]) -> None:
    _finish(owner, items)
    services.release_notes_save(actor=owner.actor, release=release, notes="All of it.")


# -- the release -------------------------------------------------------------------------------


def test_create_records_history(owner: Persona, product: Product) -> None:
    release = services.release_create(
        actor=owner.actor,
        product=product,
        name="  2026.1   Spring ",
        description="**Faster** reports",
        target_date=dt.date(2026, 4, 30),
    )
    assert release.name == "2026.1 Spring"
    assert release.state == ReleaseState.PLANNED
    assert "<strong>Faster</strong>" in release.description_html
    entry = HistoryEntry.objects.get(object_type="releases.release", object_id=release.pk)
    assert entry.object_label == "ACME 2026.1 Spring"


def test_names_are_unique_in_a_product_whatever_the_case(
    owner: Persona, product: Product, release: Release
) -> None:
    with pytest.raises(Invalid) as caught:
        services.release_create(actor=owner.actor, product=product, name="2026.1")
    assert caught.value.code == Code.RELEASE_NAME_TAKEN
    assert caught.value.errors[0].field == "name"
    other = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    assert services.release_create(actor=owner.actor, product=other, name="2026.1").pk


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_name_is_required_and_bounded(owner: Persona, product: Product, name: str) -> None:
    with pytest.raises(Invalid) as caught:
        services.release_create(actor=owner.actor, product=product, name=name)
    assert caught.value.code == Code.RELEASE_NAME_INVALID
    assert not Release.objects.exists()


def test_state_transitions(owner: Persona, release: Release) -> None:
    services.release_update(actor=owner.actor, release=release, state="in_progress")
    services.release_update(actor=owner.actor, release=release, state="planned")
    with pytest.raises(Invalid) as caught:
        services.release_update(actor=owner.actor, release=release, state="live")
    assert caught.value.code == Code.RELEASE_TRANSITION_INVALID
    with pytest.raises(Invalid) as caught:
        services.release_update(actor=owner.actor, release=release, state="shipped")
    assert caught.value.code == Code.RELEASE_STATE_INVALID
    release.refresh_from_db()
    assert release.state == ReleaseState.PLANNED


def test_cancelling_drops_the_items_and_frees_them(
    owner: Persona, product: Product, release: Release, items: list[BacklogItem]
) -> None:
    services.release_update(actor=owner.actor, release=release, state="cancelled")
    rows = ReleaseItem.objects.filter(release=release)
    assert all(row.drop_reason == services.CANCEL_REASON for row in rows)
    later = services.release_create(actor=owner.actor, product=product, name="2026.2")
    services.release_items_add(actor=owner.actor, release=later, items=items)
    with pytest.raises(Invalid) as caught:
        services.release_items_add(actor=owner.actor, release=release, items=items)
    assert caught.value.code == Code.RELEASE_FROZEN
    # A cancelled release may be planned again; a live one moves nowhere by hand.
    services.release_update(actor=owner.actor, release=release, state="planned")


def test_a_live_release_moves_nowhere(
    owner: Persona, release: Release, items: list[BacklogItem]
) -> None:
    _ready(owner, release, items)
    services.release_go_live(actor=owner.actor, release=release)
    for state in ("planned", "in_progress", "cancelled"):
        with pytest.raises(Invalid) as caught:
            services.release_update(actor=owner.actor, release=release, state=state)
        assert caught.value.code == Code.RELEASE_TRANSITION_INVALID
        assert "to nothing" in caught.value.errors[0].message


# -- items ---------------------------------------------------------------------------------------


def test_an_item_of_another_product_is_refused_naming_it(
    owner: Persona, release: Release, make_item: MakeItem
) -> None:
    other = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    mine = make_item("Mine")
    theirs = make_item("Theirs", product=other)
    with pytest.raises(Invalid) as caught:
        services.release_items_add(actor=owner.actor, release=release, items=[mine, theirs])
    assert caught.value.errors[0].field == "items[1]"
    assert "BETA-1 is not in the backlog of ACME" in caught.value.errors[0].message
    assert not ReleaseItem.objects.filter(item=mine).exists()


def test_an_item_is_in_one_release_at_a_time(
    owner: Persona, product: Product, release: Release, items: list[BacklogItem]
) -> None:
    later = services.release_create(actor=owner.actor, product=product, name="2026.2")
    with pytest.raises(Invalid) as caught:
        services.release_items_add(actor=owner.actor, release=later, items=items[1:])
    assert caught.value.code == Code.RELEASE_ITEM_IN_OTHER_RELEASE
    assert "already in release 2026.1" in caught.value.errors[0].message
    services.release_items_drop(
        actor=owner.actor, release=release, items=items[1:], reason="Not ready for phones"
    )
    services.release_items_add(actor=owner.actor, release=later, items=items[1:])
    assert ReleaseItem.objects.filter(item=items[1]).count() == 2


def test_a_page_adds_at_most_500_items_at_once_and_a_bulk_writer_more(
    owner: Persona, product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = services.release_create(actor=owner.actor, product=product, name="Big")
    many = backlog.items_create_many(
        actor=owner.actor,
        product=product,
        specs=[backlog.ItemSpec(title=f"Item {n}") for n in range(services.ITEMS_MAX + 1)],
    )
    with pytest.raises(Invalid) as caught:
        services.release_items_add(actor=owner.actor, release=release, items=many)
    assert caught.value.errors[0].message == "give at most 500 items at once"
    assert not ReleaseItem.objects.filter(release=release).exists()
    services.release_items_add(actor=owner.actor, release=release, items=many, at_most=600)
    assert ReleaseItem.objects.filter(release=release).count() == len(many)
    # One history entry for the whole addition.
    assert (
        HistoryEntry.objects.filter(
            object_type="releases.release", object_id=release.pk, action="updated"
        ).count()
        == 1
    )
    # A bulk writer's allowance has a ceiling too.
    monkeypatch.setattr(services, "BULK_ITEMS_MAX", 3)
    other = services.release_create(actor=owner.actor, product=product, name="Other")
    with pytest.raises(Invalid) as caught:
        services.release_items_add(actor=owner.actor, release=other, items=many[:4], at_most=10_000)
    assert caught.value.errors[0].message == "give at most 3 items at once"


def test_dropping_needs_a_reason_and_is_kept(
    owner: Persona, release: Release, items: list[BacklogItem]
) -> None:
    with pytest.raises(Invalid) as caught:
        services.release_items_drop(actor=owner.actor, release=release, items=items, reason=" ")
    assert caught.value.code == Code.RELEASE_DROP_REASON_REQUIRED
    services.release_items_drop(
        actor=owner.actor, release=release, items=[items[0]], reason="Moved to the summer"
    )
    row = ReleaseItem.objects.get(release=release, item=items[0])
    assert row.dropped_at is not None
    assert row.drop_reason == "Moved to the summer"
    entry = HistoryEntry.objects.filter(object_id=release.pk).latest("id")
    assert entry.changes["items_dropped"] == [items[0].key]
    # Adding it again takes it back.
    services.release_items_add(actor=owner.actor, release=release, items=[items[0]])
    row.refresh_from_db()
    assert row.dropped_at is None


def test_removing_an_item_not_in_the_release_names_it(
    owner: Persona, release: Release, make_item: MakeItem
) -> None:
    stray = make_item("Stray")
    with pytest.raises(Invalid) as caught:
        services.release_items_remove(actor=owner.actor, release=release, items=[stray])
    assert caught.value.code == Code.RELEASE_ITEM_NOT_IN_RELEASE
    assert stray.key in caught.value.errors[0].message


# -- the checklist and going live --------------------------------------------------------------


def test_going_live_with_unmet_checks_is_refused_naming_them(
    owner: Persona, product: Product, release: Release, items: list[BacklogItem]
) -> None:
    services.product_check_create(actor=owner.actor, product=product, label="Support briefed")
    _finish(owner, items[:1])
    with pytest.raises(Invalid) as caught:
        services.release_go_live(actor=owner.actor, release=release)
    error = caught.value
    assert error.code == Code.RELEASE_CHECKS_UNMET
    messages = [e.message for e in error.errors]
    assert messages[0].startswith("Every item is done or dropped: 1 of 2 items")
    assert items[1].key in messages[0]
    assert messages[1].startswith("Release notes are written")
    assert messages[2].startswith("Support briefed")
    release.refresh_from_db()
    assert release.state == ReleaseState.PLANNED


def test_all_checks_met_goes_live(
    owner: Persona, product: Product, release: Release, items: list[BacklogItem]
) -> None:
    check = services.product_check_create(actor=owner.actor, product=product, label="Briefed")
    _ready(owner, release, items)
    services.release_check_tick(actor=owner.actor, release=release, check=check, ticked=True)
    assert all(entry.met for entry in checklist(release))
    services.release_go_live(actor=owner.actor, release=release)
    release.refresh_from_db()
    assert release.state == ReleaseState.LIVE
    assert release.went_live_at is not None
    assert not release.forced


def test_a_dropped_item_counts_as_decided(
    owner: Persona, release: Release, items: list[BacklogItem]
) -> None:
    _ready(owner, release, items[:1])
    services.release_items_drop(
        actor=owner.actor, release=release, items=items[1:], reason="Waiting on the vendor"
    )
    services.release_go_live(actor=owner.actor, release=release)
    assert release.state == ReleaseState.LIVE


def test_forcing_needs_a_reason(owner: Persona, release: Release) -> None:
    for reason in (None, "", "   "):
        with pytest.raises(Invalid) as caught:
            services.release_go_live(actor=owner.actor, release=release, force=True, reason=reason)
        assert caught.value.code == Code.RELEASE_FORCE_REASON_REQUIRED
        assert caught.value.errors[0].field == "reason"
    release.refresh_from_db()
    assert release.state == ReleaseState.PLANNED


def test_the_product_owner_forces_it_and_it_is_recorded(po: Persona, release: Release) -> None:
    services.release_go_live(
        actor=po.actor, release=release, force=True, reason="The trade show is tomorrow"
    )
    release.refresh_from_db()
    assert release.state == ReleaseState.LIVE
    assert release.forced
    assert release.force_reason == "The trade show is tomorrow"
    assert release.forced_by == po.user
    assert release.forced_checks == ["Every item is done or dropped", "Release notes are written"]
    entry = HistoryEntry.objects.filter(object_id=release.pk).latest("id")
    assert entry.changes["forced"] is True
    assert entry.changes["force_reason"] == "The trade show is tomorrow"
    event = OutboxEvent.objects.latest("id")
    assert event.kind == "release.updated"
    assert event.history_id == entry.pk


def test_developers_change_releases_but_only_the_po_and_admins_decide(
    developer: Persona, viewer: Persona, pm: Persona, admin: Persona, release: Release
) -> None:
    services.release_notes_save(actor=developer.actor, release=release, notes="Draft")
    with pytest.raises(Forbidden) as caught:
        services.release_go_live(actor=developer.actor, release=release, force=True, reason="Now")
    assert caught.value.code == Code.FORBIDDEN_DECIDE_RELEASE
    with pytest.raises(Forbidden):
        services.release_update(actor=developer.actor, release=release, state="cancelled")
    # A Product Manager by job title, wearing no hat, decides nothing: titles grant nothing.
    with pytest.raises(Forbidden):
        services.release_notes_save(actor=pm.actor, release=release, notes="Mine")
    with pytest.raises(Forbidden):
        services.release_notes_save(actor=viewer.actor, release=release, notes="Mine")
    services.release_go_live(actor=admin.actor, release=release, force=True, reason="Now")


def test_a_check_from_another_context_joins_the_checklist(
    owner: Persona, release: Release, items: list[BacklogItem]
) -> None:
    _ready(owner, release, items)
    state = RELEASE_CHECKS.snapshot()
    try:
        RELEASE_CHECKS.register(
            ReleaseCheck(
                "success_criteria",
                "Success criteria are defined",
                evaluate=lambda release: CheckResult(False, "No success criterion yet."),
                order=30,
            )
        )
        keys = [entry.key for entry in checklist(release)]
        assert keys == ["items", "notes", "success_criteria"]
        with pytest.raises(Invalid) as caught:
            services.release_go_live(actor=owner.actor, release=release)
        assert caught.value.errors[0].message == (
            "Success criteria are defined: No success criterion yet."
        )
    finally:
        RELEASE_CHECKS.restore(state)


def test_product_checks(owner: Persona, developer: Persona, product: Product) -> None:
    check = services.product_check_create(actor=owner.actor, product=product, label="Briefed")
    with pytest.raises(Invalid) as caught:
        services.product_check_create(actor=owner.actor, product=product, label="BRIEFED")
    assert caught.value.code == Code.RELEASE_CHECK_LABEL_TAKEN
    with pytest.raises(Invalid):
        services.product_check_create(actor=owner.actor, product=product, label=" ")
    with pytest.raises(Forbidden):
        services.product_check_create(actor=developer.actor, product=product, label="Mine")
    services.product_check_delete(actor=owner.actor, check=check)
    assert not product.release_checks.exists()


# -- notes ---------------------------------------------------------------------------------------


def test_notes_are_drafted_by_kind_with_the_problems_named(
    owner: Persona, product: Product, release: Release, items: list[BacklogItem]
) -> None:
    problem = discovery.problem_create(
        actor=owner.actor, title="Board meetings need printed dashboards", product=product
    )
    discovery.problem_items_link(actor=owner.actor, problem=problem, items=[items[0]])
    assert "No items are done" in draft(release)
    _finish(owner, items)
    text = draft(release)
    assert text.startswith("# Acme Analytics 2026.1\n")
    assert "## New and improved\n\n- Export dashboards as PDF (ACME-1) — solves “Board" in text
    assert "## Fixed\n\n- Charts cut off on phones (ACME-2)" in text
    assert text.index("New and improved") < text.index("Fixed")
    saved = services.release_notes_save(actor=owner.actor, release=release, notes=text)
    assert "<h2>Fixed</h2>" in saved.notes_html


def test_notes_are_sanitized(owner: Persona, release: Release) -> None:
    saved = services.release_notes_save(
        actor=owner.actor, release=release, notes="Hi <script>alert(1)</script>"
    )
    assert "<script>" not in saved.notes_html


# -- the forecast --------------------------------------------------------------------------------


def test_forecast_from_the_teams_history(
    owner: Persona, product: Product, release: Release, make_item: MakeItem
) -> None:
    finished = [make_item(f"Done {n}") for n in range(6)]
    _finish(owner, finished)
    today = timezone.localdate() + dt.timedelta(weeks=3)
    release.target_date = today + dt.timedelta(weeks=8)
    answer = release_forecast(release, today=today)
    assert answer.remaining == 2
    assert answer.teams == ["Core"]
    assert sum(answer.history) == 6
    assert answer.when is not None
    assert [p.percentile for p in answer.when.percentiles] == [50, 85, 95]
    assert answer.chance is not None
    assert 0 <= answer.chance <= 1
    assert answer.when.calibration.sentence
    # Seeded by the release: the same answer twice.
    assert release_forecast(release, today=today).date_at(85) == answer.date_at(85)
    # The roadmap's timeline asks for the dates alone: the same dates, no chance computed.
    dates = release_forecast(release, today=today, chance=False)
    assert dates.chance is None
    assert [dates.date_at(p) for p in (50, 85, 95)] == [answer.date_at(p) for p in (50, 85, 95)]


def test_several_teams_histories_add_up(
    owner: Persona, product: Product, release: Release, team: Team, make_item: MakeItem
) -> None:
    other = Team.objects.create(workspace=team.workspace, slug="mobile", name="Mobile")
    strategy.team_product_set(actor=owner.actor, team=other, product=product)
    start, end = dt.date(2026, 3, 2), dt.date(2026, 3, 13)
    for each, count in ((team, 3), (other, 2)):
        sprint = sprints.sprint_create(
            actor=owner.actor, team=each, name="One", start_date=start, end_date=end
        )
        done = [make_item(f"{each.name} {n}") for n in range(count)]
        sprints.sprint_items_add(actor=owner.actor, sprint=sprint, items=done)
        _finish(owner, done)
    teams, history = combined_history(release, today=timezone.localdate() + dt.timedelta(weeks=2))
    assert teams == ["Core", "Mobile"]
    assert sum(history) == 5
    assert release_forecast(release, today=timezone.localdate() + dt.timedelta(weeks=2)).teams == [
        "Core",
        "Mobile",
    ]


def test_forecast_without_history_says_why(release: Release) -> None:
    answer = release_forecast(release)
    assert answer.when is None
    assert "has finished anything yet" in answer.reason


def test_a_title_is_shown_as_written_in_the_notes(
    owner: Persona, release: Release, make_item: MakeItem
) -> None:
    odd = make_item("Use *stars* in <b>names</b>", kind="task")
    services.release_items_add(actor=owner.actor, release=release, items=[odd])
    _finish(owner, [odd])
    text = draft(release)
    assert "- Use \\*stars\\* in \\<b\\>names\\</b\\> (ACME-3)" in text
    saved = services.release_notes_save(actor=owner.actor, release=release, notes=text)
    assert "Use *stars* in &lt;b&gt;names&lt;/b&gt;" in saved.notes_html


# -- the registry: search and history in words ----------------------------------------------------


def test_a_release_is_found_by_search_and_its_history_reads_in_words(
    owner: Persona, po: Persona, release: Release, items: list[BacklogItem]
) -> None:
    from lodestar.core.history import describe
    from lodestar.core.search import search

    services.release_update(
        actor=owner.actor, release=release, description="Faster **exports** for everyone"
    )
    services.release_items_drop(
        actor=owner.actor, release=release, items=items[:1], reason="Waiting on legal"
    )
    services.release_go_live(actor=po.actor, release=release, force=True, reason="Launch day")
    found = search(actor=owner.actor, text="exports")
    hits = [hit for hit in found.items if hit.kind == "release"]
    assert [hit.title for hit in hits] == ["ACME 2026.1"]
    assert hits[0].url == f"/w/acme/releases/ACME/{release.pk}"
    lines = [
        describe(entry)
        for entry in HistoryEntry.objects.filter(
            object_type="releases.release", object_id=release.pk
        ).order_by("id")
    ]
    assert lines == [
        "planned release “ACME 2026.1”",
        "added ACME-1, ACME-2 to release “ACME 2026.1”",
        "edited release “ACME 2026.1”",
        "dropped ACME-1 from release “ACME 2026.1” because Waiting on legal",
        "forced release “ACME 2026.1” live past unmet checks (Every item is done or dropped, "
        "Release notes are written) because Launch day",
    ]


def test_an_item_in_the_trash_counts_nowhere_until_restored(
    owner: Persona, release: Release, items: list[BacklogItem]
) -> None:
    from lodestar.releases.selectors import release_items, release_progress

    _ready(owner, release, items[1:])
    backlog.item_delete(actor=owner.actor, item=items[0])
    assert [entry.item.key for entry in release_items(release=release)] == [items[1].key]
    assert release_progress(release).total == 1
    assert all(entry.met for entry in checklist(release))
    services.release_go_live(actor=owner.actor, release=release)
    assert release.state == ReleaseState.LIVE
