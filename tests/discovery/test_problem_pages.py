"""The problem pages per persona: problems sorted by their evidence, creating one, and a
problem with its evidence, trend chart, quotes and linked backlog items."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.discovery import services
from lodestar.discovery.models import Customer, Problem, ProblemItem, ProblemStatus
from lodestar.discovery.selectors import TREND_WEEKS
from lodestar.discovery.views._pages import highlight_segments, shown_to_raw, trend_chart
from lodestar.strategy.models import ProductGoal
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona
from tests.discovery.conftest import Capture

LIST = "/w/acme/problems"


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _page(response: Any) -> str:
    return str(response.content.decode())


def _evidence(pm: Persona, capture: Capture, problem: Problem, *customers: Customer) -> None:
    for customer in customers:
        feedback = capture(f"{customer.name} says it hurts", customer=customer)
        services.insight_create(
            actor=pm.actor, feedback=feedback, start=0, end=4, problems=[problem]
        )


@pytest.fixture
def ranked(pm: Persona, capture: Capture, customers: dict[str, Customer]) -> list[Problem]:
    """Three problems: "Wide" (two SMB customers, 9,000 ARR), "Rich" (Globex, 120,000 ARR)
    and "Fresh" (no evidence, the newest)."""
    wide = services.problem_create(actor=pm.actor, title="Wide")
    rich = services.problem_create(actor=pm.actor, title="Rich")
    fresh = services.problem_create(actor=pm.actor, title="Fresh")
    _evidence(pm, capture, wide, customers["initech"], customers["hooli"])
    _evidence(pm, capture, rich, customers["globex"], customers["globex"])
    return [wide, rich, fresh]


def _order(page: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=lambda title: page.index(f">{title}</a>"))


def test_problems_sort_by_customers_arr_and_newest(
    client: Client, pm: Persona, ranked: list[Problem]
) -> None:
    client = _as(client, pm)
    titles = ["Wide", "Rich", "Fresh"]
    page = _page(client.get(LIST))
    assert _order(page, titles) == ["Wide", "Rich", "Fresh"]
    assert "$120,000" in page
    assert "$9,000" in page
    assert _order(_page(client.get(LIST + "?sort=arr")), titles) == ["Rich", "Wide", "Fresh"]
    assert _order(_page(client.get(LIST + "?sort=newest")), titles) == ["Fresh", "Rich", "Wide"]


def test_problems_page_by_cursor_in_evidence_order(
    client: Client, pm: Persona, capture: Capture, customers: dict[str, Customer]
) -> None:
    for number in range(52):
        services.problem_create(actor=pm.actor, title=f"Problem {number:02d}")
    top = services.problem_create(actor=pm.actor, title="Most heard")
    _evidence(pm, capture, top, customers["hooli"])
    client = _as(client, pm)
    first = _page(client.get(LIST))
    assert _order(first, ["Most heard", "Problem 51"]) == ["Most heard", "Problem 51"]
    assert "Problem 01" not in first
    cursor = first.split("cursor=")[1].split('"')[0]
    second = _page(client.get(f"{LIST}?sort=customers&cursor={cursor}"))
    assert "Problem 00" in second
    assert "Most heard" not in second


def test_problems_read_a_flat_number_of_queries(
    client: Client,
    pm: Persona,
    capture: Capture,
    customers: dict[str, Customer],
    django_assert_max_num_queries: Any,
) -> None:
    client = _as(client, pm)
    problem = services.problem_create(actor=pm.actor, title="First")
    _evidence(pm, capture, problem, customers["globex"])
    client.get(LIST)
    with django_assert_max_num_queries(14) as few:
        client.get(LIST)
    for number in range(20):
        more = services.problem_create(actor=pm.actor, title=f"More {number}", owner=pm.membership)
        _evidence(pm, capture, more, customers["initech"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


def test_creating_a_problem_and_its_bad_input(client: Client, pm: Persona) -> None:
    client = _as(client, pm)
    response = client.post(LIST, {"title": "   ", "description": "kept"})
    assert response.status_code == 422
    assert "This field is required." in _page(response)
    assert "kept</textarea>" in _page(response)
    response = client.post(LIST, {"title": "x" * 256})
    assert response.status_code == 422
    assert "at most 255 characters" in _page(response)
    assert not Problem.objects.exists()
    response = client.post(LIST, {"title": "Reports are slow", "description": "*Very*"})
    problem = Problem.objects.get()
    assert response["Location"] == f"{LIST}/{problem.pk}"
    assert problem.description_html == "<p><em>Very</em></p>\n"


def test_a_viewer_reads_problems_and_writes_nothing(
    client: Client, viewer: Persona, ranked: list[Problem], make_item: MakeItem, goal: ProductGoal
) -> None:
    client = _as(client, viewer)
    wide = ranked[0]
    assert "New problem" not in _page(client.get(LIST))
    page = _page(client.get(f"{LIST}/{wide.pk}"))
    assert "Edit the problem" not in page
    assert "Link item" not in page
    item = make_item("Faster exports", goal=goal)
    assert client.post(LIST, {"title": "Mine"}).status_code == 403
    version = {"version": wide.version, "status": "solved", "title": "Wide"}
    assert client.post(f"{LIST}/{wide.pk}", version).status_code == 403
    assert client.post(f"{LIST}/{wide.pk}/items", {"item": item.key}).status_code == 403
    assert Problem.objects.count() == 3
    assert not ProblemItem.objects.exists()
    wide.refresh_from_db()
    assert wide.status == ProblemStatus.NEW


def test_others_get_404_and_missing_problems_are_404(
    client: Client, outsider: Persona, pm: Persona, ranked: list[Problem]
) -> None:
    assert _as(client, outsider).get(f"{LIST}/{ranked[0].pk}").status_code == 404
    assert _as(client, pm).get(f"{LIST}/{ranked[0].pk + 99}").status_code == 404


def test_the_problem_page_shows_its_evidence_chart_and_quotes(
    client: Client, pm: Persona, ranked: list[Problem]
) -> None:
    wide = ranked[0]
    page = _page(_as(client, pm).get(f"{LIST}/{wide.pk}"))
    assert 'data-testid="evidence-customers">2<' in page
    assert 'data-testid="evidence-arr">$9,000<' in page
    assert page.count('class="dv-bar"') == 1  # this week's two insights
    assert page.split('class="dv-chart"')[1].split("</svg>")[0].count("<rect ") == TREND_WEEKS
    assert "The weeks as a table" in page
    assert "Initech says it hurts"[:4] in page
    assert ">SMB<" in page
    assert 'href="/w/acme/feedback/' in page


def test_editing_a_problem_and_a_stale_edit(
    client: Client, pm: Persona, ranked: list[Problem]
) -> None:
    wide = ranked[0]
    client = _as(client, pm)
    form = {
        "title": "Wide and deep",
        "status": "validated",
        "owner": pm.email,
        "description": "",
        "version": wide.version,
    }
    assert client.post(f"{LIST}/{wide.pk}", form).status_code == 302
    wide.refresh_from_db()
    assert (wide.title, wide.status, wide.owner) == ("Wide and deep", "validated", pm.membership)
    response = client.post(f"{LIST}/{wide.pk}", {**form, "title": "Stale"})
    assert response.status_code == 412
    assert "Someone else changed this problem" in _page(response)
    response = client.post(f"{LIST}/{wide.pk}", {**form, "status": "done", "version": wide.version})
    assert response.status_code == 422
    assert "Select a valid choice" in _page(response)
    response = client.post(f"{LIST}/{wide.pk}", {**form, "owner": "ghost@nowhere.example"})
    assert response.status_code == 422
    wide.refresh_from_db()
    assert wide.title == "Wide and deep"


def test_linking_and_unlinking_a_backlog_item(
    client: Client, pm: Persona, ranked: list[Problem], make_item: MakeItem, goal: ProductGoal
) -> None:
    wide = ranked[0]
    item: BacklogItem = make_item("Faster exports", goal=goal)
    client = _as(client, pm)
    response = client.post(f"{LIST}/{wide.pk}/items", {"item": item.key.lower()})
    assert response.status_code == 302
    page = _page(client.get(f"{LIST}/{wide.pk}"))
    assert item.title in page
    assert "status-" in page
    response = client.post(f"{LIST}/{wide.pk}/items", {"item": "ACME-999"})
    assert response.status_code == 422
    assert "No item &#x27;ACME-999&#x27;" in _page(response)
    assert 'value="ACME-999"' in _page(response)
    response = client.post(f"{LIST}/{wide.pk}/items/{item.key}/unlink")
    assert response.status_code == 302
    assert not ProblemItem.objects.exists()
    assert client.post(f"{LIST}/{wide.pk}/items/ACME-999/unlink").status_code == 404


# -- the pure helpers ----------------------------------------------------------------------------


def test_highlight_segments_cut_at_every_span_and_share_overlaps(
    pm: Persona, capture: Capture
) -> None:
    feedback = capture("abcdefghij")
    a = services.insight_create(actor=pm.actor, feedback=feedback, start=1, end=5)
    b = services.insight_create(actor=pm.actor, feedback=feedback, start=3, end=8)
    segments = highlight_segments(feedback.text, [a, b])
    assert [(s.text, [i.pk for i in s.insights]) for s in segments] == [
        ("a", []),
        ("bc", [a.pk]),
        ("de", [a.pk, b.pk]),
        ("fgh", [b.pk]),
        ("ij", []),
    ]
    assert "".join(s.text for s in segments) == feedback.text


def test_shown_offsets_map_back_to_stored_ones() -> None:
    assert shown_to_raw("a\r\nb\rc", 2, 5) == (3, 6)
    assert shown_to_raw("plain 😀 text", 3, 9) == (3, 9)
    assert shown_to_raw("a\r\nb", 0, 99)[1] > len("a\r\nb")


def test_the_trend_chart_scales_to_the_busiest_week() -> None:
    from lodestar.discovery.selectors import WeekCount

    monday = dt.date(2026, 11, 2)
    trend = [WeekCount(monday + dt.timedelta(weeks=n), n % 3) for n in range(TREND_WEEKS)]
    chart = trend_chart(trend, width=260, height=64)
    assert chart.peak == 2
    assert chart.total == sum(n % 3 for n in range(TREND_WEEKS))
    tallest = [bar for bar in chart.bars if bar.count == 2]
    assert all(bar.y == 2 and bar.height == 62 for bar in tallest)
    assert all(bar.height == 1.5 for bar in chart.bars if bar.count == 0)


def test_the_problem_page_quotes_the_latest_fifty_and_counts_them_all(
    client: Client, pm: Persona, capture: Capture
) -> None:
    problem = services.problem_create(actor=pm.actor, title="Heard often")
    feedback = capture("Heard it again and again")
    for _ in range(52):
        services.insight_create(
            actor=pm.actor, feedback=feedback, quote="again", problems=[problem]
        )
    page = _page(_as(client, pm).get(f"{LIST}/{problem.pk}"))
    assert page.count('<blockquote class="dv-quote">again</blockquote>') == 50
    assert "The latest 50 of 52 insights." in page
