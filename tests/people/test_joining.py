"""Nobody joins a workspace without saying yes (issue 7, defect 4).

Adding someone always makes an invitation; the answer is the same for addresses with and
without an account here and names nobody; the invitee accepts or declines, in the app or
through the API with their own credentials; the server's operator keeps a direct way in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.core.errors import Conflict, Forbidden, Invalid, NotFound
from lodestar.core.models import HistoryEntry
from lodestar.people import services
from lodestar.people.models import Invitation, Membership, Role, User, Workspace
from tests.conftest import PASSWORD, Persona

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Persona], Client]

# What an invitation answer may differ in between two addresses: the rest must be identical.
_PER_INVITATION = {"id", "email", "token", "link", "created_at", "expires_at"}


def _add(api_client: ClientFor, persona: Persona, body: dict[str, str]) -> Any:
    return api_client(persona).post(
        "/api/v1/workspaces/acme/members", json.dumps(body), content_type="application/json"
    )


def _member_of_acme(email: str) -> Membership | None:
    return Membership.objects.filter(workspace__slug="acme", user__email=email).first()


def _invite(owner: Persona, email: str, role: str = "member") -> Invitation:
    invitation, _ = services.invitation_create(actor=owner.actor, email=email, role=role)
    return invitation


@pytest.fixture
def ada(db: None) -> User:
    """Someone with an account on this server (in another workspace), not in acme."""
    user = User.objects.create_user("ada@example.test", PASSWORD, full_name="Ada Lovelace")
    other = Workspace.objects.create(slug="analytical", name="Analytical Engines")
    Membership.objects.create(workspace=other, user=user, role=Role.OWNER)
    return user


# -- the inviter learns nothing, and nobody is added -----------------------------------------


def test_adding_someone_with_an_account_invites_them(owner: Persona, ada: User) -> None:
    invitation = _invite(owner, "Ada@Example.test", role="admin")
    assert invitation.email == "ada@example.test"
    assert _member_of_acme(ada.email) is None


def test_the_api_answers_alike_for_known_and_unknown_addresses(
    owner: Persona, ada: User, api_client: ClientFor
) -> None:
    known = _add(api_client, owner, {"email": ada.email, "role": "viewer"})
    unknown = _add(api_client, owner, {"email": "nobody@example.test", "role": "viewer"})
    assert (known.status_code, unknown.status_code) == (201, 201)
    assert set(known.json()) == set(unknown.json())
    same = {k: v for k, v in known.json().items() if k not in _PER_INVITATION}
    assert same == {k: v for k, v in unknown.json().items() if k not in _PER_INVITATION}
    assert known.headers.keys() == unknown.headers.keys()
    # No name, and nobody joined.
    assert b"Ada" not in known.content.replace(b"ada@", b"")
    assert "Lovelace" not in known.content.decode()
    assert _member_of_acme(ada.email) is None
    assert known.json()["link"].startswith("http://testserver/invitations/")


def test_the_members_page_answers_alike_and_adds_nobody(
    client: Client, owner: Persona, ada: User
) -> None:
    client.force_login(owner.user)
    known = client.post("/w/acme/members/invite", {"email": ada.email, "role": "member"})
    unknown = client.post("/w/acme/members/invite", {"email": "x@example.test", "role": "member"})
    assert (known.status_code, unknown.status_code) == (200, 200)
    assert b"Lovelace" not in known.content
    assert b"/invitations/" in known.content
    assert _member_of_acme(ada.email) is None


@pytest.mark.parametrize("email", ["viewer@acme.test", "no-account@example.test"])
def test_the_rules_hold_either_way(admin: Persona, viewer: Persona, email: str) -> None:
    with pytest.raises(Forbidden):
        services.invitation_create(actor=viewer.actor, email=email, role="member")
    with pytest.raises(Forbidden):
        services.invitation_create(actor=admin.actor, email=email, role="owner")


def test_a_member_cannot_be_invited_again(owner: Persona, viewer: Persona) -> None:
    with pytest.raises(Conflict):
        services.invitation_create(actor=owner.actor, email=viewer.email, role="member")


def test_a_bad_address_names_the_field(owner: Persona) -> None:
    with pytest.raises(Invalid) as refused:
        services.invitation_create(actor=owner.actor, email="not an address", role="member")
    assert refused.value.errors[0].field == "email"
    assert not Invitation.objects.exists()


def test_the_api_and_the_page_refuse_alike(
    admin: Persona, viewer: Persona, api_client: ClientFor, client: Client
) -> None:
    by_api = _add(api_client, admin, {"email": "x@example.test", "role": "owner"})
    client.force_login(admin.user)
    by_page = client.post("/w/acme/members/invite", {"email": "x@example.test", "role": "owner"})
    assert by_api.status_code == 403
    # The page does not even offer the owner role to an admin: the form refuses the choice.
    assert by_page.status_code == 422
    already_api = _add(api_client, admin, {"email": viewer.email, "role": "member"})
    client.force_login(admin.user)
    already_page = client.post("/w/acme/members/invite", {"email": viewer.email, "role": "member"})
    assert (already_api.status_code, already_page.status_code) == (409, 409)
    assert not Invitation.objects.exists()


# -- the invitee answers: the API --------------------------------------------------------------


def _ada_client(ada: User) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(ada)
    return client


def test_the_invitee_lists_and_accepts_through_the_api(owner: Persona, ada: User) -> None:
    invitation = _invite(owner, ada.email, role="admin")
    client = _ada_client(ada)
    listed = client.get("/api/v1/me/invitations")
    assert listed.status_code == 200
    assert [(i["id"], i["workspace_slug"], i["role"]) for i in listed.json()] == [
        (invitation.pk, "acme", "admin")
    ]
    assert listed.json()[0]["invited_by"] == owner.user.display_name
    accepted = client.post(f"/api/v1/me/invitations/{invitation.pk}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["workspace_slug"] == "acme"
    assert accepted.json()["member"]["role"] == "admin"
    member = _member_of_acme(ada.email)
    assert member is not None
    assert member.role == Role.ADMIN
    assert client.get("/api/v1/me/invitations").json() == []
    again = client.post(f"/api/v1/me/invitations/{invitation.pk}/accept")
    assert again.status_code == 422
    assert "already been used" in again.json()["detail"]


def test_the_invitee_accepts_with_their_own_api_token(
    owner: Persona, ada: User, make_token: Callable[..., str]
) -> None:
    """A token of their other workspace is their credential too."""
    invitation = _invite(owner, ada.email)
    persona = Persona(user=ada, membership=Membership.objects.get(user=ada))
    token = make_token(persona)
    client = Client(headers={"Authorization": f"Bearer {token}"})
    response = client.post(f"/api/v1/me/invitations/{invitation.pk}/accept")
    assert response.status_code == 200
    assert _member_of_acme(ada.email) is not None


def test_nobody_else_can_see_or_answer_an_invitation(
    owner: Persona, ada: User, viewer: Persona, api_client: ClientFor
) -> None:
    invitation = _invite(owner, ada.email)
    other = api_client(viewer)
    assert other.get("/api/v1/me/invitations").json() == []
    for answer in ("accept", "decline"):
        response = other.post(f"/api/v1/me/invitations/{invitation.pk}/{answer}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    invitation.refresh_from_db()
    assert invitation.is_open
    assert Client().get("/api/v1/me/invitations").status_code == 401


def test_declining_closes_the_invitation_and_its_link(owner: Persona, ada: User) -> None:
    invitation, secret = services.invitation_create(
        actor=owner.actor, email=ada.email, role="member"
    )
    client = _ada_client(ada)
    assert client.post(f"/api/v1/me/invitations/{invitation.pk}/decline").status_code == 204
    assert client.post(f"/api/v1/me/invitations/{invitation.pk}/decline").status_code == 204
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert not invitation.is_open
    with pytest.raises(Invalid, match="declined"):
        services.invitation_accept(token=secret, user=ada)
    accept = client.post(f"/api/v1/me/invitations/{invitation.pk}/accept")
    assert accept.status_code == 422
    assert _member_of_acme(ada.email) is None
    # The admins see it in the workspace's history.
    entry = HistoryEntry.objects.filter(object_id=invitation.pk).order_by("-id").first()
    assert entry is not None
    assert entry.actor_id == ada.pk
    assert "declined_at" in entry.changes


def test_an_expired_or_withdrawn_invitation_cannot_be_accepted(owner: Persona, ada: User) -> None:
    expired = _invite(owner, ada.email)
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(Invalid, match="expired"):
        services.invitation_accept_own(user=ada, invitation_id=expired.pk)
    withdrawn = _invite(owner, ada.email)  # withdraws nothing open: the first one expired
    services.invitation_revoke(actor=owner.actor, invitation=withdrawn)
    with pytest.raises(Invalid, match="withdrawn"):
        services.invitation_accept_own(user=ada, invitation_id=withdrawn.pk)
    with pytest.raises(NotFound):
        services.invitation_accept_own(user=ada, invitation_id=2**40)
    assert _member_of_acme(ada.email) is None


# -- the invitee answers: the pages ------------------------------------------------------------


def test_the_invitee_sees_the_invitation_and_accepts_it_in_the_app(
    owner: Persona, ada: User
) -> None:
    invitation = _invite(owner, ada.email)
    client = _ada_client(ada)
    home = client.get("/account/invitations")
    assert home.status_code == 200
    assert b"Acme" in home.content
    assert b"Accept and join Acme" in home.content
    # The sidebar of any page says invitations are waiting.
    workspace_page = client.get("/w/analytical/")
    assert b"/account/invitations" in workspace_page.content
    answered = client.post(f"/account/invitations/{invitation.pk}/accept")
    assert answered.status_code == 302
    assert answered["Location"] == "/w/acme/"
    assert _member_of_acme(ada.email) is not None
    assert b"/account/invitations" not in client.get("/w/analytical/").content


def test_declining_in_the_app(owner: Persona, ada: User) -> None:
    invitation = _invite(owner, ada.email)
    client = _ada_client(ada)
    answered = client.post(f"/account/invitations/{invitation.pk}/decline", follow=True)
    assert answered.status_code == 200
    assert b"Invitation declined." in answered.content
    assert b"No invitations are waiting for you." in answered.content
    assert _member_of_acme(ada.email) is None


def test_answering_someone_elses_invitation_in_the_app_says_so(
    owner: Persona, ada: User, viewer: Persona
) -> None:
    invitation = _invite(owner, ada.email)
    client = Client()
    client.force_login(viewer.user)
    answered = client.post(f"/account/invitations/{invitation.pk}/accept", follow=True)
    assert f"You have no invitation {invitation.pk}.".encode() in answered.content
    invitation.refresh_from_db()
    assert invitation.is_open
    assert client.get(f"/account/invitations/{invitation.pk}/accept").status_code == 405
    assert client.post(f"/account/invitations/{invitation.pk}/maybe").status_code == 404


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_answering_in_the_app_needs_the_csrf_token(owner: Persona, ada: User, answer: str) -> None:
    invitation = _invite(owner, ada.email)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    assert client.post(f"/account/invitations/{invitation.pk}/{answer}").status_code == 403
    invitation.refresh_from_db()
    assert invitation.is_open
    assert Client().get("/account/invitations").status_code == 302  # to sign in


def test_someone_without_a_workspace_sees_their_invitations(owner: Persona) -> None:
    newcomer = User.objects.create_user("new@example.test", PASSWORD)
    _invite(owner, newcomer.email)
    client = Client()
    client.force_login(newcomer)
    page = client.get("/")
    assert page.status_code == 200
    assert b"Invitations waiting for you" in page.content
    assert b"Accept and join Acme" in page.content


# -- the operator's direct way -------------------------------------------------------------------


def test_the_operator_adds_a_user_directly(owner: Persona, ada: User) -> None:
    workspace = Workspace.objects.get(slug="acme")
    member = services.member_add_by_operator(
        workspace=workspace, email=" ADA@example.test", role="viewer", job_title="Analyst"
    )
    assert (member.role, member.job_title) == (Role.VIEWER, "Analyst")
    entry = HistoryEntry.objects.filter(object_id=member.pk).get()
    assert entry.actor_id is None  # Lodestar did it, on the operator's command
    with pytest.raises(Conflict):
        services.member_add_by_operator(workspace=workspace, email=ada.email, role="viewer")
    with pytest.raises(Invalid, match="no account here yet"):
        services.member_add_by_operator(workspace=workspace, email="x@example.test", role="viewer")
    with pytest.raises(Invalid) as bad_role:
        services.member_add_by_operator(workspace=workspace, email=ada.email, role="emperor")
    assert bad_role.value.errors[0].field == "role"
