"""Changing one's email: the current password, a link to the new address and a notice to the
old one, and only the link changes it; taken addresses, bad, used and expired links."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client, override_settings

from lodestar.core.errors import Invalid, RateLimited
from lodestar.core.models import HistoryEntry
from lodestar.people import services
from lodestar.people.models import Invitation, User
from tests.conftest import PASSWORD, Persona
from tests.people.mail_links import link_in, path_of
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/account/email/confirm/[^\s\"<>]+")
SITE = "https://pm.example.com"


def _ask(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post("/account/email", {"email": email, "password": password})


def _link(text: str) -> str:
    return link_in(text, LINK)


def test_the_change_is_confirmed_from_the_new_address(
    client: Client, developer: Persona, smtp_server: SmtpServer
) -> None:
    client.force_login(developer.user)
    page = client.get("/account").content.decode()
    assert 'action="/account/email"' in page
    response = _ask(client, "New.Dev@Example.test")
    assert response.status_code == 302
    assert response["Location"] == "/account"
    (confirm,) = smtp_server.to("new.dev@example.test")
    (notice,) = smtp_server.to("dev@acme.test")
    assert confirm.subject == "Confirm your new Lodestar email address"
    assert notice.subject == "Your Lodestar email address is about to change"
    link = _link(confirm.part("text/plain"))
    assert link in confirm.part("text/html")
    assert "new.dev@example.test" in notice.part("text/plain")
    assert "/account/email/confirm/" not in notice.part("text/plain")
    assert "/account/email/confirm/" not in notice.part("text/html")
    # Nothing changed yet.
    developer.user.refresh_from_db()
    assert developer.user.email == "dev@acme.test"

    path = path_of(link)
    shown = Client().get(path)
    assert shown.status_code == 200
    assert "new.dev@example.test" in shown.content.decode()
    done = client.post(path)
    assert done.status_code == 302
    assert done["Location"] == "/account"
    developer.user.refresh_from_db()
    assert developer.user.email == "new.dev@example.test"
    assert Client().login(email="new.dev@example.test", password=PASSWORD)
    entry = HistoryEntry.objects.get(changes__has_key="email", object_id=developer.membership.pk)
    assert entry.changes == {"email": ["dev@acme.test", "new.dev@example.test"]}

    # The link works once.
    again = Client().post(path)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


@pytest.mark.parametrize(
    ("email", "password", "field_error"),
    [
        ("new@example.test", "wrong password", "Is not your current password."),
        ("dev@acme.test", PASSWORD, "Is already your address."),
        ("viewer@acme.test", PASSWORD, "That address cannot be used."),
        ("VIEWER@acme.test", PASSWORD, "That address cannot be used."),
        ("not an address", PASSWORD, "Enter a valid email address."),
        ("", PASSWORD, "This field is required."),
    ],
)
def test_bad_requests_are_named_and_send_nothing(
    client: Client, developer: Persona, viewer: Persona, email: str, password: str, field_error: str
) -> None:
    client.force_login(developer.user)
    response = _ask(client, email, password)
    assert response.status_code == 422
    assert field_error in response.content.decode()
    assert mail.outbox == []
    developer.user.refresh_from_db()
    assert developer.user.email == "dev@acme.test"


def test_a_taken_address_never_names_its_account(developer: Persona, outsider: Persona) -> None:
    with pytest.raises(Invalid) as caught:
        services.email_change_request(
            user=developer.user, password=PASSWORD, new_email=outsider.email, site=SITE
        )
    assert caught.value.errors[0].message == "that address cannot be used"
    assert "Boss" not in caught.value.detail
    assert "globex" not in caught.value.detail


def test_an_address_taken_before_the_link_is_followed(developer: Persona) -> None:
    services.email_change_request(
        user=developer.user, password=PASSWORD, new_email="wanted@example.test", site=SITE
    )
    link = _link(mail.outbox[0].body)
    User.objects.create_user("wanted@example.test", PASSWORD)
    response = Client().post(path_of(link))
    assert response.status_code == 409
    assert "That address cannot be used." in response.content.decode()
    developer.user.refresh_from_db()
    assert developer.user.email == "dev@acme.test"


def test_an_expired_link(developer: Persona) -> None:
    services.email_change_request(
        user=developer.user, password=PASSWORD, new_email="late@example.test", site=SITE
    )
    path = path_of(_link(mail.outbox[0].body))
    with override_settings(EMAIL_CHANGE_MAX_AGE_SECONDS=-1):
        response = Client().post(path)
    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    developer.user.refresh_from_db()
    assert developer.user.email == "dev@acme.test"


@pytest.mark.parametrize(
    "token",
    ["nonsense", "a:b:c", signing.Signer(salt="another.purpose").sign("x"), "x" * 400],
    ids=["nonsense", "colons", "other-salt", "long"],
)
def test_a_bad_link(developer: Persona, token: str) -> None:
    response = Client().post(f"/account/email/confirm/{token}")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    developer.user.refresh_from_db()
    assert developer.user.email == "dev@acme.test"


def test_a_newer_change_makes_an_older_link_stale(developer: Persona) -> None:
    for address in ["first@example.test", "second@example.test"]:
        services.email_change_request(
            user=developer.user, password=PASSWORD, new_email=address, site=SITE
        )
    first, _, second, _ = (m for m in mail.outbox)
    assert Client().post(path_of(_link(second.body))).status_code == 302
    assert Client().post(path_of(_link(first.body))).status_code == 410
    developer.user.refresh_from_db()
    assert developer.user.email == "second@example.test"


@override_settings(EMAIL_CHANGE_RATE_LIMIT_PER_USER=2)
def test_requests_are_limited(client: Client, developer: Persona) -> None:
    client.force_login(developer.user)
    for n in range(2):
        assert _ask(client, f"n{n}@example.test").status_code == 302
    refused = _ask(client, "n9@example.test")
    assert refused.status_code == 429
    assert "Too many email change attempts" in refused.content.decode()
    with pytest.raises(RateLimited):
        services.email_change_request(
            user=developer.user, password=PASSWORD, new_email="n8@example.test", site=SITE
        )
    assert len(mail.outbox) == 4


@override_settings(EMAIL_CHANGE_RATE_LIMIT_PER_USER=2)
def test_wrong_passwords_count_against_the_limit(client: Client, developer: Persona) -> None:
    client.force_login(developer.user)
    for _ in range(2):
        assert _ask(client, "n@example.test", "guess").status_code == 422
    assert _ask(client, "n@example.test", PASSWORD).status_code == 429
    assert mail.outbox == []


def test_open_invitations_keep_their_address(owner: Persona, developer: Persona) -> None:
    invitation, _ = services.invitation_create(
        actor=owner.actor, email="dev.other@example.test", role="member"
    )
    services.email_change_request(
        user=developer.user, password=PASSWORD, new_email="dev.new@example.test", site=SITE
    )
    services.email_change_confirm(token=path_of(_link(mail.outbox[-2].body)).rsplit("/", 1)[1])
    invitation.refresh_from_db()
    assert invitation.email == "dev.other@example.test"
    assert Invitation.objects.count() == 1


def test_the_account_pages_need_a_sign_in(client: Client) -> None:
    for path in ["/account", "/w/acme/tokens"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/signin?next=")
    response = client.post("/account/email", {"email": "a@example.test", "password": "x"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_the_email_change_needs_the_csrf_token(developer: Persona) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(developer.user)
    assert _ask(client, "new@example.test").status_code == 403
    assert mail.outbox == []
