"""Members, teams and products as CSV: the rows each page lists, to every member who sees it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from lodestar.people import services
from lodestar.people.models import Membership, Role, Team, Workspace
from lodestar.strategy import services as strategy
from tests.conftest import Persona, _member
from tests.interop.csv.conftest import column, read_csv

pytestmark = pytest.mark.django_db

MEMBERS = "/w/acme/members"
TEAMS = "/w/acme/teams"
PRODUCTS = "/w/acme/products"


def csv_link(page: Any) -> str:
    found = re.search(r'href="([^"]+format=csv)"', page.content.decode())
    assert found is not None, "no Export CSV link"
    return found.group(1).replace("&amp;", "&")


def test_members_are_the_page_s_rows_with_their_hats(
    client: Client, owner: Persona, developer: Persona, viewer: Persona
) -> None:
    Membership.objects.filter(pk=viewer.membership.pk).update(job_title="=cmd|' /C calc'!A0")
    client.force_login(viewer.user)
    page = client.get(MEMBERS)
    rows = read_csv(client.get(csv_link(page)))
    assert rows[0] == ["Member", "Email", "Handle", "Job title", "Role", "Hats", "Joined"]
    emails = column(rows, "Email")
    assert emails == sorted(["owner@acme.test", "dev@acme.test", "viewer@acme.test"])
    html = page.content.decode()
    assert all(email in html for email in emails)
    by_email = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_email["dev@acme.test"]["Hats"] == "Developer · Core"
    assert by_email["owner@acme.test"]["Role"] == "Owner"
    assert by_email["viewer@acme.test"]["Job title"] == "'=cmd|' /C calc'!A0"


def test_a_removed_member_is_left_out_as_on_the_page(
    client: Client, owner: Persona, developer: Persona, viewer: Persona
) -> None:
    services.member_remove(actor=owner.actor, member=developer.membership)
    client.force_login(owner.user)
    emails = column(read_csv(client.get(MEMBERS + "?format=csv")), "Email")
    assert "dev@acme.test" not in emails
    assert "dev@acme.test" not in client.get(MEMBERS).content.decode()


def test_teams_list_their_hats(
    client: Client, owner: Persona, developer: Persona, team: Team, viewer: Persona
) -> None:
    services.team_create(actor=owner.actor, name="+Platform", description="@ops")
    client.force_login(viewer.user)
    rows = read_csv(client.get(csv_link(client.get(TEAMS))))
    assert column(rows, "Team") == ["'+Platform", "Core"]  # by name, as the page
    assert column(rows, "Developers") == ["0", "1"]
    assert column(rows, "Description") == ["'@ops", ""]
    assert column(rows, "URL")[1] == "http://testserver/w/acme/teams/core"


def test_products_list_their_goal_and_teams(
    client: Client, owner: Persona, viewer: Persona, team: Team
) -> None:
    acme = strategy.product_create(actor=owner.actor, key="ACME", name="Acme Analytics")
    strategy.team_product_set(actor=owner.actor, team=team, product=acme)
    strategy.goal_set(actor=owner.actor, product=acme, statement="-1 day to first dashboard")
    strategy.product_create(actor=owner.actor, key="OPS", name="Ops")
    client.force_login(viewer.user)
    rows = read_csv(client.get(csv_link(client.get(PRODUCTS))))
    assert rows[0] == ["Key", "Name", "Product Goal", "Teams", "Product owner", "URL"]
    assert rows[1][:4] == ["ACME", "Acme Analytics", "'-1 day to first dashboard", "Core"]
    assert rows[2][:4] == ["OPS", "Ops", "", ""]
    assert rows[1][5] == "http://testserver/w/acme/products/ACME"


@pytest.mark.parametrize("path", [MEMBERS, TEAMS, PRODUCTS])
def test_an_outsider_gets_nothing(
    client: Client, owner: Persona, outsider: Persona, path: str
) -> None:
    client.force_login(outsider.user)
    assert client.get(path + "?format=csv").status_code == 404


@pytest.mark.parametrize("path", [TEAMS, PRODUCTS])
def test_an_empty_list_gives_the_header_only(client: Client, owner: Persona, path: str) -> None:
    client.force_login(owner.user)
    assert len(read_csv(client.get(path + "?format=csv"))) == 1


@pytest.mark.parametrize("path", [MEMBERS, TEAMS, PRODUCTS])
def test_the_queries_do_not_grow_with_the_rows(
    client: Client,
    owner: Persona,
    workspace: Workspace,
    path: str,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(owner.user)

    def count() -> int:
        with django_assert_max_num_queries(30) as captured:
            read_csv(client.get(path + "?format=csv"))
        return len(captured.captured_queries)

    def add(n: int) -> None:
        team = services.team_create(actor=owner.actor, name=f"Team {n}")
        key = "PR" + "ABCDE"[n]
        product = strategy.product_create(actor=owner.actor, key=key, name=f"Product {n}")
        strategy.team_product_set(actor=owner.actor, team=team, product=product)
        strategy.goal_set(actor=owner.actor, product=product, statement=f"Goal {n}")
        persona = _member(workspace, f"p{n}@acme.test", Role.MEMBER)
        services.team_role_add(
            actor=owner.actor, team=team, member=persona.membership, role="developer"
        )

    add(0)
    count()
    few = count()
    for n in range(1, 5):
        add(n)
    assert count() == few
