"""Saved views on the pages (save from the backlog, the sidebar, rename and delete) and the
command palette's search endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lodestar.backlog import services as backlog
from lodestar.backlog.saved_views import services
from lodestar.backlog.saved_views.models import SavedView
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, goal, make_item, product
from tests.conftest import Persona

__all__ = ["goal", "make_item", "product"]

BACKLOG = "/w/acme/products/ACME/backlog"
VIEWS = "/w/acme/products/ACME/views"
HTMX = {"HX-Request": "true"}
# What the filter form sends along (hx-include) when nothing is filtered.
NO_FILTERS = {
    "q": "",
    "kind": "",
    "status": "",
    "label": "",
    "assignee": "",
    "goal": "",
    "flagged": "",
    "columns": "",
}


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _save(client: Client, **fields: Any) -> Any:
    return client.post(VIEWS, {**NO_FILTERS, **fields}, headers=HTMX)


def test_saving_the_filtered_backlog_opens_the_view_and_lists_it(
    client: Client, developer: Persona, product: Product
) -> None:
    _as(client, developer)
    response = _save(
        client, name="Ready bugs", shared="on", kind="bug", status="ready", columns="estimate"
    )
    assert response.status_code == 204
    view = SavedView.objects.get()
    assert response["HX-Redirect"] == (
        f"{BACKLOG}?kind=bug&status=ready&columns=estimate&view={view.pk}"
    )
    assert (view.shared, view.filters, view.columns) == (
        True,
        {"kind": "bug", "status": "ready"},
        ["estimate"],
    )
    page = client.get(response["HX-Redirect"]).content.decode()
    assert 'data-testid="current-view"' in page
    assert 'data-hide="goal scores assignee"' in page
    assert f'data-nav-child="view-{view.pk}" aria-current="page"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Must not be empty."),
        ({"name": "x" * 61}, "Must be at most 60 characters."),
        ({"name": "Odd", "status": "later"}, "Status: Select a valid choice."),
        ({"name": "Odd", "assignee": "nobody@example.com"}, "Assignee: Select a valid choice."),
    ],
)
def test_bad_input_is_refused_in_the_dialog_naming_what_to_fix(
    client: Client, developer: Persona, product: Product, fields: dict[str, str], message: str
) -> None:
    response = _save(_as(client, developer), **fields)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not SavedView.objects.exists()


def test_a_duplicate_name_keeps_what_was_typed(
    client: Client, developer: Persona, product: Product
) -> None:
    services.saved_view_create(actor=developer.actor, product=product, name="Mine")
    response = _save(_as(client, developer), name="mine")
    body = response.content.decode()
    assert response.status_code == 422
    assert "You already have a view named" in body
    assert 'value="mine"' in body
    assert SavedView.objects.count() == 1


def test_a_viewer_saves_a_personal_view_but_cannot_share_it(
    client: Client, viewer: Persona, product: Product
) -> None:
    _as(client, viewer)
    refused = _save(client, name="Shared", shared="on")
    assert refused.status_code == 422
    assert "Viewers may save personal views but not share them" in refused.content.decode()
    assert _save(client, name="Mine").status_code == 204
    assert list(SavedView.objects.values_list("name", "shared")) == [("Mine", False)]
    page = client.get(BACKLOG).content.decode()
    assert 'id="sv-shared" disabled' in page


def test_the_sidebar_shows_shared_views_and_only_ones_own_personal_ones(
    client: Client, developer: Persona, po: Persona, product: Product
) -> None:
    services.saved_view_create(actor=developer.actor, product=product, name="Dev only")
    services.saved_view_create(actor=developer.actor, product=product, name="Team", shared=True)
    _as(client, developer)
    mine = client.get("/w/acme/").content.decode()
    assert "Dev only" in mine
    assert "Team" in mine
    other = Client()
    _as(other, po)
    theirs = other.get("/w/acme/").content.decode()
    assert "Team" in theirs
    assert "Dev only" not in theirs


def test_rename_and_delete_from_the_view_page(
    client: Client, developer: Persona, po: Persona, product: Product
) -> None:
    view = services.saved_view_create(
        actor=developer.actor, product=product, name="Bugs", shared=True
    )
    page = f"{VIEWS}/{view.pk}"
    other = Client()
    assert _as(other, po).get(page).status_code == 403
    assert other.post(f"{page}/delete").status_code == 403
    _as(client, developer)
    assert client.post(page, {"name": ""}).status_code == 422
    renamed = client.post(page, {"name": "All bugs", "shared": "on"})
    assert renamed.status_code == 302
    view.refresh_from_db()
    assert view.name == "All bugs"
    assert client.post(f"{page}/delete").status_code == 302
    assert not SavedView.objects.exists()


# -- the palette's search -------------------------------------------------------------------


def test_the_palette_finds_items_by_key_and_by_words_of_the_title(
    client: Client, developer: Persona, owner: Persona, make_item: MakeItem, product: Product
) -> None:
    first = make_item("Export a dashboard as PDF")
    make_item("Dashboard sharing by link")
    trashed = make_item("Export dashboard drafts")
    backlog.item_delete(actor=owner.actor, item=trashed)
    _as(client, developer)
    by_key = client.get("/w/acme/palette", {"q": first.key.lower()}).json()
    assert by_key["items"][0]["key"] == first.key
    assert by_key["items"][0]["url"] == f"/w/acme/items/{first.key}"
    number = first.key.split("-")[1]
    by_number = client.get("/w/acme/palette", {"q": number}).json()
    assert by_number["items"][0]["key"] == first.key
    by_words = client.get("/w/acme/palette", {"q": "dashboard export"}).json()
    assert [item["key"] for item in by_words["items"]] == [first.key]
    pages = client.get("/w/acme/palette", {"q": "acme"}).json()["pages"]
    assert pages == [{"label": "Acme Analytics backlog", "hint": "ACME", "url": BACKLOG}]
    assert client.get("/w/acme/palette", {"q": "  "}).json() == {"items": [], "pages": []}


def test_the_palette_searches_only_the_callers_workspace(
    client: Client, outsider: Persona, make_item: MakeItem, product: Product
) -> None:
    make_item("Export a dashboard as PDF")
    strategy.product_create(actor=outsider.actor, key="GLOB", name="Globex")
    _as(client, outsider)
    assert client.get("/w/acme/palette", {"q": "export"}).status_code == 404
    found = client.get(f"/w/{outsider.membership.workspace.slug}/palette", {"q": "export"})
    assert found.json()["items"] == []


def test_a_view_whose_filters_changed_says_so_and_is_updated_to_them(
    client: Client, developer: Persona, po: Persona, product: Product
) -> None:
    view = services.saved_view_create(
        actor=developer.actor, product=product, name="Bugs", filters={"kind": "bug"}, shared=True
    )
    _as(client, developer)
    same = client.get(BACKLOG, {"kind": "bug", "view": view.pk}).content.decode()
    assert 'data-testid="current-view"' in same
    assert 'data-testid="view-changed"' not in same
    # A filter changed: the list fragment carries the bar, which says so and offers the update.
    fragment = client.get(
        BACKLOG, {"kind": "bug", "status": "ready", "view": view.pk}, headers=HTMX
    ).content.decode()
    assert 'id="sv-bar" hx-swap-oob="true"' in fragment
    assert 'data-testid="view-changed"' in fragment
    assert "Update view" in fragment
    # Someone who may not change it is told, not offered the update.
    theirs = _as(Client(), po).get(BACKLOG, {"kind": "task", "view": view.pk}).content.decode()
    assert 'data-testid="view-changed"' in theirs
    assert "Update view" not in theirs
    refused = _as(Client(), po).post(
        f"{VIEWS}/{view.pk}/filters", {**NO_FILTERS, "kind": "task"}, headers=HTMX
    )
    assert refused.status_code == 204  # the refusal is a message on the page it goes back to
    view.refresh_from_db()
    assert view.filters == {"kind": "bug"}
    updated = client.post(
        f"{VIEWS}/{view.pk}/filters", {**NO_FILTERS, "kind": "bug", "status": "ready"}, headers=HTMX
    )
    assert updated["HX-Redirect"] == f"{BACKLOG}?kind=bug&status=ready&view={view.pk}"
    view.refresh_from_db()
    assert view.filters == {"kind": "bug", "status": "ready"}
