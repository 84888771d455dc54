"""The Product Backlog as CSV: the page's rows for the same filters and sort, every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.backlog.prioritization import services as scoring
from lodestar.backlog.saved_views import services as saved_views
from lodestar.backlog.saved_views.selectors import saved_view_url
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona
from tests.interop.csv.conftest import column, read_csv

pytestmark = pytest.mark.django_db

BACKLOG = "/w/acme/products/ACME/backlog"


def page_keys(response: Any) -> list[str]:
    assert response.status_code == 200
    return re.findall(
        r'<li class="bl-row[^"]*" id="row-[^"]+" data-key="([^"]+)"', response.content.decode()
    )


@pytest.fixture
def items(make_item: MakeItem, owner: Persona, goal: ProductGoal) -> list[BacklogItem]:
    made = [
        make_item("Charlie", estimate="3", goal=goal, labels=["ux", "api"]),
        make_item("alpha", kind=ItemKind.BUG, labels=["api"]),
        make_item(
            "Bravo", estimate="8", status=ItemStatus.READY, goal=goal, acceptance_criteria=["Works"]
        ),
        make_item("Echo", estimate="?"),
        make_item("Delta", estimate="1", status=ItemStatus.DONE),
    ]
    scoring.score_set(
        actor=owner.actor,
        item=made[2],
        framework="rice",
        inputs={"reach": 900, "impact": 1, "confidence": 100, "effort": 1},
    )
    return made


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?label=api",
        "?kind=bug",
        "?status=ready",
        "?finished=on",
        "?q=a",
        "?flagged=1",
        "?sort=-estimate&finished=on",
        "?sort=title",
        "?sort=-rice",
    ],
)
def test_the_file_has_exactly_the_rows_the_page_lists(
    client: Client, viewer: Persona, items: list[BacklogItem], query: str
) -> None:
    client.force_login(viewer.user)
    shown = page_keys(client.get(BACKLOG + query))
    joiner = "&" if query else "?"
    rows = read_csv(client.get(f"{BACKLOG}{query}{joiner}format=csv"))
    assert column(rows, "Key") == shown
    assert shown or query == "?flagged=1"


def test_the_columns_say_what_the_page_shows_with_the_item_address(
    client: Client, po: Persona, items: list[BacklogItem], product: Product
) -> None:
    client.force_login(po.user)
    rows = read_csv(client.get(BACKLOG + "?format=csv"))
    assert rows[0] == [
        "Key", "Title", "Kind", "Status", "Goal", "RICE", "WSJF", "Estimate", "Assignee",
        "Labels", "Parent", "Flagged", "Created", "Updated", "URL",
    ]  # fmt: skip
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Title"] == "Charlie"
    assert first["Labels"] == "api, ux"
    assert first["Goal"] == "Self-serve dashboards for SMB customers"
    assert first["Estimate"] == "3"
    assert first["URL"] == "http://testserver/w/acme/items/ACME-1"
    assert first["Updated"].startswith(timezone.now().date().isoformat())
    by_key = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_key["ACME-2"]["Kind"] == "Bug"
    assert by_key["ACME-3"]["Status"] == "Ready"
    assert by_key["ACME-3"]["RICE"] == "900.0"
    assert by_key["ACME-4"]["Estimate"] == "?"


def test_more_than_a_page_comes_whole(client: Client, po: Persona, make_item: MakeItem) -> None:
    for n in range(61):
        make_item(f"Item {n}")
    client.force_login(po.user)
    assert len(page_keys(client.get(BACKLOG))) == 50
    keys = column(read_csv(client.get(BACKLOG + "?format=csv")), "Key")
    assert keys == [f"ACME-{n}" for n in range(1, 62)]


def test_a_saved_view_exports_its_filters(
    client: Client, po: Persona, items: list[BacklogItem], product: Product
) -> None:
    view = saved_views.saved_view_create(
        actor=po.actor, product=product, name="API work", filters={"label": "api"}
    )
    client.force_login(po.user)
    address = saved_view_url(view)  # the view as the sidebar links it
    opened = client.get(address)
    link = re.search(r'href="([^"]+format=csv)"', opened.content.decode())
    assert link is not None
    assert "label=api" in link.group(1)
    rows = read_csv(client.get(link.group(1).replace("&amp;", "&")))
    assert column(rows, "Key") == page_keys(opened) == ["ACME-1", "ACME-2"]


def test_formula_text_is_neutralised_and_quotes_and_newlines_round_trip(
    client: Client, po: Persona, make_item: MakeItem
) -> None:
    titles = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", '  =HYPERLINK("x")', "\tTab", "\rReturn"]
    tricky = 'Say "hi",\nthen go'
    for title in [*titles, tricky]:
        item = make_item("placeholder")
        # Typed titles lose their leading whitespace; an imported one may keep it.
        BacklogItem.objects.filter(pk=item.pk).update(title=title)
    client.force_login(po.user)
    got = column(read_csv(client.get(BACKLOG + "?format=csv")), "Title")
    assert got == [*("'" + title for title in titles), tricky]


def test_numbers_stay_numbers(
    client: Client, po: Persona, items: list[BacklogItem], make_item: MakeItem
) -> None:
    make_item("-5 minutes off the build", estimate="5")
    client.force_login(po.user)
    raw = b"".join(client.get(BACKLOG + "?format=csv").streaming_content).decode()
    assert ",ACME-6,'-5 minutes off the build,Story,New,,,,5," in raw.replace("\r\n", ",")
    assert ",900.0,,8," in raw  # RICE and the estimate of ACME-3, unquoted


def test_an_empty_backlog_gives_the_header_only(
    client: Client, po: Persona, product: Product
) -> None:
    client.force_login(po.user)
    response = client.get(BACKLOG + "?format=csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="ACME-backlog-{timezone.localdate().isoformat()}.csv"'
    )
    assert len(read_csv(response)) == 1


def test_a_bad_filter_is_refused_naming_it(
    client: Client, po: Persona, items: list[BacklogItem]
) -> None:
    client.force_login(po.user)
    response = client.get(BACKLOG + "?status=nonsense&format=csv")
    assert response.status_code == 422
    assert "status" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_who_cannot_see_the_backlog_cannot_export_it(
    client: Client, outsider: Persona, items: list[BacklogItem]
) -> None:
    client.force_login(outsider.user)
    assert client.get(BACKLOG + "?format=csv").status_code == 404
    client.logout()
    assert client.get(BACKLOG + "?format=csv").status_code == 302


def test_the_queries_do_not_grow_with_the_rows(
    client: Client,
    po: Persona,
    make_item: MakeItem,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(po.user)

    def count() -> int:
        with django_assert_max_num_queries(30) as captured:
            rows = read_csv(client.get(BACKLOG + "?format=csv&label=x&finished=on"))
        return len(captured.captured_queries), len(rows)

    make_item("one", labels=["x"])
    count()  # the first request of a session writes it
    few, _ = count()
    for n in range(40):
        make_item(f"more {n}", labels=["x"])
    many, rows = count()
    assert rows == 42
    assert many == few


def test_a_backlog_with_children_exports_every_row_the_tree_shows(
    client: Client, po: Persona, make_item: MakeItem
) -> None:
    epic = make_item("Epic", kind=ItemKind.EPIC)
    make_item("Loose")
    child = make_item("Child", parent=epic)
    make_item("Grandchild", parent=child, kind=ItemKind.TASK)
    client.force_login(po.user)
    shown = page_keys(client.get(BACKLOG))
    rows = read_csv(client.get(BACKLOG + "?format=csv"))
    # The tree lists children under their parent; the file lists the same rows in backlog
    # order, each naming its parent.
    assert sorted(column(rows, "Key")) == sorted(shown) == ["ACME-1", "ACME-2", "ACME-3", "ACME-4"]
    assert column(rows, "Parent") == ["", "", "ACME-1", "ACME-3"]
