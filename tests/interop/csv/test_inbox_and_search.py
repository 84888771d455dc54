"""The notification inbox and search results as CSV: the rows each page lists, every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.comments import services as comments
from lodestar.comments.access import Target
from lodestar.notifications.models import Notification
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona
from tests.interop.csv.conftest import column, read_csv
from tests.notifications.conftest import deliver, item, on_item

__all__ = ["deliver", "item", "on_item"]

pytestmark = pytest.mark.django_db

INBOX = "/w/acme/inbox"
SEARCH = "/w/acme/search"


def csv_link(page: Any) -> str:
    assert page.status_code == 200
    found = re.search(r'href="([^"]+format=csv)"', page.content.decode())
    assert found is not None, "no Export CSV link"
    return found.group(1).replace("&amp;", "&")


@pytest.fixture
def mentioned(
    owner: Persona, developer: Persona, on_item: Target, deliver: Callable[[], int]
) -> None:
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev =look")
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev again")
    deliver()


@pytest.mark.parametrize("query", ["", "?unread=1", "?kind=mention"])
def test_the_inbox_exports_the_member_s_own_notifications(
    client: Client, developer: Persona, owner: Persona, mentioned: None, query: str
) -> None:
    client.force_login(developer.user)
    page = client.get(INBOX + query)
    sentences = re.findall(
        r'<a href="[^"]+" class="inbox-link">\s*(?:<span[^>]*>Unread: </span>)?([^<]+)',
        page.content.decode(),
    )
    rows = read_csv(client.get(csv_link(page)))
    assert [s.strip() for s in sentences] == column(rows, "Notification")
    assert len(rows) == 3
    ids = Notification.objects.filter(recipient=developer.membership).values_list("pk", flat=True)
    assert {int(url.rsplit("/", 1)[1]) for url in column(rows, "URL")} == set(ids)
    # What was said to someone else is not theirs to export.
    client.force_login(owner.user)
    assert len(read_csv(client.get(INBOX + "?format=csv"))) == 1


def test_a_bad_inbox_filter_is_refused(client: Client, developer: Persona) -> None:
    client.force_login(developer.user)
    response = client.get(INBOX + "?kind=gossip&format=csv")
    assert response.status_code == 422
    assert "Kind: must be one of" in response.content.decode()


def test_search_exports_every_result_it_lists(
    client: Client, owner: Persona, viewer: Persona, make_item: MakeItem
) -> None:
    for n in range(3):
        make_item(f"=Invoices export {n}")
    make_item("Something else")
    client.force_login(viewer.user)
    page = client.get(SEARCH, {"q": "invoices"})
    hrefs = re.findall(r'<a class="search-title" href="([^"]+)"', page.content.decode())
    rows = read_csv(client.get(csv_link(page)))
    assert [url.removeprefix("http://testserver") for url in column(rows, "URL")] == hrefs
    assert len(hrefs) == 3
    assert all(re.fullmatch(r"ACME-\d =Invoices export \d", t) for t in column(rows, "Title"))
    assert set(column(rows, "Kind")) == {"Backlog item"}


def test_search_results_past_a_page_come_whole(
    client: Client, owner: Persona, make_item: MakeItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lodestar.core import search

    monkeypatch.setattr(search, "MAX_LIMIT", 2)  # pages of two: the file walks them all
    for n in range(5):
        make_item(f"Invoices {n}")
    client.force_login(owner.user)
    rows = read_csv(client.get(SEARCH, {"q": "invoices", "format": "csv"}))
    assert sorted(column(rows, "Title")) == [f"ACME-{n + 1} Invoices {n}" for n in range(5)]


def test_search_without_words_is_refused(client: Client, owner: Persona) -> None:
    client.force_login(owner.user)
    response = client.get(SEARCH, {"q": " ", "format": "csv"})
    assert response.status_code == 422
    assert "search for" in response.content.decode()


@pytest.mark.parametrize("path", [INBOX, SEARCH + "?q=x&"])
def test_an_outsider_gets_nothing(client: Client, outsider: Persona, path: str) -> None:
    client.force_login(outsider.user)
    joiner = "" if path.endswith("&") else "?"
    assert client.get(f"{path}{joiner}format=csv").status_code == 404


def test_the_queries_do_not_grow_with_the_rows(
    client: Client,
    owner: Persona,
    developer: Persona,
    item: BacklogItem,
    on_item: Target,
    deliver: Callable[[], int],
    make_item: MakeItem,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(developer.user)

    def add(n: int) -> None:
        comments.comment_create(actor=owner.actor, target=on_item, body=f"@dev note {n}")
        make_item(f"Invoices {n}")
        deliver()

    def count() -> tuple[int, int]:
        counts = []
        for path in (INBOX + "?format=csv", SEARCH + "?q=invoices&format=csv"):
            with django_assert_max_num_queries(40) as captured:
                read_csv(client.get(path))
            counts.append(len(captured.captured_queries))
        return counts[0], counts[1]

    add(0)
    count()
    few = count()
    for n in range(1, 6):
        add(n)
    assert count() == few
