"""The backlog page as a tree and grouped by epic, and a parent's move through the page's move
endpoint (issue 8)."""

from __future__ import annotations

import re

from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, ordered_keys
from tests.backlog.test_tree_selectors import tree
from tests.backlog.test_views import BACKLOG, HTMX, _as
from tests.conftest import Persona

__all__ = ["tree"]


def _rows(html: str) -> list[str]:
    return re.findall(r'<li class="bl-row[^"]*" id="row-([A-Z]+-\d+)"', html)


def test_the_page_shows_children_under_their_parent(
    client: Client, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    html = _as(client, po).get(BACKLOG).content.decode()
    assert _rows(html) == [
        "ACME-1", "ACME-2", "ACME-4", "ACME-5", "ACME-8", "ACME-3", "ACME-6", "ACME-7"
    ]  # fmt: skip
    assert (
        'id="row-ACME-5" data-key="ACME-5" data-version="1" data-depth="2" data-parent="ACME-4"'
        in html
    )
    assert 'aria-controls="row-ACME-5 row-ACME-8" aria-label="Items under ACME-4"' in html
    assert 'aria-expanded="true"' in html


def test_grouped_by_epic(client: Client, po: Persona, tree: dict[str, BacklogItem]) -> None:
    response = _as(client, po).get(BACKLOG, {"group": "epic"})
    assert response.status_code == 200
    html = response.content.decode()
    heads = re.findall(r'<li class="bl-group-head" id="group-([\w-]+)"', html)
    assert heads == ["ACME-2", "ACME-6", "none"]
    assert _rows(html) == ["ACME-4", "ACME-5", "ACME-8", "ACME-7", "ACME-1", "ACME-3"]
    assert "Ordering is off here" in html
    assert 'value="epic" checked' in html


def test_a_section_loads_its_next_page_in_the_same_view(
    client: Client, po: Persona, product: Product, make_item: MakeItem, monkeypatch: object
) -> None:
    from lodestar.backlog.views import backlog as view

    epic = make_item("Epic", kind="epic")
    for n in range(4):
        make_item(f"Story {n}", parent=epic)
    make_item("Loose")
    monkeypatch.setattr(view, "PAGE_SIZE", 3)  # type: ignore[attr-defined]
    html = _as(client, po).get(BACKLOG, {"group": "epic"}).content.decode()
    assert _rows(html) == ["ACME-2", "ACME-3", "ACME-4", "ACME-6"]
    more = re.search(r'hx-get="([^"]*epic=ACME-1[^"]*)"', html)
    assert more is not None
    url = more.group(1).replace("&amp;", "&")
    assert "group=epic" in url
    rest = client.get(url, headers=HTMX).content.decode()
    assert _rows(rest) == ["ACME-5"]


def test_a_way_to_group_that_does_not_exist_is_refused_with_what_to_do(
    client: Client, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    response = _as(client, po).get(BACKLOG, {"group": "owner"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Group: &#x27;owner&#x27; is not a way to group; use group=epic or leave it out." in html
    assert _rows(html)[0] == "ACME-1"
    unknown = client.get(
        BACKLOG, {"group": "epic", "epic": "ACME-99", "fragment": "rows"}, headers=HTMX
    )
    assert unknown.status_code == 422


def test_moving_a_parent_on_the_page_brings_its_children(
    client: Client, po: Persona, product: Product, tree: dict[str, BacklogItem]
) -> None:
    response = _as(client, po).post(
        "/w/acme/items/ACME-2/move", {"position": "bottom", "version": "1"}
    )
    assert response.status_code == 200, response.content
    assert ordered_keys(product)[-4:] == ["ACME-2", "ACME-4", "ACME-5", "ACME-8"]
    refused = client.post("/w/acme/items/ACME-2/move", {"after": "ACME-5", "version": "2"})
    assert refused.status_code == 422
    assert "ACME-5 sits under ACME-2 and moves with it" in refused.json()["detail"]
