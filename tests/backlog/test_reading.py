"""Reading the backlog: totals of the filtered list, reading sorts that never change the order
(page, API), and the action bar's page endpoint."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, get_args

import pytest
from django.test import Client

from lodestar.backlog.api import SortName
from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.prioritization import services as scoring
from lodestar.backlog.selectors import SORTS, BacklogFilters, backlog_list, backlog_totals
from lodestar.core.errors import Invalid
from lodestar.core.models import HistoryEntry
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, ordered_keys
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

ApiClient = Callable[[Persona], Client]
BACKLOG = "/w/acme/products/ACME/backlog"
BULK = BACKLOG + "/bulk"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def items(make_item: MakeItem, owner: Persona, goal: ProductGoal) -> list[BacklogItem]:
    """ACME-1..5: estimates 3, none, 8, "?", 1; ACME-5 is done; ACME-1 and ACME-3 are scored."""
    made = [
        make_item("Charlie", estimate="3", goal=goal),
        make_item("alpha"),
        make_item("Bravo", estimate="8"),
        make_item("Echo", estimate="?"),
        make_item("Delta", estimate="1", status=ItemStatus.DONE),
    ]
    for item, reach in ((made[0], 100), (made[2], 900)):
        scoring.score_set(
            actor=owner.actor,
            item=item,
            framework="rice",
            inputs={"reach": reach, "impact": 1, "confidence": 100, "effort": 1},
        )
    return made


def _text(response: Any) -> str:
    """The answer's text without its tags."""
    return re.sub(r"<[^>]+>", "", response.content.decode())


def _keys(page: Any) -> list[str]:
    return [item.key for item in page.items]


# -- totals -------------------------------------------------------------------------------------


def test_totals_count_every_item_the_filters_keep(
    owner: Persona, items: list[BacklogItem], product: Product
) -> None:
    everything = backlog_totals(actor=owner.actor, product=product)
    assert (everything.items, everything.points, everything.unestimated) == (5, Decimal(12), 2)
    open_only = backlog_totals(
        actor=owner.actor, product=product, filters=BacklogFilters(finished=False)
    )
    assert (open_only.items, open_only.points) == (4, Decimal(11))
    assert (open_only.ready_items, open_only.ready_points) == (0, Decimal(0))


def test_the_page_shows_the_totals_of_the_filtered_list(
    client: Client, po: Persona, items: list[BacklogItem], product: Product
) -> None:
    client.force_login(po.user)
    body = _text(client.get(BACKLOG))
    assert "4 items · 11 points (2 not estimated)" in body
    assert "ready: 0 items, 0 points" in body
    body = _text(client.get(BACKLOG, {"q": "a"}, headers=HTMX))
    # Charlie, alpha, Bravo: Delta is done and out of the way.
    assert "3 items · 11 points (1 not estimated)" in body


# -- reading sorts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-rice", ["ACME-3", "ACME-1", "ACME-2", "ACME-4", "ACME-5"]),
        ("rice", ["ACME-1", "ACME-3", "ACME-2", "ACME-4", "ACME-5"]),
        ("-estimate", ["ACME-3", "ACME-1", "ACME-5", "ACME-2", "ACME-4"]),
        ("estimate", ["ACME-5", "ACME-1", "ACME-3", "ACME-2", "ACME-4"]),
        ("title", ["ACME-2", "ACME-3", "ACME-1", "ACME-5", "ACME-4"]),
        ("-key", ["ACME-5", "ACME-4", "ACME-3", "ACME-2", "ACME-1"]),
    ],
)
def test_a_sort_orders_the_list_for_reading_and_leaves_the_backlog_order(
    owner: Persona, items: list[BacklogItem], product: Product, sort: str, expected: list[str]
) -> None:
    before = ordered_keys(product)
    page = backlog_list(actor=owner.actor, product=product, sort=sort)
    assert _keys(page) == expected
    assert ordered_keys(product) == before


def test_a_sorted_list_pages_on_and_refuses_a_foreign_cursor_or_sort(
    owner: Persona, items: list[BacklogItem], product: Product
) -> None:
    first = backlog_list(actor=owner.actor, product=product, sort="-estimate", limit=2)
    assert _keys(first) == ["ACME-3", "ACME-1"]
    rest = backlog_list(
        actor=owner.actor, product=product, sort="-estimate", limit=3, cursor=first.next_cursor
    )
    assert _keys(rest) == ["ACME-5", "ACME-2", "ACME-4"]
    assert rest.next_cursor is None
    ranked = backlog_list(actor=owner.actor, product=product, limit=2)
    with pytest.raises(Invalid, match="cursor"):
        backlog_list(actor=owner.actor, product=product, sort="key", cursor=ranked.next_cursor)
    with pytest.raises(Invalid, match="sort: must be one of"):
        backlog_list(actor=owner.actor, product=product, sort="score")


def test_the_api_sorts_and_documents_the_same_names(
    api_client: ApiClient, developer: Persona, items: list[BacklogItem]
) -> None:
    assert set(get_args(SortName)) == set(SORTS)
    client = api_client(developer)
    url = "/api/v1/workspaces/acme/products/ACME/backlog"
    response = client.get(url, {"sort": "-rice", "finished": "false"})
    assert response.status_code == 200
    assert [i["key"] for i in response.json()["items"]] == ["ACME-3", "ACME-1", "ACME-2", "ACME-4"]
    assert client.get(url, {"sort": "score"}).status_code == 422


