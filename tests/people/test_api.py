from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.people import services
from lodestar.people.models import (
    ApiToken,
    Invitation,
    Membership,
    Role,
    Team,
    TeamMembership,
    User,
)
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme"
ClientFor = Callable[[Persona], Client]


def send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    if body is None:
        return client.generic(method, url, headers=headers)
    return client.generic(
        method, url, json.dumps(body), content_type="application/json", headers=headers
    )


def problem_fields(response: Any) -> list[str]:
    assert response["Content-Type"] == "application/problem+json"
    return [error["field"] for error in response.json().get("errors", [])]


# -- workspace and members ---------------------------------------------------------------------


def test_workspace_tells_the_caller_their_role(viewer: Persona, api_client: ClientFor) -> None:
    response = api_client(viewer).get(API)
    assert response.status_code == 200
    assert response.json() | {"created_at": None} == {
        "slug": "acme",
        "name": "Acme",
        "created_at": None,
        "version": 1,
        "your_role": "viewer",
        "allow_external_images": False,
    }
    assert response["ETag"] == '"1"'


def test_members_page_through_with_a_cursor(
    owner: Persona, workspace: Any, api_client: ClientFor, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        user = User.objects.create_user(f"m{n:02}@acme.test", "x")
        Membership.objects.create(workspace=workspace, user=user, job_title="Product Manager")
    client = api_client(owner)
    seen: list[str] = []
    url = f"{API}/members?limit=5"
    while url:
        # Same budget for 5 rows as for 1: no query per row.
        with django_assert_max_num_queries(6):
            page = client.get(url).json()
        seen += [item["email"] for item in page["items"]]
        url = f"{API}/members?limit=5&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 13
    assert client.get(f"{API}/members?limit=1").json()["items"][0]["is_product_manager"] is True


def test_adding_someone_invites_them(owner: Persona, api_client: ClientFor) -> None:
    response = send(api_client(owner), "POST", f"{API}/members", {"email": "new@elsewhere.test"})
    assert response.status_code == 201
    invitation = response.json()
    assert (invitation["email"], invitation["role"], invitation["invited_by"]) == (
        "new@elsewhere.test",
        "member",
        "owner@acme.test",
    )
    assert invitation["link"] == f"http://testserver/invitations/{invitation['token']}"
    user = User.objects.create_user("new@elsewhere.test", "x")
    membership = services.invitation_accept(token=invitation["token"], user=user)
    assert membership.workspace.slug == "acme"
    listed = api_client(owner).get(f"{API}/invitations").json()
    assert listed == {"items": [], "next_cursor": None}


def test_an_admin_cannot_grant_the_owner_role(admin: Persona, api_client: ClientFor) -> None:
    response = send(
        api_client(admin), "POST", f"{API}/members", {"email": "x@y.test", "role": "owner"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden_manage_owners"
    assert not Invitation.objects.exists()


def test_a_member_is_not_added_twice(
    owner: Persona, viewer: Persona, api_client: ClientFor
) -> None:
    response = send(api_client(owner), "POST", f"{API}/members", {"email": viewer.email})
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"


def test_member_patch_and_delete(owner: Persona, pm: Persona, api_client: ClientFor) -> None:
    client = api_client(owner)
    response = send(client, "PATCH", f"{API}/members/PM@acme.test", {"role": "admin"})
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert response.json()["job_title"] == "Product Manager"
    assert response["ETag"] == '"2"'
    assert client.delete(f"{API}/members/pm@acme.test").status_code == 204
    assert client.get(f"{API}/members/pm@acme.test").status_code == 404


def test_the_last_owner_stays(owner: Persona, api_client: ClientFor) -> None:
    client = api_client(owner)
    response = send(client, "PATCH", f"{API}/members/{owner.email}", {"role": "viewer"})
    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"
    assert client.delete(f"{API}/members/{owner.email}").status_code == 409
    assert Membership.objects.get(pk=owner.membership.pk).role == Role.OWNER


def test_unknown_member_is_404(owner: Persona, outsider: Persona, api_client: ClientFor) -> None:
    client = api_client(owner)
    assert client.get(f"{API}/members/nobody@acme.test").status_code == 404
    assert client.get(f"{API}/members/{outsider.email}").status_code == 404


def test_invitations_list_and_withdraw(owner: Persona, api_client: ClientFor) -> None:
    invitation, _ = services.invitation_create(
        actor=owner.actor, email="a@elsewhere.test", role="member"
    )
    client = api_client(owner)
    items = client.get(f"{API}/invitations").json()["items"]
    assert [item["email"] for item in items] == ["a@elsewhere.test"]
    assert "token" not in items[0]
    assert client.delete(f"{API}/invitations/{invitation.pk}").status_code == 204
    assert client.get(f"{API}/invitations").json()["items"] == []
    assert client.delete(f"{API}/invitations/999999").status_code == 404


# -- teams and hats ----------------------------------------------------------------------------


def test_team_create_get_and_patch(admin: Persona, api_client: ClientFor) -> None:
    client = api_client(admin)
    created = send(client, "POST", f"{API}/teams", {"name": "Mobile Apps"})
    assert created.status_code == 201
    assert created.json()["slug"] == "mobile-apps"
    assert created["ETag"] == '"1"'
    patched = send(client, "PATCH", f"{API}/teams/mobile-apps", {"description": "iOS, Android"})
    assert patched.json()["description"] == "iOS, Android"
    assert client.get(f"{API}/teams/mobile-apps")["ETag"] == '"2"'
    assert [t["slug"] for t in client.get(f"{API}/teams").json()["items"]] == ["mobile-apps"]


def test_team_create_names_the_bad_field(admin: Persona, team: Team, api_client: ClientFor) -> None:
    client = api_client(admin)
    taken = send(client, "POST", f"{API}/teams", {"name": "X", "slug": "core"})
    assert (taken.status_code, problem_fields(taken)) == (422, ["slug"])
    bad = send(client, "POST", f"{API}/teams", {"name": "X", "slug": "Not A Slug"})
    assert (bad.status_code, problem_fields(bad)) == (422, ["slug"])
    empty = send(client, "POST", f"{API}/teams", {"name": ""})
    assert (empty.status_code, problem_fields(empty)) == (422, ["name"])
    assert Team.objects.count() == 1


def test_a_team_of_another_workspace_is_404(
    owner: Persona, outsider: Persona, api_client: ClientFor
) -> None:
    services.team_create(actor=outsider.actor, name="Secret")
    assert api_client(owner).get(f"{API}/teams/secret").status_code == 404


def test_team_roster_add_and_end_a_hat(
    admin: Persona, developer: Persona, pm: Persona, api_client: ClientFor
) -> None:
    client = api_client(admin)
    added = send(
        client,
        "POST",
        f"{API}/teams/core/members",
        {"member": "pm@acme.test", "role": "scrum_master"},
    )
    assert added.status_code == 201
    assert added.json()["assigned_by"] == "admin@acme.test"
    roster = client.get(f"{API}/teams/core/members").json()["items"]
    assert sorted((r["member"], r["role"]) for r in roster) == [
        ("dev@acme.test", "developer"),
        ("pm@acme.test", "scrum_master"),
    ]
    assert client.delete(f"{API}/teams/core/members/pm@acme.test/scrum_master").status_code == 204
    assert client.delete(f"{API}/teams/core/members/pm@acme.test/scrum_master").status_code == 404
    bad_role = client.delete(f"{API}/teams/core/members/pm@acme.test/wizard")
    assert (bad_role.status_code, problem_fields(bad_role)) == (422, ["role"])
    assert TeamMembership.objects.filter(member=pm.membership).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"member": "ghost@acme.test", "role": "developer"}, "member"),
        ({"member": "boss@globex.test", "role": "developer"}, "member"),
        ({"member": "pm@acme.test", "role": "product_owner"}, "role"),
        ({"member": "pm@acme.test", "role": "wizard"}, "role"),
        ({"member": "pm@acme.test"}, "role"),
    ],
)
def test_team_role_add_names_the_bad_field(
    admin: Persona,
    pm: Persona,
    outsider: Persona,
    team: Team,
    api_client: ClientFor,
    body: dict[str, str],
    field: str,
) -> None:
    response = send(api_client(admin), "POST", f"{API}/teams/core/members", body)
    assert (response.status_code, problem_fields(response)) == (422, [field])
    assert not TeamMembership.objects.filter(team=team).exists()


