"""The backlog pages per persona: the ordered list, moves, inline create, the item panel and
its actions, and "suggest order". Every refusal and every bad input writes nothing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.backlog.prioritization import services as scoring
from lodestar.backlog.prioritization.models import Score
from lodestar.core.models import HistoryEntry
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, ordered_keys, product
from tests.conftest import Persona

__all__ = ["goal", "make_item", "product"]

BACKLOG = "/w/acme/products/ACME/backlog"
SUGGEST = BACKLOG + "/suggest"
HTMX = {"HX-Request": "true"}
PANEL = {"HX-Request": "true", "HX-Target": "item-panel"}
READERS = ["owner", "admin", "po", "developer", "viewer"]
# Sign-in, workspace, product, its goals and members for the menus, the rights, the items with
# their labels, their scores, the velocity of the product's teams (their closed sprints), the
# stamp its poll compares (one aggregate): none of it grows with the number of items on the page;
# and the sidebar's unread count.
PAGE_QUERY_BUDGET = 21


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _writes() -> tuple[int, int, list[tuple[str, str, int]]]:
    """A fingerprint of everything a refused request must leave alone."""
    rows = list(BacklogItem.all_objects.values_list("key", "rank", "version").order_by("key"))
    return HistoryEntry.objects.count(), Score.objects.count(), rows


@pytest.fixture
def three(make_item: MakeItem, goal: ProductGoal) -> list[BacklogItem]:
    """ACME-1..3 in that order, serving the goal."""
    return [make_item(f"Item {n}", goal=goal) for n in (1, 2, 3)]


def _item(key: str) -> BacklogItem:
    return BacklogItem.all_objects.get(key=key)


def _row(page: str, key: str) -> str:
    """The HTML of one backlog row of ``page``."""
    at = page.index(f'id="row-{key}"')
    start = page.rindex("<li", 0, at)
    return page[start : page.index("</li>", at)]


def _count_rows(page: str) -> int:
    return page.count('<li class="bl-row')


# -- pages per persona -------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
@pytest.mark.parametrize(
    "url", [BACKLOG, SUGGEST, "/w/acme/items/ACME-1", "/w/acme/items/acme-1?panel=1"]
)
def test_every_member_sees_the_backlog_pages(
    client: Client, request: pytest.FixtureRequest, three: list[BacklogItem], who: str, url: str
) -> None:
    response = _as(client, request.getfixturevalue(who)).get(url)
    assert response.status_code == 200
    assert "ACME-1" in response.content.decode()


@pytest.mark.parametrize(
    "url", [BACKLOG, SUGGEST, "/w/acme/items/ACME-1", BACKLOG + "?fragment=rows"]
)
def test_a_member_of_another_workspace_gets_404(
    client: Client, outsider: Persona, three: list[BacklogItem], url: str
) -> None:
    assert _as(client, outsider).get(url).status_code == 404


def test_anonymous_visitors_go_to_sign_in(client: Client, three: list[BacklogItem]) -> None:
    response = client.get(BACKLOG)
    assert response.status_code == 302
    assert response["Location"].startswith("/signin?next=")
    response = client.get("/w/acme/items/ACME-1", headers=HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/signin?next=")


def test_missing_and_trashed_items_are_404(
    client: Client, po: Persona, three: list[BacklogItem]
) -> None:
    _as(client, po)
    assert client.get("/w/acme/items/ACME-99").status_code == 404
    client.post("/w/acme/items/ACME-2/delete", {"version": three[1].version})
    assert client.get("/w/acme/items/ACME-2").status_code == 404


# -- the list -----------------------------------------------------------------------------------


def test_the_backlog_lists_items_in_rank_order_with_keys_kinds_and_scores(
    client: Client, po: Persona, three: list[BacklogItem], make_item: MakeItem
) -> None:
    bug = make_item("A bug", kind=ItemKind.BUG, position="top", estimate="5", labels=["billing"])
    scoring.score_set(
        actor=po.actor,
        item=bug,
        framework="rice",
        inputs={"reach": 1000, "impact": 2, "confidence": 80, "effort": 2},
    )
    page = _as(client, po).get(BACKLOG).content.decode()
    order = [page.index(f'id="row-ACME-{n}"') for n in (4, 1, 2, 3)]
    assert order == sorted(order)
    row = _row(page, "ACME-4")
    assert "kind-bug" in row
    assert "A bug" in row
    assert ">billing<" in row
    assert ">800<" in row  # RICE 1000 x 2 x 80% / 2
    assert "1000 x 2 x 80% / 2 = 800" in row  # the explanation on hover
    assert '<span class="bl-est" title="Estimate in points">5</span>' in row


def test_a_long_pasted_title_reaches_the_server_whole(
    client: Client, po: Persona, three: Any
) -> None:
    """The browser must not cut it silently (maxlength): the server refuses it and says why."""
    page = _as(client, po).get(BACKLOG).content.decode()
    create = page.split('id="bl-create"', 1)[1].split("</form>", 1)[0]
    assert "bl-create-title" in create
    assert "maxlength" not in create


def test_the_estimate_column_tells_unknown_from_not_estimated(
    client: Client, po: Persona, goal: Any, make_item: MakeItem
) -> None:
    make_item("Sized", goal=goal, estimate=3, labels=["a-very-long-label-name-indeed"])
    make_item("Unknown", goal=goal, estimate="?")
    make_item("Not yet", goal=goal)
    page = _as(client, po).get(BACKLOG).content.decode()
    assert '<span class="bl-est" title="Estimate in points">3</span>' in _row(page, "ACME-1")
    assert 'title="Estimate unknown: the team could not size it yet">?<' in _row(page, "ACME-2")
    assert 'title="Not estimated yet">\u2013<' in _row(page, "ACME-3")  # an en dash
    # A long label keeps its whole name on hover (the column ends it in "…").
    assert 'title="a-very-long-label-name-indeed"' in _row(page, "ACME-1")


def test_done_and_wont_do_are_out_of_the_way_unless_asked_for(
    client: Client, po: Persona, goal: Any, make_item: MakeItem
) -> None:
    make_item("Open one", goal=goal)
    make_item("Shipped", goal=goal, status="done")
    make_item("Dropped", goal=goal, status="wont_do")
    make_item("Open two", goal=goal)
    _as(client, po)
    default = client.get(BACKLOG).content.decode()
    assert 'id="row-ACME-1"' in default
    assert 'id="row-ACME-4"' in default
    assert 'id="row-ACME-2"' not in default
    assert 'id="row-ACME-3"' not in default
    assert 'data-testid="filtered"' not in default  # the usual view, not a filtered one
    assert "Show done and won&#x27;t do" in default or "Show done and won't do" in default
    shown = client.get(BACKLOG + "?finished=on").content.decode()
    order = [shown.index(f'id="row-ACME-{n}"') for n in (1, 2, 3, 4)]
    assert order == sorted(order)  # in the backlog's own order
    done_only = client.get(BACKLOG + "?status=done").content.decode()
    assert 'id="row-ACME-2"' in done_only
    assert 'id="row-ACME-1"' not in done_only


def test_flagged_items_carry_a_marker(
    client: Client, po: Persona, three: list[BacklogItem], make_item: MakeItem
) -> None:
    make_item("Orphan work")
    page = _as(client, po).get(BACKLOG).content.decode()
    orphan = _row(page, "ACME-4")
    assert "is-flagged" in orphan
    assert "serves no Product Goal" in orphan
    assert 'data-testid="flag"' in orphan
    # The visible reason is the declared one, never a fixed text.
    assert (
        '<span class="bl-flag-why">: serves no Product Goal and solves no customer problem</span>'
        in orphan
    )
    assert "no problem" not in orphan
    served = _row(page, "ACME-1")
    assert "is-flagged" not in served
    assert 'data-testid="flag"' not in served


def test_the_goal_column_speaks_only_when_an_item_differs(
    client: Client, po: Persona, owner: Persona, product: Any, make_item: MakeItem
) -> None:
    """Most rows serve the active goal: they stay quiet; an earlier goal or none stands out."""
    from lodestar.strategy import services as strategy

    earlier = strategy.goal_set(actor=owner.actor, product=product, statement="Onboard in a day")
    make_item("Old work", goal=earlier)
    strategy.goal_set(actor=owner.actor, product=product, statement="Share dashboards")
    active = product.goals.get(statement="Share dashboards")
    make_item("Current work", goal=active)
    page = _as(client, po).get(BACKLOG).content.decode()
    assert "Active goal<" not in page
    current = _row(page, "ACME-2")
    assert 'data-testid="goal-active"' in current
    assert "Serves the active Product Goal: Share dashboards" in current  # on hover
    old = _row(page, "ACME-1")
    assert "Earlier goal: Onboard in a day" in old


def test_the_product_owner_gets_a_draggable_list(
    client: Client, po: Persona, three: list[BacklogItem]
) -> None:
    page = _as(client, po).get(BACKLOG).content.decode()
    assert 'data-can-order="1"' in page
    assert "is-orderable" in page
    assert 'title="Drag to order"' in page
    assert 'data-testid="order-hint"' not in page


@pytest.mark.parametrize("who", ["developer", "viewer"])
def test_others_get_a_list_that_does_not_drag_and_says_why(
    client: Client, request: pytest.FixtureRequest, three: list[BacklogItem], who: str
) -> None:
    page = _as(client, request.getfixturevalue(who)).get(BACKLOG).content.decode()
    assert 'data-can-order="0"' in page
    assert "is-orderable" not in page
    assert 'title="Drag to order"' not in page
    hint = page.split('data-testid="order-hint"', 1)[1].split("</span>", 1)[0]
    assert "Only the product owner orders the backlog" in hint


def test_viewers_get_no_create_field(client: Client, viewer: Persona, three: Any) -> None:
    assert 'id="bl-create"' not in _as(client, viewer).get(BACKLOG).content.decode()


def test_developers_create_at_the_bottom_only(
    client: Client, developer: Persona, three: Any
) -> None:
    page = _as(client, developer).get(BACKLOG).content.decode()
    create = page.split('id="bl-create"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="position" value="bottom">' in create
    assert 'name="position" class' not in create


@pytest.fixture
def varied(
    make_item: MakeItem, goal: ProductGoal, developer: Persona, po: Persona
) -> list[BacklogItem]:
    return [
        make_item("Export to CSV", kind=ItemKind.STORY, goal=goal, labels=["export"]),
        make_item("Crash on login", kind=ItemKind.BUG, goal=goal, assignee=developer.membership),
        make_item("Research caching", kind=ItemKind.SPIKE),
        make_item("Export to PDF", kind=ItemKind.STORY, goal=goal, status=ItemStatus.WONT_DO),
    ]


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("kind=bug", ["ACME-2"]),
        ("status=wont_do", ["ACME-4"]),
        ("label=EXPORT", ["ACME-1"]),
        ("assignee=dev%40acme.test", ["ACME-2"]),
        # Won't-do work (ACME-4) is out of the way unless asked for.
        ("assignee=none", ["ACME-1", "ACME-3"]),
        ("assignee=none&finished=on", ["ACME-1", "ACME-3", "ACME-4"]),
        ("flagged=1", ["ACME-3"]),
        ("flagged=0", ["ACME-1", "ACME-2"]),
        ("flagged=0&finished=on", ["ACME-1", "ACME-2", "ACME-4"]),
        ("q=export", ["ACME-1"]),
        ("q=export&finished=on", ["ACME-1", "ACME-4"]),
        ("q=export&status=new", ["ACME-1"]),
    ],
)
def test_filters_narrow_the_list(
    client: Client, po: Persona, varied: list[BacklogItem], query: str, keys: list[str]
) -> None:
    page = _as(client, po).get(f"{BACKLOG}?{query}").content.decode()
    shown = [f"ACME-{n}" for n in range(1, 5) if f'id="row-ACME-{n}"' in page]
    assert shown == keys
    assert 'data-testid="filtered"' in page


def test_the_goal_filter_takes_the_goal_id(
    client: Client, po: Persona, varied: list[BacklogItem], goal: ProductGoal
) -> None:
    page = _as(client, po).get(f"{BACKLOG}?goal={goal.pk}").content.decode()
    assert 'id="row-ACME-3"' not in page
    assert 'id="row-ACME-1"' in page


def test_htmx_filtering_returns_only_the_list_body(
    client: Client, po: Persona, varied: list[BacklogItem]
) -> None:
    response = _as(client, po).get(f"{BACKLOG}?kind=spike", headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="backlog-body"')
    assert "<html" not in body
    assert 'id="row-ACME-3"' in body
    assert 'id="row-ACME-1"' not in body


def test_a_bad_filter_is_explained_and_ignored(
    client: Client, po: Persona, varied: list[BacklogItem]
) -> None:
    response = _as(client, po).get(f"{BACKLOG}?kind=saga&goal=abc")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Some filters were ignored" in page
    assert "saga is not one of the available choices" in page
    assert 'id="row-ACME-1"' in page


def test_a_bad_cursor_is_refused(client: Client, po: Persona, three: Any) -> None:
    response = _as(client, po).get(f"{BACKLOG}?cursor=nonsense&fragment=rows", headers=HTMX)
    assert response.status_code == 422


def test_the_list_comes_in_pages_with_a_cursor(
    client: Client, po: Persona, make_item: MakeItem, goal: ProductGoal
) -> None:
    for n in range(55):
        make_item(f"Item {n + 1}", goal=goal)
    page = _as(client, po).get(BACKLOG + "?kind=story").content.decode()
    assert _count_rows(page) == 50
    assert 'id="row-ACME-50"' in page
    assert 'id="row-ACME-51"' not in page
    more = page.split('class="bl-more" hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "kind=story" in more
    assert "fragment=rows" in more
    rest = client.get(more, headers=HTMX).content.decode()
    assert "<html" not in rest
    assert _count_rows(rest) == 5
    assert 'id="row-ACME-51"' in rest
    assert "bl-more" not in rest


def test_the_backlog_page_costs_the_same_queries_whatever_its_size(
    client: Client,
    po: Persona,
    owner: Persona,
    developer: Persona,
    make_item: MakeItem,
    goal: ProductGoal,
) -> None:
    epic = make_item("An epic", kind=ItemKind.EPIC, goal=goal)

    def grow(to: int) -> int:
        for n in range(BacklogItem.objects.count(), to):
            item = make_item(
                f"Story {n}",
                goal=goal,
                parent=epic,
                labels=["a", f"l{n % 3}"],
                assignee=[developer.membership, po.membership][n % 2],
                estimate="3",
            )
            for framework, inputs in (
                ("rice", {"reach": 10 * n, "impact": 1, "confidence": 50, "effort": 1}),
                (
                    "wsjf",
                    {
                        "business_value": 3,
                        "time_criticality": 2,
                        "risk_reduction": 1,
                        "job_size": 2,
                    },
                ),
            ):
                scoring.score_set(actor=owner.actor, item=item, framework=framework, inputs=inputs)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(BACKLOG)
        assert _count_rows(response.content.decode()) == to
        return len(queries)

    _as(client, po).get(BACKLOG)  # the first visit also writes the session; measure later ones
    small = grow(5)
    large = grow(40)
    assert small == large
    assert large <= PAGE_QUERY_BUDGET


# -- inline create ------------------------------------------------------------------------------


def test_the_product_owner_adds_an_item_at_the_top(
    client: Client, po: Persona, three: list[BacklogItem], goal: ProductGoal
) -> None:
    response = _as(client, po).post(
        BACKLOG,
        {"title": "Urgent fix", "kind": "bug", "goal": str(goal.pk), "position": "top"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Reswap"] == "afterbegin"
    body = response.content.decode()
    assert 'id="row-ACME-4"' in body
    assert "ACME-4 added at the top of the backlog." in body  # the toast, out of band
    assert ordered_keys(goal.product) == ["ACME-4", "ACME-1", "ACME-2", "ACME-3"]
    assert _item("ACME-4").goal == goal


def test_a_developer_adds_an_item_at_the_bottom(
    client: Client, developer: Persona, three: list[BacklogItem], product: Product
) -> None:
    response = _as(client, developer).post(
        BACKLOG,
        {"title": "Add a retry", "kind": "task", "goal": "", "position": "bottom"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Reswap"] == "beforeend"
    assert ordered_keys(product)[-1] == "ACME-4"
    assert 'class="bl-row is-flagged' in response.content.decode()  # no goal: flagged at once


def test_a_developer_cannot_add_at_the_top(
    client: Client, developer: Persona, three: list[BacklogItem]
) -> None:
    before = _writes()
    response = _as(client, developer).post(
        BACKLOG, {"title": "Me first", "kind": "story", "position": "top"}, headers=HTMX
    )
    assert response.status_code == 403
    assert "orders the Product Backlog" in response.content.decode()
    assert _writes() == before


def test_a_viewer_cannot_add_items(client: Client, viewer: Persona, three: Any) -> None:
    before = _writes()
    response = _as(client, viewer).post(
        BACKLOG, {"title": "Hi", "kind": "story", "position": "bottom"}
    )
    assert response.status_code == 403
    assert _writes() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "kind": "story", "position": "bottom"}, "Title: This field is required."),
        ({"title": "Ok", "kind": "saga", "position": "bottom"}, "Kind: Select a valid choice"),
        ({"title": "x" * 256, "kind": "story", "position": "bottom"}, "at most 255 characters"),
        ({"title": "Ok", "kind": "story", "position": "middle"}, "Position: Select a valid"),
        ({"title": "Ok", "kind": "story", "goal": "999", "position": "bottom"}, "Goal: Select a"),
    ],
)
def test_bad_input_to_create_is_explained_in_the_form(
    client: Client, po: Persona, three: Any, data: dict[str, str], message: str
) -> None:
    before = _writes()
    response = _as(client, po).post(BACKLOG, data, headers=HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#bl-create"
    assert message in response.content.decode()
    assert _writes() == before


# -- moving -----------------------------------------------------------------------------------


def _move(client: Client, key: str, **data: Any) -> Any:
    return client.post(f"/w/acme/items/{key}/move", data)


def test_the_product_owner_moves_an_item(
    client: Client, po: Persona, three: list[BacklogItem], product: Product
) -> None:
    response = _move(_as(client, po), "ACME-3", after="ACME-1", version=three[2].version)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data == {
        "key": "ACME-3",
        "version": three[2].version + 1,
        "message": "Moved ACME-3 after ACME-1.",
    }
    assert ordered_keys(product) == ["ACME-1", "ACME-3", "ACME-2"]
    response = _move(client, "ACME-1", before="ACME-3", version=three[0].version)
    assert response.status_code == 200
    response = _move(client, "ACME-2", position="top", version=three[1].version)
    assert ordered_keys(product) == ["ACME-2", "ACME-1", "ACME-3"]


def test_an_admin_moves_items_too(
    client: Client, admin: Persona, three: Any, product: Product
) -> None:
    assert _move(_as(client, admin), "ACME-1", after="ACME-3").status_code == 200
    assert ordered_keys(product) == ["ACME-2", "ACME-3", "ACME-1"]


@pytest.mark.parametrize("who", ["developer", "viewer"])
def test_others_cannot_move_and_are_told_who_may(
    client: Client, request: pytest.FixtureRequest, three: list[BacklogItem], who: str
) -> None:
    before = _writes()
    response = _move(_as(client, request.getfixturevalue(who)), "ACME-3", position="top")
    assert response.status_code == 403
    assert "Only the product owner orders the backlog" in json.loads(response.content)["detail"]
    assert _writes() == before


def test_a_move_with_a_stale_version_is_refused(
    client: Client, po: Persona, three: list[BacklogItem]
) -> None:
    before = _writes()
    response = _move(_as(client, po), "ACME-3", position="top", version=three[2].version + 1)
    assert response.status_code == 412
    assert re.fullmatch(
        r"ACME-3 was changed by Owner at \d{4}-\d\d-\d\d \d\d:\d\d UTC — reload the backlog "
        r"and move it again\.",
        json.loads(response.content)["detail"],
    )
    assert _writes() == before


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        ({"after": "ACME-99"}, 422, "no item 'ACME-99'"),
        ({"after": "OTHER-1"}, 422, "another product"),
        ({}, 422, "exactly one"),
        ({"position": "middle"}, 422, "top"),
        ({"before": "ACME-1", "after": "ACME-2"}, 422, "exactly one"),
        ({"after": "ACME-3"}, 422, "the item being moved"),
        ({"position": "top", "version": "x"}, 422, "Send before"),
    ],
)
def test_bad_moves_are_explained_and_move_nothing(
    client: Client,
    po: Persona,
    owner: Persona,
    three: list[BacklogItem],
    data: dict[str, str],
    status: int,
    words: str,
) -> None:
    from lodestar.backlog import services
    from lodestar.strategy import services as strategy

    other = strategy.product_create(actor=owner.actor, key="OTHER", name="Other")
    services.item_create(actor=owner.actor, product=other, title="Elsewhere")
    before = _writes()
    response = _move(_as(client, po), "ACME-3", **data)
    assert response.status_code == status
    assert words in json.loads(response.content)["detail"]
    assert _writes() == before


def test_moving_an_item_of_another_workspace_is_404(
    client: Client, outsider: Persona, three: list[BacklogItem]
) -> None:
    before = _writes()
    response = _move(_as(client, outsider), "ACME-3", position="top")
    assert response.status_code == 404
    assert _writes() == before


def test_moves_need_the_csrf_token(po: Persona, three: list[BacklogItem], product: Product) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(po.user)
    response = strict.post("/w/acme/items/ACME-3/move", {"position": "top"})
    assert response.status_code == 403
    assert ordered_keys(product) == ["ACME-1", "ACME-2", "ACME-3"]
    strict.get(BACKLOG)  # the page sets the CSRF cookie that its script sends back
    token = strict.cookies["csrftoken"].value
    response = strict.post(
        "/w/acme/items/ACME-3/move", {"position": "top"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert ordered_keys(product) == ["ACME-3", "ACME-1", "ACME-2"]


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (BACKLOG, {"title": "Sneaky", "kind": "story", "position": "bottom"}),
        ("/w/acme/items/ACME-1/edit", {"title": "Sneaky", "version": "1"}),
        ("/w/acme/items/ACME-1/split", {"children": "Sneaky", "kind": "task"}),
        ("/w/acme/items/ACME-1/delete", {"version": "1"}),
        ("/w/acme/items/ACME-1/score", {"framework": "ice", "ice-impact": "1"}),
        (SUGGEST, {"framework": "rice", "apply": "all"}),
    ],
)
def test_htmx_posts_need_the_csrf_token(
    po: Persona, three: list[BacklogItem], url: str, data: dict[str, str]
) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(po.user)
    before = _writes()
    assert strict.post(url, data, headers=HTMX).status_code == 403
    assert _writes() == before


# -- the item panel ---------------------------------------------------------------------------


def test_the_panel_is_a_fragment_and_the_page_stands_alone(
    client: Client, po: Persona, three: list[BacklogItem]
) -> None:
    _as(client, po)
    fragment = client.get("/w/acme/items/ACME-1", headers=PANEL).content.decode()
    assert fragment.lstrip().startswith('<div class="item-view in-panel"')
    assert "<html" not in fragment
    assert 'name="panel" value="1"' in fragment
    page = client.get("/w/acme/items/ACME-1").content.decode()
    assert "<html" in page
    assert 'class="item-view"' in page
    assert 'name="panel"' not in page


def test_the_item_shows_its_readiness_and_why_ready_is_refused(
    client: Client, po: Persona, make_item: MakeItem, goal: ProductGoal
) -> None:
    make_item("Vague idea", goal=goal)
    page = _as(client, po).get("/w/acme/items/ACME-1").content.decode()
    readiness = page.split('data-testid="readiness"', 1)[1].split("</ul>", 1)[0]
    assert "dor-failed" in readiness
    assert "add at least one acceptance criterion" in readiness
    assert "estimate it in points" in readiness
    assert "dor-passed" in readiness  # it serves the active goal
    assert "“Ready” is refused until these 2 checks pass." in page


def test_the_item_explains_its_scores(
    client: Client, po: Persona, three: list[BacklogItem]
) -> None:
    scoring.score_set(
        actor=po.actor,
        item=three[0],
        framework="rice",
        inputs={"reach": 2000, "impact": 2, "confidence": 80, "effort": 4},
    )
    page = _as(client, po).get("/w/acme/items/ACME-1", headers=PANEL).content.decode()
    explain = page.split('data-testid="explain-rice"', 1)[1].split("</table>", 1)[0]
    assert "reach x impact x confidence / effort" in explain
    assert "2000 x 2 x 80% / 4 = 800" in explain
    assert "Reach" in explain
    assert "people per quarter" in explain
    assert "high" in explain  # what impact 2 means
    assert "entered by Po on" in explain  # where each input came from


def test_markdown_in_an_item_is_rendered_harmless(
    client: Client, po: Persona, make_item: MakeItem
) -> None:
    make_item(
        "Risky",
        description=(
            '**Bold** <img src=x onerror="alert(1)"> [a](javascript:alert(2)) <script>x</script>'
        ),
        acceptance_criteria=["Shows <b onclick='alert(3)'>this</b>"],
    )
    page = _as(client, po).get("/w/acme/items/ACME-1").content.decode()
    description = page.split('data-testid="description"', 1)[1].split("</div>", 1)[0]
    assert "<strong>Bold</strong>" in description
    assert "onerror" not in description
    assert "<b>this</b>" in page
    # The raw text stays in the edit form, escaped; nothing anywhere runs.
    assert 'onerror="' not in page
    assert "onclick='" not in page
    assert 'href="javascript' not in page
    assert "<script>x" not in page


@pytest.mark.parametrize("who", ["viewer"])
def test_viewers_get_a_read_only_panel(
    client: Client, request: pytest.FixtureRequest, three: Any, who: str
) -> None:
    page = _as(client, request.getfixturevalue(who)).get("/w/acme/items/ACME-1").content.decode()
    assert "/w/acme/items/ACME-1/edit" not in page
    assert "/w/acme/items/ACME-1/split" not in page
    assert "/w/acme/items/ACME-1/delete" not in page


def test_editing_in_the_panel_refreshes_the_row(
    client: Client, developer: Persona, three: list[BacklogItem]
) -> None:
    response = _as(client, developer).post(
        "/w/acme/items/ACME-1/edit",
        {"title": "Sharper title", "version": three[0].version, "panel": "1"},
        headers=HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert '<h2 class="iv-title">Sharper title</h2>' in body
    assert 'id="row-ACME-1" data-key="ACME-1" data-version="2" hx-swap-oob="true"' in body
    assert "Saved ACME-1." in body
    item = _item("ACME-1")
    assert item.title == "Sharper title"
    assert item.description == ""  # fields not sent stay as they are


def test_one_property_changes_alone(
    client: Client, po: Persona, developer: Persona, three: list[BacklogItem]
) -> None:
    _as(client, po).post(
        "/w/acme/items/ACME-2/edit",
        {"assignee": developer.email, "version": three[1].version},
        headers=HTMX,
    )
    item = _item("ACME-2")
    assert item.assignee == developer.membership
    assert item.title == "Item 2"
    _as(client, po).post(
        "/w/acme/items/ACME-2/edit",
        {"labels": "billing, mobile ,", "estimate": "8", "version": item.version},
        headers=HTMX,
    )
    item = _item("ACME-2")
    assert sorted(label.name for label in item.labels.all()) == ["billing", "mobile"]
    assert item.estimate == 8


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "   "}, "must not be empty"),
        ({"estimate": "4"}, "Select a valid choice"),
        ({"status": "shipped"}, "Select a valid choice"),
        ({"parent": "ACME-99"}, "no item &#x27;ACME-99&#x27;"),
        ({"parent": "ACME-1"}, "loop"),
        ({"assignee": "nobody@acme.test"}, "Select a valid choice"),
        ({"goal": "12345"}, "Select a valid choice"),
    ],
)
def test_bad_edits_are_explained_and_write_nothing(
    client: Client, po: Persona, three: list[BacklogItem], data: dict[str, str], message: str
) -> None:
    before = _writes()
    response = _as(client, po).post(
        "/w/acme/items/ACME-1/edit", {**data, "version": three[0].version}, headers=HTMX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Not saved." in body
    assert message in body
    assert _writes() == before


def test_ready_is_refused_with_the_failing_checks(
    client: Client, po: Persona, three: list[BacklogItem]
) -> None:
    before = _writes()
    response = _as(client, po).post(
        "/w/acme/items/ACME-1/edit", {"status": "ready", "version": 1}, headers=HTMX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Has acceptance criteria: add at least one acceptance criterion" in body
    assert "Has an estimate: estimate it in points" in body
    assert _writes() == before


def test_a_stale_edit_says_someone_else_changed_it_and_keeps_the_draft(
    client: Client, po: Persona, owner: Persona, three: list[BacklogItem]
) -> None:
    from lodestar.backlog import services

    services.item_update(actor=owner.actor, item=three[0], title="Their title")
    before = _writes()
    response = _as(client, po).post(
        "/w/acme/items/ACME-1/edit",
        {"title": "My title", "description": "My words", "version": 1, "panel": "1"},
        headers=HTMX,
    )
    assert response.status_code == 412
    body = response.content.decode()
    assert 'data-testid="stale"' in body
    assert re.search(
        r"This backlog item was changed by Owner at \d{4}-\d\d-\d\d \d\d:\d\d UTC — "
        r"reload it and apply your change again\.",
        body,
    )
    assert "Reload" in body
    assert '<h2 class="iv-title">Their title</h2>' in body
    assert 'value="My title"' in body  # the draft is kept
    assert _writes() == before


def test_a_viewer_cannot_edit(client: Client, viewer: Persona, three: list[BacklogItem]) -> None:
    before = _writes()
    response = _as(client, viewer).post(
        "/w/acme/items/ACME-1/edit", {"title": "Nope", "version": 1}, headers=HTMX
    )
    assert response.status_code == 403
    assert _writes() == before


# -- scoring ----------------------------------------------------------------------------------


def test_entering_rice_inputs_scores_the_item(
    client: Client, po: Persona, three: list[BacklogItem]
) -> None:
    response = _as(client, po).post(
        "/w/acme/items/ACME-1/score",
        {
            "framework": "rice",
            "rice-reach": "1,500",
            "rice-impact": "0.5",
            "rice-confidence": "100",
            "rice-effort": "0.5",
            "panel": "1",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "1500 x 0.5 x 100% / 0.5 = 1500" in body
    assert "ACME-1 scored RICE 1500." in body  # the number the panel shows, not "1.5k"
    assert Score.objects.get(item=three[0], framework="rice").value == 1500


def test_entering_wsjf_inputs_scores_the_item(
    client: Client, po: Persona, three: list[BacklogItem]
) -> None:
    data = {"framework": "wsjf", "wsjf-business_value": "8", "wsjf-time_criticality": "5"}
    data |= {"wsjf-risk_reduction": "3", "wsjf-job_size": "4"}
    response = _as(client, po).post("/w/acme/items/ACME-1/score", data, headers=HTMX)
    assert response.status_code == 200
    assert "(8 + 5 + 3) / 4 = 4" in response.content.decode()


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"rice-confidence": "150"}, "must be from 0 to 100 (got 150)"),
        ({"rice-effort": "-1"}, "must be from 0.01 to 1000 (got -1)"),
        ({"rice-effort": "lots"}, "must be a number from 0.01 to 1000"),
        ({"rice-impact": "7"}, "must be one of 0.25, 0.5, 1, 2, 3"),
        ({"rice-reach": ""}, "is required"),
    ],
)
def test_bad_score_inputs_name_the_field_and_store_nothing(
    client: Client, po: Persona, three: list[BacklogItem], inputs: dict[str, str], message: str
) -> None:
    data = {
        "framework": "rice",
        "rice-reach": "100",
        "rice-impact": "1",
        "rice-confidence": "50",
        "rice-effort": "1",
    } | inputs
    before = _writes()
    response = _as(client, po).post("/w/acme/items/ACME-1/score", data, headers=HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert 'score-edit" open' in body  # the form stays open with the error next to its field
    assert _writes() == before


def test_an_unknown_framework_is_refused(
    client: Client, po: Persona, three: list[BacklogItem]
) -> None:
    before = _writes()
    response = _as(client, po).post("/w/acme/items/ACME-1/score", {"framework": "moscow"})
    assert response.status_code == 422
    assert "ust be one of rice, wsjf" in response.content.decode()
    assert _writes() == before


# -- breaking work down -------------------------------------------------------------------------


def test_splitting_an_epic_makes_children_in_one_step(
    client: Client, po: Persona, make_item: MakeItem, goal: ProductGoal, product: Product
) -> None:
    epic = make_item("Onboarding", kind=ItemKind.EPIC, goal=goal, labels=["growth"])
    make_item("After the epic", goal=goal)
    response = _as(client, po).post(
        f"/w/acme/items/{epic.key}/split",
        {"children": "Sample data\n\n  Guided tour  \n", "kind": "story", "panel": "1"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "backlog-changed"
    body = response.content.decode()
    assert "ACME-1 split into ACME-3, ACME-4." in body
    assert 'data-testid="children"' in body
    assert ordered_keys(product) == ["ACME-1", "ACME-3", "ACME-4", "ACME-2"]
    child = _item("ACME-4")
    assert child.title == "Guided tour"
    assert child.parent_id == epic.pk
    assert child.goal == goal
    assert [label.name for label in child.labels.all()] == ["growth"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"children": "", "kind": "story"}, "This field is required."),
        ({"children": "A\nB", "kind": "task"}, "Select a valid choice"),
        ({"children": "x" * 300, "kind": "story"}, "at most 255 characters"),
    ],
)
def test_bad_splits_are_explained_and_make_nothing(
    client: Client,
    po: Persona,
    make_item: MakeItem,
    goal: ProductGoal,
    data: dict[str, str],
    message: str,
) -> None:
    make_item("Onboarding", kind=ItemKind.EPIC, goal=goal)
    before = _writes()
    response = _as(client, po).post("/w/acme/items/ACME-1/split", data, headers=HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert _writes() == before


def test_a_task_offers_no_split(client: Client, po: Persona, make_item: MakeItem) -> None:
    make_item("Small", kind=ItemKind.TASK)
    page = _as(client, po).get("/w/acme/items/ACME-1").content.decode()
    assert "Split into children" not in page


def test_converting_a_task_into_a_story_and_back(
    client: Client, po: Persona, make_item: MakeItem
) -> None:
    task = make_item("Small", kind=ItemKind.TASK)
    _as(client, po)
    response = client.post(
        "/w/acme/items/ACME-1/convert", {"kind": "story", "version": task.version}, headers=HTMX
    )
    assert response.status_code == 200
    assert "ACME-1 is now a story." in response.content.decode()
    assert _item("ACME-1").kind == ItemKind.STORY
    stale = client.post(
        "/w/acme/items/ACME-1/convert", {"kind": "task", "version": task.version}, headers=HTMX
    )
    assert stale.status_code == 412
    assert _item("ACME-1").kind == ItemKind.STORY


def test_converting_an_epic_with_stories_is_refused(
    client: Client, po: Persona, make_item: MakeItem
) -> None:
    epic = make_item("Big", kind=ItemKind.EPIC)
    make_item("Part", kind=ItemKind.STORY, parent=epic)
    before = _writes()
    response = _as(client, po).post(
        "/w/acme/items/ACME-1/convert", {"kind": "task", "version": epic.version}, headers=HTMX
    )
    assert response.status_code == 422
    assert "cannot hold story items" in response.content.decode()
    assert _writes() == before


def test_duplicating_shows_the_copy(
    client: Client, developer: Persona, three: list[BacklogItem], product: Product
) -> None:
    response = _as(client, developer).post("/w/acme/items/ACME-1/duplicate", headers=HTMX)
    assert response.status_code == 200
    assert 'class="iv-title">Item 1 (copy)</h' in response.content.decode()
    assert ordered_keys(product) == ["ACME-1", "ACME-4", "ACME-2", "ACME-3"]


def test_deleting_moves_to_the_trash_with_an_undo(
    client: Client, po: Persona, three: list[BacklogItem], product: Product
) -> None:
    _as(client, po)
    response = client.post(
        "/w/acme/items/ACME-2/delete", {"version": three[1].version, "panel": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="deleted"' in body
    assert "/w/acme/items/ACME-2/restore" in body
    assert '<li id="row-ACME-2" hx-swap-oob="delete">' in body
    assert ordered_keys(product) == ["ACME-1", "ACME-3"]
    restored = client.post("/w/acme/items/ACME-2/restore", {"panel": "1"}, headers=HTMX)
    assert restored.status_code == 200
    assert "ACME-2 is back in the backlog." in restored.content.decode()
    assert ordered_keys(product) == ["ACME-1", "ACME-2", "ACME-3"]


def test_deleting_without_htmx_goes_back_to_the_backlog(
    client: Client, po: Persona, three: list[BacklogItem]
) -> None:
    response = _as(client, po).post("/w/acme/items/ACME-2/delete", {"version": "1"})
    assert response.status_code == 302
    assert response["Location"] == BACKLOG


def test_an_item_with_children_stays_out_of_the_trash(
    client: Client, po: Persona, make_item: MakeItem
) -> None:
    epic = make_item("Big", kind=ItemKind.EPIC)
    make_item("Part", kind=ItemKind.STORY, parent=epic)
    before = _writes()
    response = _as(client, po).post("/w/acme/items/ACME-1/delete", {"version": "1"}, headers=HTMX)
    assert response.status_code == 409
    assert "has 1 item under it" in response.content.decode()
    assert _writes() == before


def test_the_history_says_what_happened(
    client: Client, po: Persona, three: list[BacklogItem]
) -> None:
    _as(client, po)
    _move(client, "ACME-3", position="top")
    client.post("/w/acme/items/ACME-3/edit", {"status": "in_progress", "version": 2}, headers=HTMX)
    page = client.get("/w/acme/items/ACME-3").content.decode()
    history = page.split('class="iv-history"', 1)[1]
    assert "changed the status from new to in progress" in history
    assert "moved it to the top" in history
    assert "created this story" in history


# -- suggest order ------------------------------------------------------------------------------


@pytest.fixture
def scored(po: Persona, three: list[BacklogItem]) -> list[BacklogItem]:
    """RICE says ACME-3 first, then ACME-2, then ACME-1: the reverse of the order."""
    for item, reach in zip(three, (100, 200, 300), strict=True):
        scoring.score_set(
            actor=po.actor,
            item=item,
            framework="rice",
            inputs={"reach": reach, "impact": 1, "confidence": 100, "effort": 1},
        )
    return three


def test_suggest_order_shows_both_orders_and_the_differences(
    client: Client, po: Persona, scored: list[BacklogItem]
) -> None:
    page = _as(client, po).get(SUGGEST + "?framework=rice").content.decode()
    current = page.split('data-testid="current-order"', 1)[1].split("</ol>", 1)[0]
    suggested = page.split('data-testid="suggested-order"', 1)[1].split("</ol>", 1)[0]
    assert current.index("ACME-1") < current.index("ACME-2") < current.index("ACME-3")
    assert suggested.index("ACME-3") < suggested.index("ACME-2") < suggested.index("ACME-1")
    row = suggested.split('data-key="ACME-3"', 1)[1].split("</li>", 1)[0]
    assert "is-up" in row
    assert '>2<span class="sr-only"> up</span>' in row
    assert 'name="items" value="ACME-3"' in row
    assert 'title="Moves up 2 places"' in row  # the bars' legend, on hover
    assert "Apply all (2 moves)" in page
    assert 'data-confirm="Move 2 items to the places RICE suggests?' in page
    assert ">Your order<" in page


def test_others_see_the_suggestion_but_cannot_apply_it(
    client: Client, developer: Persona, scored: list[BacklogItem]
) -> None:
    page = _as(client, developer).get(SUGGEST).content.decode()
    assert 'name="items"' not in page
    assert "Apply all" not in page
    assert ">Your order<" not in page  # it is the product owner's, not the developer's
    assert ">The backlog's order<" in page
    assert 'data-testid="order-hint"' in page
    before = _writes()
    response = client.post(SUGGEST, {"framework": "rice", "apply": "all"})
    assert response.status_code == 403
    assert _writes() == before


def test_the_product_owner_applies_the_whole_suggestion(
    client: Client, po: Persona, scored: list[BacklogItem], product: Product
) -> None:
    response = _as(client, po).post(SUGGEST, {"framework": "rice", "apply": "all"})
    assert response.status_code == 302
    assert response["Location"] == SUGGEST + "?framework=rice"
    assert ordered_keys(product) == ["ACME-3", "ACME-2", "ACME-1"]


def test_the_product_owner_applies_part_of_it(
    client: Client, po: Persona, scored: list[BacklogItem], product: Product
) -> None:
    response = _as(client, po).post(
        SUGGEST, {"framework": "rice", "apply": "ticked", "items": ["ACME-3"]}
    )
    assert response.status_code == 302
    assert ordered_keys(product) == ["ACME-3", "ACME-1", "ACME-2"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"framework": "rice", "apply": "ticked"}, "Tick the items to move"),
        ({"framework": "rice", "apply": "ticked", "items": ["ACME-77"]}, "not an item of this"),
    ],
)
def test_bad_applications_are_explained_and_move_nothing(
    client: Client, po: Persona, scored: list[BacklogItem], data: dict[str, Any], message: str
) -> None:
    before = _writes()
    response = _as(client, po).post(SUGGEST, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert _writes() == before


def test_an_unknown_framework_on_suggest_is_refused(
    client: Client, po: Persona, scored: list[BacklogItem]
) -> None:
    response = _as(client, po).get(SUGGEST + "?framework=moscow")
    assert response.status_code == 422
    assert "ust be one of rice, wsjf" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1650, "1650"),
        (9999, "9999"),
        (12_345, "12k"),
        (2_500_000, "2.5M"),
        (87.4, "87.4"),
        (187.4, "187"),
        (4.25, "4.25"),
    ],
)
def test_score_columns_show_the_panels_number_up_to_four_digits(value: float, shown: str) -> None:
    from lodestar.backlog.views._common import compact

    assert compact(value) == shown