def test_the_page_says_it_is_sorted_and_links_back(
    client: Client, po: Persona, items: list[BacklogItem]
) -> None:
    client.force_login(po.user)
    body = client.get(BACKLOG, {"sort": "-rice", "q": "o"}).content.decode()
    assert 'data-sorted="-rice"' in body
    assert "Sorted by RICE score — the backlog order is unchanged." in body
    assert f'href="{BACKLOG}?q=o" hx-get' in body  # back to the order, the filter kept
    # The sorted column's header turns the direction around; the others start at their own.
    assert f'href="{BACKLOG}?q=o&amp;sort=rice"' in body
    assert f'href="{BACKLOG}?q=o&amp;sort=-estimate"' in body
    response = client.get(BACKLOG, {"sort": "-height"})
    assert response.status_code == 422
    assert "Sorted by" not in response.content.decode()


# -- the action bar's endpoint --------------------------------------------------------------------


def _history() -> int:
    return HistoryEntry.objects.count()


def test_the_bar_changes_the_items_and_asks_the_list_to_reload(
    client: Client, po: Persona, items: list[BacklogItem], product: Product
) -> None:
    client.force_login(po.user)
    response = client.post(
        BULK,
        {
            "items": ["ACME-2", "ACME-4"],
            "version": ["1", "1"],
            "status": "in_progress",
            "assignee": po.email,
            "goal": "-",
            "estimate": "5",
            "add_labels": "urgent, mobile",
            "position": "top",
        },
        headers=HTMX,
    )
    assert response.status_code == 200, response.content
    assert response["HX-Trigger"] == "backlog-changed"
    text = response.content.decode()
    assert "2 items: status In progress; assigned to Po; no goal; estimate 5" in text
    assert "labels added: urgent, mobile; moved to the top." in text
    assert ordered_keys(product)[:2] == ["ACME-2", "ACME-4"]
    changed = BacklogItem.objects.get(key="ACME-4")
    assert (changed.status, changed.estimate, changed.assignee_id) == (
        ItemStatus.IN_PROGRESS,
        Decimal(5),
        po.membership.pk,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"items": ["ACME-1", "ACME-9"], "status": "done"}, "no item &#x27;ACME-9&#x27;"),
        ({"status": "done"}, "select at least one item"),
        ({"items": ["ACME-1"]}, "choose what to change"),
        ({"items": ["ACME-1"], "status": "finished"}, "Status: Select a valid choice."),
        (
            {"items": ["ACME-1"], "version": ["9"], "status": "done"},
            "ACME-1 was changed by someone else",
        ),
        (
            {"items": ["ACME-1", "ACME-2"], "status": "ready"},
            "ACME-1 status: Has acceptance criteria",
        ),
        ({"items": ["ACME-1"], "estimate": "4"}, "Estimate: Select a valid choice."),
        ({"items": ["ACME-1"], "add_labels": "x" * 41}, "ACME-1 labels: must be 1 to 40"),
    ],
)
def test_a_refused_bar_changes_nothing_and_says_why(
    client: Client,
    owner: Persona,
    items: list[BacklogItem],
    product: Product,
    data: dict[str, Any],
    message: str,
) -> None:
    client.force_login(owner.user)
    before = (ordered_keys(product), _history())
    response = client.post(BULK, data, headers=HTMX)
    assert response.status_code in {412, 422}
    assert response["HX-Reswap"] == "none"
    assert message in response.content.decode()
    assert (ordered_keys(product), _history()) == before


def test_a_viewer_and_a_developer_moving_are_refused(
    client: Client, viewer: Persona, developer: Persona, items: list[BacklogItem]
) -> None:
    before = _history()
    client.force_login(viewer.user)
    assert (
        client.post(BULK, {"items": ["ACME-1"], "status": "done"}, headers=HTMX).status_code == 403
    )
    client.force_login(developer.user)
    moved = client.post(BULK, {"items": ["ACME-1"], "position": "top"}, headers=HTMX)
    assert moved.status_code == 403
    assert "product owner" in moved.content.decode()
    assert _history() == before


def test_without_the_script_the_bar_posts_and_comes_back_to_the_backlog(
    client: Client, owner: Persona, items: list[BacklogItem]
) -> None:
    client.force_login(owner.user)
    response = client.post(BULK, {"items": ["ACME-1", "ACME-2"], "delete": "on"})
    assert response.status_code == 302
    assert response["Location"] == BACKLOG
    assert BacklogItem.objects.filter(key__in=["ACME-1", "ACME-2"]).count() == 0
    page = client.get(BACKLOG).content.decode()
    assert "2 items: moved to the trash." in page
    assert json.dumps("ACME-1") not in page


def test_a_viewer_gets_neither_boxes_nor_the_bar_and_a_developer_no_moves(
    client: Client, viewer: Persona, developer: Persona, items: list[BacklogItem]
) -> None:
    client.force_login(viewer.user)
    body = client.get(BACKLOG).content.decode()
    assert 'id="bl-bulk"' not in body
    assert "data-check" not in body
    client.force_login(developer.user)
    body = client.get(BACKLOG).content.decode()
    assert 'id="bl-bulk"' in body
    assert 'form="bl-bulk"' in body
    assert "Move to top" not in body
