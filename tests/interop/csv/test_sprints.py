"""A team's sprints and a sprint's items as CSV: the rows each page lists."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from lodestar.people.models import Team
from lodestar.sprints import services
from lodestar.sprints.models import Sprint
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona
from tests.interop.csv.conftest import column, read_csv
from tests.sprints.conftest import sprint

__all__ = ["sprint"]

pytestmark = pytest.mark.django_db

TEAM = "/w/acme/teams/core/sprints"


def csv_link(page: Any) -> str:
    assert page.status_code == 200
    found = re.search(r'href="([^"]+format=csv)"', page.content.decode())
    assert found is not None, "no Export CSV link"
    return found.group(1).replace("&amp;", "&")


def test_a_team_s_sprints_are_the_page_s_rows(
    client: Client, viewer: Persona, owner: Persona, team: Team, sprint: Sprint
) -> None:
    services.sprint_create(
        actor=owner.actor,
        team=team,
        name="+Sprint 2",
        start_date=dt.date(2026, 3, 16),
        end_date=dt.date(2026, 3, 27),
        goal="=ship",
    )
    client.force_login(viewer.user)
    page = client.get(TEAM)
    rows = read_csv(client.get(csv_link(page)))
    html = page.content.decode()
    names = column(rows, "Sprint")
    assert sorted(names) == ["'+Sprint 2", "Sprint 1"]
    assert all(name.lstrip("'") in html for name in names)
    second = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}["'+Sprint 2"]
    assert second["Goal"] == "'=ship"
    assert (second["State"], second["Start"], second["End"]) == (
        "Planned", "2026-03-16", "2026-03-27",
    )  # fmt: skip


def test_a_sprint_s_items_are_its_report_s_rows(
    client: Client, viewer: Persona, owner: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    items = [make_item("-1 step to sign up", estimate="3"), make_item("Export", estimate="5")]
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=items)
    client.force_login(viewer.user)
    page = client.get(f"/w/acme/sprints/{sprint.pk}")
    keys = re.findall(r'<tr data-key="([^"]+)"', page.content.decode())
    rows = read_csv(client.get(csv_link(page)))
    assert column(rows, "Key") == keys == ["ACME-1", "ACME-2"]
    assert column(rows, "Item") == ["'-1 step to sign up", "Export"]
    assert column(rows, "Points") == ["3", "5"]
    assert column(rows, "Outcome") == ["Open", "Open"]


def test_an_outsider_gets_nothing_and_empty_lists_a_header(
    client: Client, outsider: Persona, viewer: Persona, sprint: Sprint
) -> None:
    client.force_login(outsider.user)
    assert client.get(TEAM + "?format=csv").status_code == 404
    assert client.get(f"/w/acme/sprints/{sprint.pk}?format=csv").status_code == 404
    client.force_login(viewer.user)
    assert len(read_csv(client.get(f"/w/acme/sprints/{sprint.pk}?format=csv"))) == 1


def test_the_queries_do_not_grow_with_the_rows(
    client: Client,
    viewer: Persona,
    owner: Persona,
    team: Team,
    sprint: Sprint,
    make_item: MakeItem,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(viewer.user)

    def add(n: int) -> None:
        services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[make_item(f"I{n}")])
        start = dt.date(2026, 4, 1) + dt.timedelta(days=14 * n)
        services.sprint_create(
            actor=owner.actor,
            team=team,
            name=f"S{n}",
            start_date=start,
            end_date=start + dt.timedelta(days=13),
        )

    def count() -> tuple[int, int]:
        counts = []
        for path in (TEAM, f"/w/acme/sprints/{sprint.pk}"):
            with django_assert_max_num_queries(30) as captured:
                read_csv(client.get(path + "?format=csv"))
            counts.append(len(captured.captured_queries))
        return counts[0], counts[1]

    add(0)
    count()
    few = count()
    for n in range(1, 6):
        add(n)
    assert count() == few