# -- tokens and authentication -----------------------------------------------------------------


def test_a_created_token_works_until_revoked(developer: Persona, api_client: ClientFor) -> None:
    created = send(api_client(developer), "POST", f"{API}/tokens", {"name": "ci"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith(created.json()["prefix"])
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    listed = client.get(f"{API}/tokens").json()["items"]
    assert {item["name"] for item in listed} == {"ci", "test"}
    assert all("token" not in item for item in listed)
    assert client.delete(f"{API}/tokens/{created.json()['id']}").status_code == 204
    refused = client.get(f"{API}/tokens")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert ApiToken.objects.get(pk=created.json()["id"]).revoked_at is not None


def test_a_token_never_opens_another_workspace(
    owner: Persona, outsider: Persona, other_workspace: Any, make_token: Callable[..., str]
) -> None:
    # The same person in both workspaces: a token made for one never opens the other.
    Membership.objects.create(workspace=other_workspace, user=owner.user, role=Role.ADMIN)
    globex_token = make_token(
        Persona(user=owner.user, membership=owner.user.memberships.get(workspace=other_workspace))
    )
    client = Client(headers={"Authorization": f"Bearer {globex_token}"})
    assert client.get("/api/v1/workspaces/globex/members").status_code == 200
    for method, url in [("GET", API), ("GET", f"{API}/members"), ("POST", f"{API}/teams")]:
        response = send(client, method, url, {"name": "X"} if method == "POST" else None)
        assert response.status_code == 404
    assert not Team.objects.exists()


def test_an_unknown_workspace_is_404(owner: Persona, api_client: ClientFor) -> None:
    response = api_client(owner).get("/api/v1/workspaces/nowhere/members")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_session_works_and_csrf_is_enforced(admin: Persona) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin.user)
    assert client.get(f"{API}/teams").status_code == 200
    refused = send(client, "POST", f"{API}/teams", {"name": "Web"})
    assert refused.status_code == 403
    assert not Team.objects.filter(slug="web").exists()
    secret = "k" * 32  # a CSRF secret is 32 letters or digits; the header must repeat it
    client.cookies["csrftoken"] = secret
    accepted = send(client, "POST", f"{API}/teams", {"name": "Web"}, **{"X-CSRFToken": secret})
    assert accepted.status_code == 201


@pytest.mark.parametrize(
    "path", ["members", "teams", "teams/core/members", "tokens", "invitations"]
)
def test_lists_cost_the_same_whatever_their_length(
    owner: Persona,
    team: Team,
    api_client: ClientFor,
    django_assert_max_num_queries: Any,
    path: str,
) -> None:
    for n in range(15):
        user = User.objects.create_user(f"m{n:02}@acme.test", "x")
        member = Membership.objects.create(workspace=team.workspace, user=user)
        services.team_role_add(actor=owner.actor, team=team, member=member, role="developer")
        services.token_create(actor=owner.actor, name=f"t{n}")
        services.invitation_create(actor=owner.actor, email=f"i{n}@elsewhere.test", role="member")
        services.team_create(actor=owner.actor, name=f"Team {n}")
    client = api_client(owner)
    client.get(f"{API}/{path}")  # the token's first use writes last_used_at
    with django_assert_max_num_queries(5):  # one is the rate limit's counter
        page = client.get(f"{API}/{path}?limit=100").json()
    assert len(page["items"]) >= 15
