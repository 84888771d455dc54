"""Pages outside a workspace: signing in and out, passwords, invitations, CSRF (sign-in
throttling: ``test_throttle.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.people import services
from lodestar.people.models import Invitation, Membership, Role, User, Workspace
from tests.conftest import PASSWORD, Persona

NEW_PASSWORD = "a-much-longer-passphrase-42"


pytestmark = pytest.mark.django_db


def _sign_in(client: Client, email: str, password: str) -> Any:
    return client.post("/signin", {"email": email, "password": password})


# -- sign in and out ---------------------------------------------------------------------------


def test_sign_in_page_renders_for_anonymous(client: Client) -> None:
    response = client.get("/signin")
    assert response.status_code == 200
    assert b'name="email"' in response.content
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_sign_in_redirects_to_the_workspace(client: Client, developer: Persona) -> None:
    response = client.post("/signin", {"email": "DEV@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/w/acme/"


def test_signed_in_user_skips_the_sign_in_page(client: Client, developer: Persona) -> None:
    client.force_login(developer.user)
    assert client.get("/signin").status_code == 302


def test_sign_in_follows_a_local_next_but_not_a_foreign_one(
    client: Client, developer: Persona
) -> None:
    response = client.post(
        "/signin", {"email": developer.email, "password": PASSWORD, "next": "/w/acme/teams"}
    )
    assert response["Location"] == "/w/acme/teams"
    client.logout()
    response = client.post(
        "/signin",
        {"email": developer.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_wrong_password_says_so_and_signs_nobody_in(client: Client, developer: Persona) -> None:
    response = client.post("/signin", {"email": developer.email, "password": "nope"})
    assert response.status_code == 422
    assert b"do not match an account" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_in_form_names_missing_fields(client: Client) -> None:
    response = client.post("/signin", {"email": "not-an-email", "password": ""})
    assert response.status_code == 422
    assert b"Enter a valid email address." in response.content
    assert b"This field is required." in response.content


def test_sign_out_needs_post(client: Client, developer: Persona) -> None:
    client.force_login(developer.user)
    assert client.get("/signout").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/signout")
    assert response.status_code == 302
    assert response["Location"] == "/signin"
    assert "_auth_user_id" not in client.session


def test_home_without_a_workspace_explains_how_to_get_one(client: Client, db: None) -> None:
    user = User.objects.create_user("loner@example.test", PASSWORD)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert b"not in a workspace yet" in response.content


def test_home_prefers_the_workspace_used_last(
    client: Client, developer: Persona, other_workspace: Workspace
) -> None:
    Membership.objects.create(workspace=other_workspace, user=developer.user, role=Role.MEMBER)
    client.force_login(developer.user)
    assert client.get("/")["Location"] == "/w/acme/"  # "Acme" sorts before "Globex"
    client.get("/w/globex/")
    assert client.get("/")["Location"] == "/w/globex/"


def test_home_needs_sign_in(client: Client, db: None) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin?next=/")


# -- CSRF --------------------------------------------------------------------------------------


def test_sign_in_without_csrf_token_is_refused(developer: Persona) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/signin", {"email": developer.email, "password": PASSWORD})
    assert response.status_code == 403
    assert b"reload the page" in response.content.lower()
    assert "_auth_user_id" not in client.session


def test_sign_in_with_the_page_csrf_token_works(developer: Persona) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/signin")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/signin",
        {"email": developer.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_sign_out_without_csrf_token_keeps_the_session(developer: Persona) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(developer.user)
    assert client.post("/signout").status_code == 403
    assert "_auth_user_id" in client.session


# -- password change ---------------------------------------------------------------------------


def test_password_change_page_needs_sign_in(client: Client, db: None) -> None:
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin")


def test_password_change_with_wrong_current_password_changes_nothing(
    client: Client, developer: Persona
) -> None:
    client.force_login(developer.user)
    assert client.get("/account/password").status_code == 200
    response = client.post(
        "/account/password",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 422
    assert b"old password was entered incorrectly" in response.content
    developer.user.refresh_from_db()
    assert developer.user.check_password(PASSWORD)


def test_password_change_refuses_a_weak_or_mismatched_password(
    client: Client, developer: Persona
) -> None:
    client.force_login(developer.user)
    response = client.post(
        "/account/password",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 422
    assert b"too short" in response.content
    response = client.post(
        "/account/password",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "different"},
    )
    assert response.status_code == 422
    developer.user.refresh_from_db()
    assert developer.user.check_password(PASSWORD)


def test_password_change_keeps_this_session(client: Client, developer: Persona) -> None:
    client.force_login(developer.user)
    response = client.post(
        "/account/password",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    developer.user.refresh_from_db()
    assert developer.user.check_password(NEW_PASSWORD)
    assert client.get("/w/acme/").status_code == 200


# -- invitations -------------------------------------------------------------------------------


@pytest.fixture
def invite(admin: Persona) -> tuple[Invitation, str]:
    return services.invitation_create(
        actor=admin.actor, email="newcomer@acme.test", role=Role.MEMBER, job_title="Designer"
    )


def _account(name: str = "Nia Newcomer", password: str = NEW_PASSWORD) -> dict[str, str]:
    return {"full_name": name, "password": password, "password_again": password}


def test_invitation_page_shows_workspace_and_role(
    client: Client, invite: tuple[Invitation, str]
) -> None:
    response = client.get(f"/invitations/{invite[1]}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Join Acme" in body
    assert "newcomer@acme.test" in body
    assert "Member" in body
    assert "Designer" in body


def test_a_new_person_creates_an_account_and_joins(
    client: Client, invite: tuple[Invitation, str]
) -> None:
    response = client.post(f"/invitations/{invite[1]}", _account())
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/"
    membership = Membership.objects.get(user__email="newcomer@acme.test")
    assert (membership.role, membership.job_title) == (Role.MEMBER, "Designer")
    assert client.get("/w/acme/").status_code == 200


def test_bad_account_input_creates_nothing(client: Client, invite: tuple[Invitation, str]) -> None:
    response = client.post(f"/invitations/{invite[1]}", _account(password="short"))
    assert response.status_code == 422
    assert b"too short" in response.content
    response = client.post(
        f"/invitations/{invite[1]}", {**_account(), "password_again": "something-else-entirely"}
    )
    assert response.status_code == 422
    assert b"The two passwords differ." in response.content
    response = client.post(f"/invitations/{invite[1]}", _account(name=""))
    assert response.status_code == 422
    assert not User.objects.filter(email="newcomer@acme.test").exists()
    assert Invitation.objects.get(pk=invite[0].pk).accepted_at is None


def test_an_existing_account_is_told_to_sign_in(
    client: Client, invite: tuple[Invitation, str]
) -> None:
    User.objects.create_user("newcomer@acme.test", PASSWORD)
    response = client.post(f"/invitations/{invite[1]}", _account())
    assert response.status_code == 422
    assert b"sign in instead" in response.content
    assert not Membership.objects.filter(user__email="newcomer@acme.test").exists()


def test_the_signed_in_invitee_accepts(client: Client, invite: tuple[Invitation, str]) -> None:
    user = User.objects.create_user("newcomer@acme.test", PASSWORD)
    client.force_login(user)
    page = client.get(f"/invitations/{invite[1]}")
    assert b"Accept and join as member" in page.content
    response = client.post(f"/invitations/{invite[1]}")
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, workspace__slug="acme").exists()


def test_someone_else_signed_in_cannot_accept(
    client: Client, invite: tuple[Invitation, str], outsider: Persona
) -> None:
    client.force_login(outsider.user)
    page = client.get(f"/invitations/{invite[1]}")
    assert page.status_code == 200
    assert b"but you are signed in as" in page.content
    response = client.post(f"/invitations/{invite[1]}")
    assert response.status_code == 403
    assert not Membership.objects.filter(user=outsider.user, workspace__slug="acme").exists()


def test_an_expired_invitation_shows_a_clear_page_and_creates_nothing(
    client: Client, invite: tuple[Invitation, str]
) -> None:
    Invitation.objects.filter(pk=invite[0].pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    page = client.get(f"/invitations/{invite[1]}")
    assert page.status_code == 410
    assert b"This invitation has expired" in page.content
    response = client.post(f"/invitations/{invite[1]}", _account())
    assert response.status_code == 410
    assert not User.objects.filter(email="newcomer@acme.test").exists()


def test_a_used_invitation_cannot_be_used_again(
    client: Client, invite: tuple[Invitation, str]
) -> None:
    assert client.post(f"/invitations/{invite[1]}", _account()).status_code == 302
    client.logout()
    page = client.get(f"/invitations/{invite[1]}")
    assert page.status_code == 410
    assert b"already been used" in page.content
    response = client.post(f"/invitations/{invite[1]}", _account(name="Mallory"))
    assert response.status_code == 410
    assert Membership.objects.filter(user__email="newcomer@acme.test").count() == 1
    assert User.objects.get(email="newcomer@acme.test").full_name == "Nia Newcomer"


def test_a_withdrawn_invitation_shows_a_clear_page(
    client: Client, invite: tuple[Invitation, str], admin: Persona
) -> None:
    services.invitation_revoke(actor=admin.actor, invitation=invite[0])
    page = client.get(f"/invitations/{invite[1]}")
    assert page.status_code == 410
    assert b"withdrawn" in page.content
    assert client.post(f"/invitations/{invite[1]}", _account()).status_code == 410
    assert not User.objects.filter(email="newcomer@acme.test").exists()


def test_an_unknown_invitation_token_is_not_found(client: Client, db: None) -> None:
    response = client.get("/invitations/not-a-real-token")
    assert response.status_code == 404
    assert b"This invitation link is not valid" in response.content


def test_accepting_needs_the_csrf_token(invite: tuple[Invitation, str]) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/invitations/{invite[1]}", _account())
    assert response.status_code == 403
    assert not User.objects.filter(email="newcomer@acme.test").exists()
