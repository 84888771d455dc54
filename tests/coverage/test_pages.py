"""The coverage page: each duty with who carried it, the summary with its rules, the scope
and period chosen from the form; a bad period or scope is a 422 that says what to fix; another
workspace is a 404. The API and the CLI carry the same summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.decisions import services as decisions
from lodestar.people.models import Team, TeamMembership, TeamRole
from lodestar.people.services import team_role_add
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product, ProductOwnerHat
from tests.conftest import Persona

URL = "/w/acme/coverage"


@pytest.fixture
def activity(owner: Persona, po: Persona, pm: Persona, product: Product) -> None:
    first, second, third = (
        backlog.item_create(actor=owner.actor, product=product, title=title)
        for title in ("One", "Two", "Three")
    )
    backlog.item_move(actor=po.actor, item=second, before=first)
    backlog.item_move(actor=po.actor, item=third, before=first)
    for title in ("Charge per seat", "Drop the free plan"):
        decisions.decision_create(actor=pm.actor, product=product, title=title)


def test_a_viewer_reads_who_carried_each_duty_and_the_summary(
    client: Client, viewer: Persona, activity: None, team: Team
) -> None:
    client.force_login(viewer.user)

    response = client.get(URL, {"scope": "product:ACME", "days": "30"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-duty="order_backlog"' in html
    assert "Nobody in 30 days" in html
    assert 'data-rule="product_owner_hat"' in html
    assert "The product owner hat, worn by Po (QA Engineer), carries ordering the backlog (2)." in (
        html.replace("&#x27;", "'")
    )
    assert 'data-rule="product_managers"' in html
    assert "making product decisions (2)" in html
    assert '<option value="product:ACME" selected>' in html
    assert '<option value="30" selected>' in html
    team_page = client.get(URL, {"scope": f"team:{team.slug}", "days": "180"})
    assert team_page.status_code == 200
    assert "Team " in team_page.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"days": "0"}, "days"),
        ({"days": "1827"}, "days"),
        ({"days": "soon"}, "days"),
        ({"scope": "product:NOPE"}, "scope"),
        ({"scope": "galaxy:far"}, "scope"),
        ({"scope": "teams", "days": "-3"}, "days"),
    ],
)
def test_a_bad_period_or_scope_is_a_422_that_says_what_to_fix(
    client: Client, viewer: Persona, product: Product, query: dict[str, str], message: str
) -> None:
    client.force_login(viewer.user)

    response = client.get(URL, query)

    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="coverage-error"' in html
    assert message in html
    assert 'data-testid="coverage-duties"' not in html


def test_the_teams_side_by_side_tell_who_carries_what_in_each(
    client: Client,
    owner: Persona,
    pm: Persona,
    viewer: Persona,
    activity: None,
    team: Team,
    product: Product,
) -> None:
    """Two teams on one product: the product owner orders for both; the product manager, who
    works with the second team only, makes decisions there alone. A team on no product is
    named as not shown."""
    other = Team.objects.create(workspace=team.workspace, slug="growth", name="Growth")
    strategy.team_product_set(actor=owner.actor, team=other, product=product)
    hat = team_role_add(
        actor=owner.actor, team=other, member=pm.membership, role=TeamRole.STAKEHOLDER
    )
    TeamMembership.objects.filter(pk=hat.pk).update(started_at=timezone.now() - dt.timedelta(1))
    TeamMembership.objects.filter(team=team).update(started_at=timezone.now() - dt.timedelta(1))
    ProductOwnerHat.objects.filter(product=product).update(
        started_at=timezone.now() - dt.timedelta(1)
    )
    Team.objects.create(workspace=team.workspace, slug="idle", name="Idle")
    client.force_login(viewer.user)

    workspace = client.get(URL).content.decode()
    assert 'data-testid="coverage-side-link"' in workspace
    response = client.get(URL, {"scope": "teams", "days": "30"})

    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="teams" selected>' in html
    table = html[html.index('data-testid="coverage-side-by-side"') :]
    assert table.index('data-team="core"') < table.index('data-team="growth"')
    decisions_row = table[table.index('data-duty="make_product_decisions"') :]
    decisions_row = decisions_row[: decisions_row.index("</tr>")]
    cells = decisions_row.split("<td")[1:]
    assert "Nobody in 30 days" in cells[0]
    assert "Pm" in cells[1]
    assert "Product Manager" in cells[1]
    order_row = table[table.index('data-duty="order_backlog"') :]
    order_row = order_row[: order_row.index("</tr>")]
    assert order_row.count("Po") >= 2
    assert "Nobody in the team Core holds the job of product manager." in html
    assert "Not shown, working from no product yet: Idle." in html
    assert 'data-testid="coverage-side-link"' not in html


def test_the_teams_side_by_side_with_no_team_on_a_product_says_so(
    client: Client, viewer: Persona, team: Team
) -> None:
    client.force_login(viewer.user)
    response = client.get(URL, {"scope": "teams"})
    assert response.status_code == 200
    assert "No team works from a product yet" in response.content.decode()


def test_another_workspace_is_a_404(client: Client, outsider: Persona, product: Product) -> None:
    client.force_login(outsider.user)
    assert client.get(URL).status_code == 404


def test_the_api_and_the_cli_carry_the_summary(
    api_client: Callable[[Persona], Client], viewer: Persona, activity: None
) -> None:
    body: Any = (
        api_client(viewer).get("/api/v1/workspaces/acme/coverage", {"product": "ACME"}).json()
    )
    rules = [sentence["rule"] for sentence in body["summary"]]
    assert "product_owner_hat" in rules
    assert all(sentence["why"] for sentence in body["summary"])


def test_a_duty_nobody_carried_says_when_it_was_last_done_on_the_page_api_and_cli(
    client: Client,
    api_client: Callable[[Persona], Client],
    viewer: Persona,
    activity: None,
    product: Product,
) -> None:
    from lodestar.core.models import HistoryEntry
    from tests.cli.support import run

    # The two decisions were made 40 days ago: none in the last 30 days.
    when = (timezone.now() - dt.timedelta(days=40)).replace(microsecond=0)
    HistoryEntry.objects.filter(object_type="decisions.decision").update(created_at=when)
    client.force_login(viewer.user)

    html = client.get(URL, {"scope": "product:ACME", "days": "30"}).content.decode()

    row = html[html.index('data-duty="make_product_decisions"') :]
    row = row[: row.index("</tr>")]
    assert "Nobody in 30 days" in row
    assert f'last done <time datetime="{when.isoformat()}">' in row
    talk = html[html.index('data-duty="talk_to_customers"') :]
    assert "none on record" in talk[: talk.index("</tr>")]
    assert "making product decisions (none in 40 days)" in html
    body: Any = (
        api_client(viewer)
        .get("/api/v1/workspaces/acme/coverage", {"product": "ACME", "days": "30"})
        .json()
    )
    duties = {duty["key"]: duty for duty in body["duties"]}
    assert duties["make_product_decisions"]["last"] is None
    assert dt.datetime.fromisoformat(duties["make_product_decisions"]["last_before"]) == when
    assert duties["talk_to_customers"]["last_before"] is None
    assert duties["order_backlog"]["last_before"] is None  # carried in the period
    result = run("coverage", "-w", "acme", "--product", "ACME", "--days", "30")
    assert result.exit_code == 0, result.output
    assert "none on record" in result.stdout  # the table's Last column for nobody's duties
