""" "Add or invite": one service decides for the HTTP API and the members page alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.core.errors import Conflict, Forbidden, Invalid
from lodestar.people import services
from lodestar.people.models import Invitation, Membership, Role, User
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Persona], Client]


def _api(api_client: ClientFor, persona: Persona, body: dict[str, str]) -> Any:
    return api_client(persona).post(
        "/api/v1/workspaces/acme/members", json.dumps(body), content_type="application/json"
    )


def _page(client: Client, persona: Persona, body: dict[str, str]) -> Any:
    client.force_login(persona.user)
    return client.post("/w/acme/members/invite", body)


def _outcome(email: str) -> tuple[str | None, str | None]:
    """The stored result: the member's role and the open invitation's role, for ``email``."""
    member = Membership.objects.filter(workspace__slug="acme", user__email=email).first()
    invitation = Invitation.objects.filter(email=email, revoked_at__isnull=True).first()
    return (
        member.role if member else None,
        invitation.role if invitation else None,
    )


def test_a_user_with_an_account_is_added(owner: Persona) -> None:
    User.objects.create_user("ada@example.test", "x" * 12)
    done = services.member_add_or_invite(
        actor=owner.actor, email=" Ada@Example.test ", role="admin", job_title="Designer"
    )
    assert done.result == "added"
    assert done.invitation is None
    assert done.member is not None
    assert (done.member.role, done.member.job_title) == (Role.ADMIN, "Designer")


def test_anyone_else_is_invited_with_a_secret(owner: Persona) -> None:
    done = services.member_add_or_invite(actor=owner.actor, email="new@example.test", role="member")
    assert done.result == "invited"
    assert done.member is None
    assert done.invitation is not None
    assert done.invitation.email == "new@example.test"
    assert done.secret


def test_an_inactive_account_is_invited_not_added(owner: Persona) -> None:
    User.objects.create_user("gone@example.test", "x" * 12, is_active=False)
    done = services.member_add_or_invite(
        actor=owner.actor, email="gone@example.test", role="member"
    )
    assert done.result == "invited"


@pytest.mark.parametrize("email", ["viewer@acme.test", "no-account@example.test"])
def test_the_rules_hold_either_way(admin: Persona, viewer: Persona, email: str) -> None:
    with pytest.raises(Forbidden):
        services.member_add_or_invite(actor=viewer.actor, email=email, role="member")
    with pytest.raises(Forbidden):
        services.member_add_or_invite(actor=admin.actor, email=email, role="owner")


def test_a_member_cannot_be_added_twice(owner: Persona, viewer: Persona) -> None:
    with pytest.raises(Conflict):
        services.member_add_or_invite(actor=owner.actor, email=viewer.email, role="member")


def test_a_bad_address_names_the_field(owner: Persona) -> None:
    with pytest.raises(Invalid) as refused:
        services.member_add_or_invite(actor=owner.actor, email="not an address", role="member")
    assert refused.value.errors[0].field == "email"
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("has_account", [True, False])
def test_the_api_and_the_page_give_the_same_result(
    owner: Persona, api_client: ClientFor, client: Client, has_account: bool
) -> None:
    if has_account:
        User.objects.create_user("one@example.test", "x" * 12)
        User.objects.create_user("two@example.test", "x" * 12)
    by_api = _api(api_client, owner, {"email": "one@example.test", "role": "viewer"})
    by_page = _page(client, owner, {"email": "two@example.test", "role": "viewer"})
    assert by_api.status_code == 201
    assert by_page.status_code in {200, 302}
    expected = (Role.VIEWER, None) if has_account else (None, Role.VIEWER)
    assert _outcome("one@example.test") == expected
    assert _outcome("two@example.test") == expected
    assert by_api.json()["result"] == ("added" if has_account else "invited")


def test_the_api_and_the_page_refuse_alike(
    admin: Persona, viewer: Persona, api_client: ClientFor, client: Client
) -> None:
    by_api = _api(api_client, admin, {"email": "x@example.test", "role": "owner"})
    by_page = _page(client, admin, {"email": "x@example.test", "role": "owner"})
    assert by_api.status_code == 403
    # The page does not even offer the owner role to an admin: the form refuses the choice.
    assert by_page.status_code == 422
    already_api = _api(api_client, admin, {"email": viewer.email, "role": "member"})
    already_page = _page(client, admin, {"email": viewer.email, "role": "member"})
    assert (already_api.status_code, already_page.status_code) == (409, 409)
    assert _outcome("x@example.test") == (None, None)
