"""Live updates of an item's page and a product's backlog: their polls answer 304 while nothing
they show changed, and who changed it (and when) once something did; a stale edit's 412 says
who changed the item and when, through the API and on the page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem
from lodestar.comments.access import access_target
from lodestar.comments.services import comment_create, comment_delete
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona

ITEM_POLL = "/w/acme/items/ACME-1/live"
BACKLOG_POLL = "/w/acme/products/ACME/backlog/live"
WHEN = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"


@pytest.fixture
def three(make_item: MakeItem, goal: ProductGoal) -> list[BacklogItem]:
    return [make_item(f"Item {n}", goal=goal) for n in (1, 2, 3)]


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _poll(client: Client, url: str, tag: str | None = None) -> Any:
    headers = {"If-None-Match": tag} if tag else {}
    return client.get(url, headers=headers)


def _fresh(key: str = "ACME-1") -> BacklogItem:
    return BacklogItem.all_objects.get(key=key)


def _changed(client: Client, url: str, tag: str) -> dict[str, Any]:
    """Poll with ``tag``: the answer must be a change; its body."""
    response = _poll(client, url, tag)
    assert response.status_code == 200, response.content
    assert response["ETag"] != tag
    body: dict[str, Any] = json.loads(response.content)
    assert body["etag"] == response["ETag"]
    return body


# -- an item's page -----------------------------------------------------------------------------


def test_an_unchanged_item_answers_304_with_no_body(
    client: Client, developer: Persona, three: list[BacklogItem]
) -> None:
    first = _poll(_as(client, developer), ITEM_POLL)
    assert first.status_code == 200
    tag = first["ETag"]
    again = _poll(client, ITEM_POLL, tag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == tag
    assert "no-cache" in again["Cache-Control"]
    assert "private" in again["Cache-Control"]
    # A list of tags, and a weak one, match too.
    assert _poll(client, ITEM_POLL, f'"x", W/{tag}').status_code == 304


def test_the_item_page_carries_the_tag_its_poll_answers_304_to(
    client: Client, developer: Persona, three: list[BacklogItem]
) -> None:
    page = _as(client, developer).get("/w/acme/items/ACME-1").content.decode()
    found = re.search(r'data-live-url="([^"]+)" data-live-etag="([^"]+)"', page)
    assert found is not None
    url, tag = found.group(1), found.group(2).replace("&quot;", '"')
    assert url == ITEM_POLL
    assert 'data-live-what="this item"' in page
    assert 'data-live-refresh="/w/acme/items/ACME-1"' in page
    assert _poll(client, url, tag).status_code == 304
    # The panel's view refreshes as a panel.
    panel = client.get("/w/acme/items/ACME-1?panel=1", headers={"HX-Request": "true"})
    assert 'data-live-refresh="/w/acme/items/ACME-1?panel=1"' in panel.content.decode()


def test_an_edit_by_someone_else_is_a_change_that_names_them(
    client: Client, developer: Persona, owner: Persona, three: list[BacklogItem]
) -> None:
    tag = _poll(_as(client, developer), ITEM_POLL)["ETag"]
    services.item_update(actor=owner.actor, item=_fresh(), title="Renamed")
    body = _changed(client, ITEM_POLL, tag)
    assert body["changed_by"] == "Owner"
    assert body["mine"] is False
    assert body["gone"] is False
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", body["changed_at"])
    assert re.fullmatch(WHEN, body["when"])
    # The new tag answers 304 until the next change.
    assert _poll(client, ITEM_POLL, body["etag"]).status_code == 304


def test_ones_own_change_is_marked_mine(
    client: Client, owner: Persona, three: list[BacklogItem]
) -> None:
    tag = _poll(_as(client, owner), ITEM_POLL)["ETag"]
    services.item_update(actor=owner.actor, item=_fresh(), status="in_progress")
    assert _changed(client, ITEM_POLL, tag)["mine"] is True


def test_a_comment_by_someone_else_is_a_change(
    client: Client, developer: Persona, po: Persona, three: list[BacklogItem]
) -> None:
    tag = _poll(_as(client, developer), ITEM_POLL)["ETag"]
    target = access_target(po.actor, "item", "ACME-1")
    comment = comment_create(actor=po.actor, target=target, body="Looks good")
    body = _changed(client, ITEM_POLL, tag)
    assert body["changed_by"] == "Po"
    # Deleting it (the row stays, as "comment deleted") is a change as well.
    comment_delete(actor=po.actor, comment=comment, target=target)
    assert _changed(client, ITEM_POLL, body["etag"])["changed_by"] == "Po"


def test_a_comment_on_another_item_is_no_change(
    client: Client, developer: Persona, po: Persona, three: list[BacklogItem]
) -> None:
    tag = _poll(_as(client, developer), ITEM_POLL)["ETag"]
    comment_create(actor=po.actor, target=access_target(po.actor, "item", "ACME-2"), body="Hi")
    services.item_update(actor=po.actor, item=_fresh("ACME-3"), title="Elsewhere")
    assert _poll(client, ITEM_POLL, tag).status_code == 304


def test_a_child_added_is_a_change(
    client: Client, developer: Persona, admin: Persona, make_item: MakeItem
) -> None:
    from lodestar.backlog.models import ItemKind

    epic = make_item("Epic", kind=ItemKind.EPIC)
    url = f"/w/acme/items/{epic.key}/live"
    tag = _poll(_as(client, developer), url)["ETag"]
    make_item("A story", actor=admin.actor, parent=epic)
    assert _changed(client, url, tag)["changed_by"] == "Admin"


def test_trashing_the_item_is_a_change_that_says_it_is_gone(
    client: Client, developer: Persona, owner: Persona, three: list[BacklogItem]
) -> None:
    tag = _poll(_as(client, developer), ITEM_POLL)["ETag"]
    services.item_delete(actor=owner.actor, item=_fresh())
    body = _changed(client, ITEM_POLL, tag)
    assert body["gone"] is True
    assert body["changed_by"] == "Owner"
    services.item_restore(actor=owner.actor, item=_fresh())
    assert _changed(client, ITEM_POLL, body["etag"])["gone"] is False


def test_an_unchanged_poll_is_a_few_queries_and_writes_nothing(
    client: Client, developer: Persona, three: list[BacklogItem]
) -> None:
    tag = _poll(_as(client, developer), ITEM_POLL)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert _poll(client, ITEM_POLL, tag).status_code == 304
    # The session, the workspace and membership, and the stamp: one query for the item.
    stamps = [q for q in queries.captured_queries if "backlog_backlogitem" in q["sql"]]
    assert len(stamps) == 1
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert len(queries) <= 5


@pytest.mark.parametrize("url", [ITEM_POLL, BACKLOG_POLL])
def test_outsiders_and_missing_objects_get_404(
    client: Client, outsider: Persona, developer: Persona, three: list[BacklogItem], url: str
) -> None:
    assert _poll(_as(client, outsider), url).status_code == 404
    member = _as(Client(), developer)
    assert member.get("/w/acme/items/ACME-99/live").status_code == 404
    assert member.get("/w/acme/products/NOPE/backlog/live").status_code == 404
    assert member.get("/w/globex/items/ACME-1/live").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, three: list[BacklogItem]) -> None:
    response = client.get(ITEM_POLL)
    assert response.status_code == 302
    assert "/login" in response["Location"] or "sign" in response["Location"]


def test_a_poll_takes_get_only(
    client: Client, developer: Persona, three: list[BacklogItem]
) -> None:
    assert _as(client, developer).post(ITEM_POLL).status_code == 405


# -- a product's backlog ------------------------------------------------------------------------


def test_the_backlog_page_carries_its_poll(
    client: Client, viewer: Persona, three: list[BacklogItem]
) -> None:
    page = _as(client, viewer).get("/w/acme/products/ACME/backlog").content.decode()
    found = re.search(r'data-live-url="([^"]+)" data-live-etag="([^"]+)"', page)
    assert found is not None
    assert found.group(1) == BACKLOG_POLL
    assert 'data-live-event="backlog-changed"' in page
    assert _poll(client, BACKLOG_POLL, found.group(2).replace("&quot;", '"')).status_code == 304


def test_the_backlog_changes_on_an_edit_a_move_a_new_item_and_the_trash(
    client: Client, viewer: Persona, po: Persona, owner: Persona, three: list[BacklogItem]
) -> None:
    tag = _poll(_as(client, viewer), BACKLOG_POLL)["ETag"]
    assert _poll(client, BACKLOG_POLL, tag).status_code == 304
    services.item_move(actor=po.actor, item=_fresh("ACME-3"), position="top")
    body = _changed(client, BACKLOG_POLL, tag)
    assert body["changed_by"] == "Po"
    services.item_update(actor=owner.actor, item=_fresh("ACME-2"), estimate="3")
    body = _changed(client, BACKLOG_POLL, body["etag"])
    assert body["changed_by"] == "Owner"
    services.item_create(actor=po.actor, product=_fresh().product, title="New")
    body = _changed(client, BACKLOG_POLL, body["etag"])
    services.item_delete(actor=owner.actor, item=_fresh("ACME-1"))
    body = _changed(client, BACKLOG_POLL, body["etag"])
    assert body["changed_by"] == "Owner"
    assert _poll(client, BACKLOG_POLL, body["etag"]).status_code == 304


def test_items_imported_with_old_dates_are_a_change(
    client: Client, viewer: Persona, owner: Persona, three: list[BacklogItem], product: Product
) -> None:
    import datetime as dt

    from lodestar.backlog.services import ItemSpec, items_create_many

    tag = _poll(_as(client, viewer), BACKLOG_POLL)["ETag"]
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    items_create_many(
        actor=owner.actor,
        product=product,
        specs=[ItemSpec(title="From Jira", created_at=long_ago, updated_at=long_ago)],
    )
    _changed(client, BACKLOG_POLL, tag)


def test_purging_from_the_trash_changes_nothing_the_backlog_shows(
    client: Client, viewer: Persona, owner: Persona, three: list[BacklogItem]
) -> None:
    from django.utils import timezone

    from lodestar.core.trash import purge_trashed_before

    services.item_delete(actor=owner.actor, item=_fresh("ACME-2"))
    # (Purging the item changed last would move the newest change back: one refresh for
    # nothing, never a change missed.)
    services.item_update(actor=owner.actor, item=_fresh("ACME-3"), title="Later")
    tag = _poll(_as(client, viewer), BACKLOG_POLL)["ETag"]
    assert purge_trashed_before(timezone.now()) == 1
    assert not BacklogItem.all_objects.filter(key="ACME-2").exists()
    assert _poll(client, BACKLOG_POLL, tag).status_code == 304


def test_another_products_changes_leave_the_backlog_alone(
    client: Client, viewer: Persona, owner: Persona, three: list[BacklogItem], product: Product
) -> None:
    other = Product.objects.create(workspace=product.workspace, key="BETA", name="Beta")
    tag = _poll(_as(client, viewer), BACKLOG_POLL)["ETag"]
    services.item_create(actor=owner.actor, product=other, title="Elsewhere")
    assert _poll(client, BACKLOG_POLL, tag).status_code == 304


def test_an_unchanged_backlog_poll_reads_one_aggregate(
    client: Client, viewer: Persona, three: list[BacklogItem]
) -> None:
    tag = _poll(_as(client, viewer), BACKLOG_POLL)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert _poll(client, BACKLOG_POLL, tag).status_code == 304
    stamps = [q for q in queries.captured_queries if "backlog_backlogitem" in q["sql"]]
    assert len(stamps) == 1
    assert len(queries) <= 5


# -- the stale edit -----------------------------------------------------------------------------


def test_a_stale_api_edit_names_who_changed_the_item_and_when(
    api_client: Any, developer: Persona, owner: Persona, three: list[BacklogItem]
) -> None:
    services.item_update(actor=owner.actor, item=_fresh(), title="Theirs")
    before = list(BacklogItem.all_objects.values_list("key", "title", "version"))
    response = api_client(developer).patch(
        "/api/v1/workspaces/acme/items/ACME-1",
        json.dumps({"title": "Mine"}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 412
    problem = response.json()
    assert problem["code"] == "stale_version"
    assert re.fullmatch(
        rf"This backlog item was changed by Owner at {WHEN} — reload it and apply your change "
        r"again\.",
        problem["detail"],
    )
    assert problem["changed_by"] == "Owner"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", problem["changed_at"])
    assert list(BacklogItem.all_objects.values_list("key", "title", "version")) == before


def test_the_page_shows_the_412_sentence_with_a_reload(
    client: Client, developer: Persona, owner: Persona, three: list[BacklogItem]
) -> None:
    services.item_update(actor=owner.actor, item=_fresh(), title="Theirs")
    response = _as(client, developer).post(
        "/w/acme/items/ACME-1/edit",
        {"title": "Mine", "version": 1},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 412
    body = response.content.decode()
    sentence = re.search(r'data-testid="stale-sentence">([^<]+)<', body)
    assert sentence is not None
    assert re.fullmatch(
        rf"This backlog item was changed by Owner at {WHEN} — reload it and apply your change "
        r"again\.",
        sentence.group(1),
    )
    assert ">Reload</button>" in body
    assert _fresh().title == "Theirs"
