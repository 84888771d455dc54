"""The release pages: lists, forms, the release page with its checklist, forecast and notes,
and going live (refused naming the unmet checks, forced with a reason by the PO), for each
persona; bad input in words with nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.releases import services
from lodestar.releases.models import Release, ReleaseItem, ReleaseState
from lodestar.strategy.models import Product
from tests.conftest import Persona

HTMX = {"HTTP_HX_REQUEST": "true"}
P = "/w/acme/releases/ACME"


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _url(release: Release, tail: str = "") -> str:
    base = f"{P}/{release.pk}"
    return f"{base}/{tail}" if tail else base


def _text(response: Any) -> str:
    return response.content.decode()


def test_the_lists_show_state_target_and_progress(
    client: Client, viewer: Persona, owner: Persona, release: Release, items: list[BacklogItem]
) -> None:
    backlog.item_update(actor=owner.actor, item=items[0], status="done")
    _as(client, viewer)
    for url in ("/w/acme/releases", P):
        page = _text(client.get(url))
        assert "2026.1" in page
        assert "Planned" in page
        assert "1 of 2 done" in page
    # The sidebar marks Releases as the current page, not Products.
    assert 'data-nav="releases" aria-current="page"' in _text(client.get(P))
    # A viewer is offered no controls.
    assert "New release" not in _text(client.get(P))


def test_the_release_page_shows_items_checklist_forecast_and_notes(
    client: Client, owner: Persona, release: Release, items: list[BacklogItem]
) -> None:
    backlog.item_update(actor=owner.actor, item=items[1], status="done")
    page = _text(_as(client, owner).get(_url(release)))
    assert "Go-live checklist" in page
    assert "2 unmet" in page
    assert "1 of 2 items are neither done nor dropped: ACME-1 (new)" in page
    # Finished this week: no whole week of history yet, and the page says why.
    assert "No team working from ACME has finished anything yet" in page
    assert "Drafted from the done items" in page
    assert "## Fixed" in page
    assert "Force go-live past the unmet checks" in page


def test_a_developer_changes_but_may_not_take_it_live(
    client: Client, developer: Persona, release: Release
) -> None:
    page = _text(_as(client, developer).get(_url(release)))
    assert "Add items" in page
    assert "Go live" not in page
    response = client.post(_url(release, "go-live"), {"force": "1", "reason": "Now"})
    assert response.status_code == 403
    release.refresh_from_db()
    assert release.state == ReleaseState.PLANNED


def test_new_release_form(client: Client, owner: Persona, product: Product) -> None:
    _as(client, owner)
    assert client.get(f"{P}/new").status_code == 200
    bad = client.post(f"{P}/new", {"name": " ", "target_date": "tomorrow"})
    assert bad.status_code == 422
    assert "Target date: must be a date like 2026-03-31" in _text(bad)
    assert not Release.objects.exists()
    bad = client.post(f"{P}/new", {"name": ""})
    assert "Name: must not be empty" in _text(bad)
    made = client.post(f"{P}/new", {"name": "2026.1", "target_date": "2026-06-30"})
    assert made.status_code == 302
    release = Release.objects.get()
    assert made["Location"] == _url(release)
    duplicate = client.post(f"{P}/new", {"name": "2026.1"})
    assert duplicate.status_code == 422
    assert "ACME already has a release named" in _text(duplicate)


def test_edit_form_changes_state(client: Client, owner: Persona, release: Release) -> None:
    _as(client, owner)
    response = client.post(
        _url(release, "edit"),
        {
            "name": "2026.1",
            "description": "",
            "target_date": "",
            "state": "in_progress",
            "version": str(release.version),
        },
    )
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.state == ReleaseState.IN_PROGRESS
    stale = client.post(
        _url(release, "edit"), {"name": "Other", "state": "in_progress", "version": "1"}
    )
    assert stale.status_code == 422
    release.refresh_from_db()
    assert release.name == "2026.1"


def test_items_are_added_dropped_and_removed(
    client: Client, owner: Persona, release: Release, make_item: Any
) -> None:
    _as(client, owner)
    third = make_item("Third")
    client.post(_url(release, "items"), {"items": f"{third.key.lower()}, "})
    assert ReleaseItem.objects.filter(release=release).count() == 3
    client.post(_url(release, "items/drop"), {"item": third.key, "reason": ""})
    assert ReleaseItem.objects.get(item=third).dropped_at is None
    followed = client.post(
        _url(release, "items/drop"), {"item": third.key, "reason": "Later"}, follow=True
    )
    assert "Dropped ACME-3 from the release." in _text(followed)
    assert "Dropped by Owner: Later" in _text(followed)
    client.post(_url(release, "items/remove"), {"item": "ACME-1"})
    assert not ReleaseItem.objects.filter(item__key="ACME-1").exists()
    refused = client.post(_url(release, "items"), {"items": "NOPE-1"}, follow=True)
    assert "no item &#x27;NOPE-1&#x27; in this workspace" in _text(refused)


def test_going_live_refused_then_forced(
    client: Client, po: Persona, product: Product, release: Release
) -> None:
    check = services.product_check_create(actor=po.actor, product=product, label="Support briefed")
    _as(client, po)
    refused = client.post(_url(release, "go-live"), {"version": str(release.version)})
    assert refused.status_code == 422
    page = _text(refused)
    assert "Every item is done or dropped: 2 of 2 items" in page
    assert "Support briefed: Not ticked yet." in page
    no_reason = client.post(_url(release, "go-live"), {"force": "1", "reason": " "})
    assert no_reason.status_code == 422
    assert "Reason: say why it goes live with unmet checks" in _text(no_reason)
    client.post(_url(release, f"checks/{check.pk}"), {"ticked": "1"})
    forced = client.post(
        _url(release, "go-live"), {"force": "1", "reason": "Launch event"}, follow=True
    )
    page = _text(forced)
    assert "is live (forced past unmet checks)" in page
    assert "Forced live" in page
    assert "Reason: Launch event" in page
    assert "Po forced release “ACME 2026.1” live past unmet checks" in page
    assert "Po ticked “Support briefed” on release" in page
    release.refresh_from_db()
    assert release.forced_checks == ["Every item is done or dropped", "Release notes are written"]


def test_notes_preview_and_save(client: Client, owner: Persona, release: Release) -> None:
    _as(client, owner)
    preview = client.post(
        _url(release, "notes/preview"), {"notes": "**Bold** <script>x</script>"}, **HTMX
    )
    assert "<strong>Bold</strong>" in _text(preview)
    assert "<script>" not in _text(preview)
    assert 'id="notes-preview"' in _text(preview)
    assert not Release.objects.get().notes
    full = client.post(_url(release, "notes/preview"), {"notes": "Hello"})
    assert "Preview of the notes" in _text(full)
    client.post(_url(release, "notes"), {"notes": "## Fixed\n\n- Charts"})
    release.refresh_from_db()
    assert release.notes_html.startswith("<h2>Fixed</h2>")


def test_product_checks_page(
    client: Client, owner: Persona, developer: Persona, product: Product
) -> None:
    _as(client, owner)
    client.post(f"{P}/checks", {"label": "Support briefed"})
    assert "Support briefed" in _text(client.get(P))
    refused = client.post(f"{P}/checks", {"label": ""}, follow=True)
    assert "Label: must not be empty" in _text(refused)
    _as(client, developer)
    client.post(f"{P}/checks", {"label": "Mine"})
    assert product.release_checks.count() == 1


def test_outsiders_see_nothing(client: Client, outsider: Persona, release: Release) -> None:
    _as(client, outsider)
    assert client.get(_url(release)).status_code == 404
    assert client.get(P).status_code == 404


@pytest.mark.parametrize("tail", ["", "edit"])
def test_another_products_release_is_404(
    client: Client, owner: Persona, release: Release, tail: str
) -> None:
    from lodestar.strategy import services as strategy

    strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    url = f"/w/acme/releases/BETA/{release.pk}" + (f"/{tail}" if tail else "")
    assert _as(client, owner).get(url).status_code == 404


def test_an_items_page_names_its_release(
    client: Client, viewer: Persona, owner: Persona, release: Release, make_item: Any
) -> None:
    _as(client, viewer)
    page = _text(client.get("/w/acme/items/ACME-1"))
    assert 'data-testid="item-release"' in page
    assert f'href="{_url(release)}">2026.1</a> · Planned' in page
    make_item("Loose")
    assert 'data-testid="item-release"' not in _text(client.get("/w/acme/items/ACME-3"))
    services.release_items_drop(
        actor=owner.actor,
        release=release,
        items=[BacklogItem.objects.get(key="ACME-2")],
        reason="Later",
    )
    assert "Dropped from it: Later" in _text(client.get("/w/acme/items/ACME-2"))
