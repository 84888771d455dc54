"""The account page and the API-token page: my tokens in a workspace, created (the secret
shown once) and revoked on the page; a viewer's token reads and every write refuses it, as
for the viewer's session."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.test import Client

from lodestar.people.extensions import ACCOUNT_SECTIONS, AccountSection
from lodestar.people.models import ApiToken
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

PRODUCT = {"key": "ROAD", "name": "Roadmap"}


def _signed_in(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def test_the_user_menu_leads_to_the_account_page(developer: Persona, outsider: Persona) -> None:
    client = _signed_in(developer)
    page = client.get("/w/acme/").content.decode()
    assert 'href="/account"' in page
    account = client.get("/account").content.decode()
    for part in ["Email address", "Password", "API tokens", 'href="/account/password"']:
        assert part in account
    assert 'href="/w/acme/tokens"' in account
    assert "/w/globex/tokens" not in account


@pytest.fixture
def notifications_section() -> Iterator[None]:
    saved = ACCOUNT_SECTIONS.snapshot()
    ACCOUNT_SECTIONS.register(
        AccountSection(
            name="notifications",
            label="Notifications",
            description="What you are told, and how.",
            url=lambda: "/account/notifications",
        )
    )
    yield
    ACCOUNT_SECTIONS.restore(saved)


def test_later_contexts_add_sections(developer: Persona, notifications_section: None) -> None:
    page = _signed_in(developer).get("/account").content.decode()
    assert 'id="account-notifications"' in page
    assert 'href="/account/notifications"' in page


def test_the_token_page_creates_shows_once_and_revokes(
    developer: Persona, admin: Persona, make_token: object
) -> None:
    client = _signed_in(developer)
    created = client.post("/w/acme/tokens", {"name": "Roadmap script"})
    assert created.status_code == 200
    page = created.content.decode()
    token = ApiToken.objects.get(user=developer.user)
    marker = 'id="token-secret" type="text" value="'
    secret = page[page.index(marker) + len(marker) :].split('"', 1)[0]
    assert secret.startswith(token.prefix)
    assert 'data-copy="token-secret"' in page
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/workspaces/acme").status_code == 200

    # Listed with its name, prefix and dates; the secret is never shown again.
    listed = client.get("/w/acme/tokens").content.decode()
    assert "Roadmap script" in listed
    assert f"{token.prefix}…" in listed
    assert secret not in listed
    assert 'data-confirm="Revoke the token' in listed

    # Revoked: it stops working at once.
    revoked = client.post(f"/w/acme/tokens/{token.pk}/revoke")
    assert revoked.status_code == 302
    assert api.get("/api/v1/workspaces/acme").status_code == 401
    assert "revoked" in client.get("/w/acme/tokens").content.decode()


def test_the_page_lists_only_my_tokens_even_for_an_admin(
    developer: Persona, admin: Persona
) -> None:
    ApiToken.objects.create(
        workspace=developer.membership.workspace,
        user=developer.user,
        name="dev laptop",
        prefix="lsk_abcdefgh",
        token_hash="0" * 64,
    )
    client = _signed_in(admin)
    assert "dev laptop" not in client.get("/w/acme/tokens").content.decode()
    token = ApiToken.objects.get()
    assert client.post(f"/w/acme/tokens/{token.pk}/revoke").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_workspaces_token_is_404(developer: Persona, outsider: Persona) -> None:
    theirs = ApiToken.objects.create(
        workspace=outsider.membership.workspace,
        user=outsider.user,
        name="globex",
        prefix="lsk_zzzzzzzz",
        token_hash="1" * 64,
    )
    client = _signed_in(developer)
    assert client.post(f"/w/acme/tokens/{theirs.pk}/revoke").status_code == 404
    assert client.post("/w/globex/tokens", {"name": "sneaky"}).status_code == 404
    assert _signed_in(outsider).get("/w/acme/tokens").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "error"),
    [("", "This field is required."), ("   ", "This field is required."), ("x" * 101, "at most")],
)
def test_a_bad_name_is_named(developer: Persona, name: str, error: str) -> None:
    response = _signed_in(developer).post("/w/acme/tokens", {"name": name})
    assert response.status_code == 422
    assert error in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_needs_the_csrf_token(developer: Persona) -> None:
    _signed_in(developer).post("/w/acme/tokens", {"name": "ci"})
    token = ApiToken.objects.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(developer.user)
    assert client.post(f"/w/acme/tokens/{token.pk}/revoke").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_viewers_token_only_reads(viewer: Persona) -> None:
    session = _signed_in(viewer)
    page = session.post("/w/acme/tokens", {"name": "roadmap reader"}).content.decode()
    assert "as a viewer, your tokens only read" in page
    marker = 'id="token-secret" type="text" value="'
    secret = page[page.index(marker) + len(marker) :].split('"', 1)[0]
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/workspaces/acme/products").status_code == 200
    by_token = api.post(
        "/api/v1/workspaces/acme/products", json.dumps(PRODUCT), content_type="application/json"
    )
    by_session = session.post(
        "/api/v1/workspaces/acme/products", json.dumps(PRODUCT), content_type="application/json"
    )
    assert by_token.status_code == by_session.status_code == 403
    assert by_token.json()["code"] == by_session.json()["code"]
    invite = api.post(
        "/api/v1/workspaces/acme/members",
        json.dumps({"email": "x@example.test", "role": "member"}),
        content_type="application/json",
    )
    assert invite.status_code == 403
