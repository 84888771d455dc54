"""One product owner per product, shared by every team that works from it (the Scrum Guide's
rule): the policy, the service and its history, the API, the pages, and the migration that
moved the hat from teams to products without losing any of its history."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.test import Client
from django.utils import timezone

from lodestar.backlog.permissions import BacklogPermission
from lodestar.core.errors import Forbidden, Invalid
from lodestar.core.models import HistoryEntry
from lodestar.people import services as people
from lodestar.people.models import Team, TeamMembership, TeamRole
from lodestar.people.policy import Permission, can
from lodestar.strategy import services
from lodestar.strategy.models import Product, ProductOwnerHat, ProductTeam
from lodestar.strategy.permissions import StrategyPermission
from tests.conftest import Persona
from tests.people.test_api import problem_fields, send

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme"


@pytest.fixture
def insights(owner: Persona, product: Product) -> Team:
    """A second team on the same product."""
    team = people.team_create(actor=owner.actor, name="Insights", slug="insights")
    services.team_product_set(actor=owner.actor, team=team, product=product)
    return team


@pytest.fixture
def shop(owner: Persona) -> Product:
    """Another product, with a team of its own and no product owner."""
    product = services.product_create(actor=owner.actor, key="SHOP", name="Shop")
    web = people.team_create(actor=owner.actor, name="Web", slug="web")
    services.team_product_set(actor=owner.actor, team=web, product=product)
    return product


def _holder(product: Product) -> str | None:
    hat = ProductOwnerHat.objects.filter(product=product, ended_at__isnull=True).first()
    return hat.member.user.email if hat else None


# -- the policy --------------------------------------------------------------------------------


def test_the_product_owner_orders_the_one_backlog_of_their_product_only(
    po: Persona, developer: Persona, admin: Persona, product: Product, insights: Team, shop: Product
) -> None:
    team = Team.objects.get(slug="core")
    assert can(po.actor, BacklogPermission.ORDER_BACKLOG, product=product)
    assert can(po.actor, StrategyPermission.SET_PRODUCT_GOAL, product=product)
    # Through either team on the product: the hat is shared.
    assert can(po.actor, BacklogPermission.ORDER_BACKLOG, teams=[team])
    assert can(po.actor, BacklogPermission.ORDER_BACKLOG, teams=[insights])
    assert not can(po.actor, BacklogPermission.ORDER_BACKLOG, product=shop)
    assert not can(po.actor, BacklogPermission.ORDER_BACKLOG)
    assert not can(developer.actor, BacklogPermission.ORDER_BACKLOG, product=product)
    assert can(admin.actor, BacklogPermission.ORDER_BACKLOG, product=shop)


def test_a_product_with_two_teams_has_one_product_owner(
    admin: Persona, po: Persona, developer: Persona, product: Product, insights: Team
) -> None:
    """Two teams, one backlog: giving the hat to someone else takes it from the first holder
    for both teams (no second product owner through the other team)."""
    services.product_owner_set(actor=admin.actor, product=product, member=developer.membership)
    assert not can(po.actor, BacklogPermission.ORDER_BACKLOG, teams=[insights])
    assert not can(po.actor, BacklogPermission.ORDER_BACKLOG, product=product)
    assert can(developer.actor, BacklogPermission.ORDER_BACKLOG, teams=[insights])
    assert ProductOwnerHat.objects.filter(product=product, ended_at__isnull=True).count() == 1


def test_a_viewer_wearing_the_hat_still_cannot_write(viewer: Persona, product: Product) -> None:
    ProductOwnerHat.objects.create(product=product, member=viewer.membership)
    assert not can(viewer.actor, BacklogPermission.ORDER_BACKLOG, product=product)
    assert not can(viewer.actor, Permission.EDIT_CONTENT)


def test_an_ended_hat_grants_nothing(po: Persona, product: Product) -> None:
    ProductOwnerHat.objects.filter(member=po.membership).update(ended_at=timezone.now())
    assert not can(po.actor, BacklogPermission.ORDER_BACKLOG, product=product)


def test_a_team_cannot_be_given_the_product_owner_hat(
    admin: Persona, developer: Persona, product: Product
) -> None:
    team = Team.objects.get(slug="core")
    with pytest.raises(Invalid) as refused:
        people.team_role_add(
            actor=admin.actor, team=team, member=developer.membership, role="product_owner"
        )
    assert "belongs to a product" in refused.value.detail
    assert not TeamMembership.objects.filter(role=TeamRole.PRODUCT_OWNER).exists()


# -- the service -------------------------------------------------------------------------------


def test_moving_the_hat_keeps_its_history_and_says_so(
    admin: Persona, po: Persona, developer: Persona, product: Product
) -> None:
    version = Product.objects.get(pk=product.pk).version
    services.product_owner_set(
        actor=admin.actor, product=product, member=developer.membership, expected_version=version
    )
    hats = list(ProductOwnerHat.objects.filter(product=product).order_by("started_at", "id"))
    assert [h.member.user.email for h in hats] == ["po@acme.test", "dev@acme.test"]
    assert hats[0].ended_at == hats[1].started_at
    assert hats[1].assigned_by == admin.user
    assert Product.objects.get(pk=product.pk).version == version + 1
    entry = HistoryEntry.objects.get(object_type="strategy.product", action="moved")
    assert entry.changes == {"product_owner": ["po@acme.test", "dev@acme.test"]}
    # Giving it to the holder again changes nothing.
    services.product_owner_set(actor=admin.actor, product=product, member=developer.membership)
    assert ProductOwnerHat.objects.filter(product=product).count() == 2


@pytest.mark.parametrize("persona", ["po", "developer", "viewer"])
def test_only_owners_and_admins_move_the_hat(
    request: pytest.FixtureRequest, persona: str, po: Persona, developer: Persona, product: Product
) -> None:
    actor = request.getfixturevalue(persona).actor
    with pytest.raises(Forbidden):
        services.product_owner_set(actor=actor, product=product, member=developer.membership)
    assert _holder(product) == "po@acme.test"


def test_the_hat_never_goes_to_a_viewer_or_someone_of_another_workspace(
    admin: Persona, po: Persona, viewer: Persona, outsider: Persona, product: Product
) -> None:
    for member in (viewer.membership, outsider.membership):
        with pytest.raises(Invalid):
            services.product_owner_set(actor=admin.actor, product=product, member=member)
    assert _holder(product) == "po@acme.test"


# -- the API -----------------------------------------------------------------------------------


def test_the_api_reads_and_moves_the_products_hat(
    admin: Persona,
    po: Persona,
    developer: Persona,
    product: Product,
    insights: Team,
    api_client: Any,
) -> None:
    client = api_client(admin)
    before = client.get(f"{API}/products/ACME/product-owner")
    assert before.json()["holder"]["member"] == "po@acme.test"
    assert before.json()["teams"] == ["core", "insights"]
    moved = send(
        client,
        "PUT",
        f"{API}/products/ACME/product-owner",
        {"member": "dev@acme.test"},
        **{"If-Match": before["ETag"]},
    )
    assert moved.status_code == 200
    body = moved.json()
    assert [(h["member"], h["ended_at"] is None) for h in body["history"]] == [
        ("dev@acme.test", True),
        ("po@acme.test", False),
    ]
    assert moved["ETag"] == f'"{body["version"]}"'
    assert client.get(f"{API}/products/ACME").json()["product_owner"] == "dev@acme.test"
    # The deprecated team route reads (and moves) the same, shared hat.
    via_team = client.get(f"{API}/teams/insights/roles/product-owner").json()
    assert (via_team["product"], via_team["holder"]["member"]) == ("ACME", "dev@acme.test")
    vacated = send(client, "PUT", f"{API}/teams/core/roles/product-owner", {"member": None})
    assert vacated.status_code == 200
    assert vacated.json()["holder"] is None
    assert _holder(product) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"member": "nobody@acme.test"}, "member"),
        ({"member": "boss@globex.test"}, "member"),
        ({"member": "viewer@acme.test"}, "member"),
        ({}, "member"),
        ({"member": "dev@acme.test", "since": "2020-01-01"}, "since"),
    ],
)
def test_a_bad_hat_move_is_422_naming_the_field_and_changes_nothing(
    admin: Persona,
    po: Persona,
    developer: Persona,
    viewer: Persona,
    outsider: Persona,
    product: Product,
    api_client: Any,
    body: dict[str, str],
    field: str,
) -> None:
    before = list(ProductOwnerHat.objects.values_list("pk", "ended_at"))
    history = HistoryEntry.objects.count()
    response = send(api_client(admin), "PUT", f"{API}/products/ACME/product-owner", body)
    assert (response.status_code, problem_fields(response)) == (422, [field])
    assert list(ProductOwnerHat.objects.values_list("pk", "ended_at")) == before
    assert HistoryEntry.objects.count() == history


def test_a_team_without_a_product_has_no_hat_to_move(
    admin: Persona, developer: Persona, api_client: Any
) -> None:
    people.team_create(actor=admin.actor, name="Loose", slug="loose")
    response = send(
        api_client(admin), "PUT", f"{API}/teams/loose/roles/product-owner", {"member": None}
    )
    assert (response.status_code, problem_fields(response)) == (422, ["team"])
    assert "works from no product" in response.json()["detail"]


# -- the pages ---------------------------------------------------------------------------------


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def test_the_product_page_moves_the_hat_and_shows_who_wore_it(
    client: Client, admin: Persona, po: Persona, developer: Persona, product: Product
) -> None:
    _as(client, admin)
    page = client.get("/w/acme/products/ACME").content.decode()
    assert "Move hat" in page
    assert "shared by every team on it" in page
    response = client.post(
        "/w/acme/products/ACME/product-owner",
        {"member": "dev@acme.test", "version": Product.objects.get(pk=product.pk).version},
        follow=True,
    )
    body = response.content.decode()
    assert "Dev is now the product owner of ACME, for every team that works from it." in body
    assert "Earlier product owners" in body
    assert _holder(product) == "dev@acme.test"


@pytest.mark.parametrize("member", ["boss@globex.test", "viewer@acme.test", "ghost@acme.test"])
def test_the_product_page_refuses_the_hat_to_a_non_member_or_a_viewer(
    client: Client,
    admin: Persona,
    po: Persona,
    viewer: Persona,
    outsider: Persona,
    product: Product,
    member: str,
) -> None:
    _as(client, admin)
    response = client.post(
        "/w/acme/products/ACME/product-owner", {"member": member, "version": product.version}
    )
    assert response.status_code == 422
    assert b"Select a valid choice." in response.content
    assert _holder(product) == "po@acme.test"


def test_a_stale_hat_move_on_the_page_answers_412_and_moves_nothing(
    client: Client, admin: Persona, po: Persona, developer: Persona, pm: Persona, product: Product
) -> None:
    seen = product.version
    services.product_owner_set(actor=admin.actor, product=product, member=pm.membership)
    _as(client, admin)
    response = client.post(
        "/w/acme/products/ACME/product-owner", {"member": "dev@acme.test", "version": seen}
    )
    assert response.status_code == 412
    assert b"Someone else changed this product meanwhile" in response.content
    assert _holder(product) == "pm@acme.test"


@pytest.mark.parametrize("persona", ["po", "developer", "viewer"])
def test_only_admins_see_and_use_the_hat_form(
    client: Client, request: pytest.FixtureRequest, persona: str, po: Persona, product: Product
) -> None:
    _as(client, request.getfixturevalue(persona))
    assert "Move hat" not in client.get("/w/acme/products/ACME").content.decode()
    response = client.post(
        "/w/acme/products/ACME/product-owner", {"member": "", "version": product.version}
    )
    assert response.status_code == 403
    assert _holder(product) == "po@acme.test"


def test_team_pages_say_the_product_owner_is_the_products(
    client: Client, admin: Persona, po: Persona, product: Product, insights: Team
) -> None:
    _as(client, admin)
    body = client.get("/w/acme/teams/insights").content.decode()
    shared = body[body.index('data-testid="po-shared"') :]
    assert "Po" in body[body.index('id="product-owner"') :]
    assert "The product owner of" in shared
    assert "ACME Acme Analytics" in shared
    assert "shared with Core" in shared
    assert "Give ACME's hat to someone else" in body
    teams = client.get("/w/acme/teams").content.decode()
    assert teams.count("Po · ACME") == 2


def test_who_does_what_shows_one_product_owner_per_product_for_its_teams(
    client: Client,
    admin: Persona,
    po: Persona,
    developer: Persona,
    pm: Persona,
    product: Product,
    insights: Team,
) -> None:
    services.product_owner_set(actor=admin.actor, product=product, member=developer.membership)
    people.team_create(actor=admin.actor, name="Loose", slug="loose")
    _as(client, pm)
    body = client.get("/w/acme/who").content.decode()
    card = body[body.index('id="product-ACME"') : body.index('id="no-product"')]
    assert card.count('data-testid="product-owner"') == 1
    assert "shared by Core and Insights" in card
    assert "Dev" in card[card.index('data-testid="product-owner"') :]
    assert "Po</strong> wore it" in card
    assert 'id="team-core"' in card
    assert 'id="team-insights"' in card
    assert 'id="team-loose"' in body[body.index('id="no-product"') :]


def test_who_does_what_reads_in_a_fixed_number_of_queries(
    client: Client,
    admin: Persona,
    developer: Persona,
    pm: Persona,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(5):
        product = services.product_create(actor=admin.actor, key=f"P{'ABCDE'[n]}", name=f"P {n}")
        services.product_owner_set(actor=admin.actor, product=product, member=pm.membership)
        for m in range(2):
            team = people.team_create(actor=admin.actor, name=f"Team {n}{m}")
            services.team_product_set(actor=admin.actor, team=team, product=product)
            people.team_role_add(
                actor=admin.actor, team=team, member=developer.membership, role="developer"
            )
    _as(client, admin)
    # The page and its sidebar (with the unread count the inbox badge shows).
    with django_assert_max_num_queries(15):
        assert client.get("/w/acme/who").status_code == 200


def test_the_product_page_links_and_unlinks_teams(
    client: Client, admin: Persona, developer: Persona, product: Product
) -> None:
    people.team_create(actor=admin.actor, name="Loose", slug="loose")
    _as(client, admin)
    client.post("/w/acme/products/ACME/teams", {"team": "loose", "action": "add"})
    assert ProductTeam.objects.filter(team__slug="loose", product=product).exists()
    client.post("/w/acme/products/ACME/teams", {"team": "loose", "action": "remove"})
    assert not ProductTeam.objects.filter(team__slug="loose").exists()
    assert client.post("/w/acme/products/ACME/teams", {"team": "nope"}).status_code == 404
    # A stale page asking to take a team off ACME never unlinks it from the product it is on.
    shop = services.product_create(actor=admin.actor, key="SHOP", name="Shop")
    services.team_product_set(actor=admin.actor, team=Team.objects.get(slug="loose"), product=shop)
    stale = client.post(
        "/w/acme/products/ACME/teams", {"team": "loose", "action": "remove"}, follow=True
    )
    assert "Team: does not work from ACME" in stale.content.decode()
    assert ProductTeam.objects.get(team__slug="loose").product == shop
    services.team_product_set(actor=admin.actor, team=Team.objects.get(slug="loose"), product=None)
    _as(client, developer)
    refused = client.post("/w/acme/products/ACME/teams", {"team": "loose", "action": "add"})
    assert refused.status_code == 403
    assert not ProductTeam.objects.filter(team__slug="loose").exists()


# -- the migration -----------------------------------------------------------------------------


def test_the_migration_moves_team_hats_to_products_losing_no_history(
    owner: Persona, developer: Persona, pm: Persona, product: Product, insights: Team
) -> None:
    """Checkout and Insights both had a product owner on one product (the defect): the owner of
    the team that joined the product first keeps the hat, the other's spell ends, and every
    earlier spell is copied with its dates and who gave it."""
    migration = import_module("lodestar.strategy.migrations.0003_product_owner_hat")
    ProductOwnerHat.objects.all().delete()
    core = Team.objects.get(slug="core")
    long_ago = timezone.now() - dt.timedelta(days=200)
    TeamMembership.objects.create(
        team=core,
        member=pm.membership,
        role=TeamRole.PRODUCT_OWNER,
        started_at=long_ago,
        ended_at=long_ago + dt.timedelta(days=100),
        assigned_by=owner.user,
    )
    TeamMembership.objects.create(
        team=core,
        member=owner.membership,
        role=TeamRole.PRODUCT_OWNER,
        started_at=long_ago + dt.timedelta(days=100),
    )
    TeamMembership.objects.create(
        team=insights, member=developer.membership, role=TeamRole.PRODUCT_OWNER
    )
    migration.hats_move_to_products(global_apps, None)

    hats = list(ProductOwnerHat.objects.filter(product=product).order_by("started_at"))
    assert [(h.member.user.email, h.ended_at is None) for h in hats] == [
        ("pm@acme.test", False),
        ("owner@acme.test", True),
        ("dev@acme.test", False),
    ]
    assert hats[0].started_at == long_ago
    assert hats[0].assigned_by == owner.user
    assert not TeamMembership.objects.filter(
        role=TeamRole.PRODUCT_OWNER, ended_at__isnull=True
    ).exists()
    assert TeamMembership.objects.filter(role=TeamRole.PRODUCT_OWNER).count() == 3
