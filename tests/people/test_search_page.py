"""The search page (/w/<slug>/search) and the search box every workspace page carries."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.backlog.conftest import MakeItem, make_item, product
from tests.conftest import PASSWORD, Persona
from tests.strategy.conftest import goal

__all__ = ["goal", "make_item", "product"]

pytestmark = pytest.mark.django_db

URL = "/w/acme/search"


@pytest.fixture
def browser(owner: Persona) -> Client:
    client = Client()
    assert client.login(username=owner.email, password=PASSWORD)
    return client


def test_every_workspace_page_has_the_search_box(browser: Client) -> None:
    page = browser.get("/w/acme/").content.decode()
    assert 'role="search"' in page
    assert 'action="/w/acme/search"' in page
    assert 'aria-keyshortcuts="/"' in page


def test_results_are_listed_with_kind_badges_and_marked_escaped_snippets(
    browser: Client, make_item: MakeItem
) -> None:
    item = make_item("Export <script>x</script> invoices", description="monthly invoices & more")
    page = browser.get(URL, {"q": "invoices"}).content.decode()
    assert 'data-testid="search-hits"' in page
    assert "Backlog item</span>" in page
    assert f'href="/w/acme/items/{item.key}"' in page
    assert "&lt;script&gt;x&lt;/script&gt; <mark>invoices</mark>" in page
    assert "<script>x" not in page
    assert "<mark>invoices</mark> &amp; more" in page
    assert "1 found" in page


def test_filters_and_more_results(browser: Client, make_item: MakeItem) -> None:
    for n in range(25):
        make_item(f"Report {n}")
    page = browser.get(URL, {"q": "report", "kind": "item", "sort": "relevance"}).content.decode()
    assert "20+ found" in page
    assert 'rel="next"' in page
    nothing = browser.get(URL, {"q": "report", "kind": "product"}).content.decode()
    assert "Nothing matches." in nothing


def test_no_words_shows_the_form_only(browser: Client) -> None:
    page = browser.get(URL).content.decode()
    assert "<h1>Search</h1>" in page
    assert "found" not in page
    assert browser.get(URL, {"q": "   "}).status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 501}, "at most 500 characters"),
        ({"q": "x", "from": "2026-99-01"}, "Enter a valid date"),
        ({"q": "x", "from": "2026-02-01", "to": "2026-01-01"}, "Is before from"),
        ({"q": "x", "kind": "widget"}, "Select a valid choice"),
        ({"q": "x", "cursor": "nonsense"}, "is not one this search gave out"),
    ],
)
def test_bad_input_is_shown_by_its_field(
    browser: Client, params: dict[str, str], message: str
) -> None:
    response = browser.get(URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_other_workspaces_and_visitors(outsider: Persona, make_item: MakeItem) -> None:
    make_item("Secret plan")
    client = Client()
    assert client.get(URL, {"q": "secret"}).status_code == 302
    assert client.login(username=outsider.email, password=PASSWORD)
    assert client.get(URL, {"q": "secret"}).status_code == 404
