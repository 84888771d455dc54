"""Password reset by email: the same answer for known and unknown addresses, rate limits, the
message on a real SMTP server, and links that are bad, expired, used or refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client, override_settings

from lodestar.core.models import HistoryEntry
from lodestar.people import services
from lodestar.people.models import ApiToken, User
from lodestar.people.services.passwords import reset_path
from tests.conftest import PASSWORD, Persona
from tests.people.mail_links import link_in, path_of
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-passphrase-42"
LINK = re.compile(r"https?://[^\s\"<>]+/account/reset/[^\s\"<>]+")


def _ask(client: Client, email: str, **extra: Any) -> Any:
    return client.post("/account/reset", {"email": email}, **extra)


def _link(text: str) -> str:
    return link_in(text, LINK)


def test_the_sign_in_page_links_to_the_reset(client: Client) -> None:
    page = client.get("/signin").content.decode()
    assert 'href="/account/reset"' in page
    assert "Forgot your password?" in page


def test_the_reset_email_on_the_smtp_server(
    client: Client, developer: Persona, smtp_server: SmtpServer
) -> None:
    with override_settings(BASE_URL="https://pm.example.com"):
        response = _ask(client, "DEV@acme.test ")
    assert response.status_code == 200
    assert "If an account uses" in response.content.decode()
    (message,) = smtp_server.to("dev@acme.test")
    assert message.subject == "Reset your Lodestar password"
    assert message.message["From"] == "lodestar@localhost"
    assert message.message["To"] == "dev@acme.test"
    text, html = message.part("text/plain"), message.part("text/html")
    link = _link(text)
    assert link.startswith("https://pm.example.com/account/reset/")
    assert link in html
    assert "60 minutes" in text

    # The link opens a form; a new password saves and sends the person to sign in.
    path = path_of(link)
    assert client.get(path).status_code == 200
    done = client.post(path, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/signin"
    assert Client().login(email="dev@acme.test", password=NEW_PASSWORD)
    assert not Client().login(email="dev@acme.test", password=PASSWORD)


def test_known_and_unknown_addresses_get_the_same_answer(
    client: Client, developer: Persona, smtp_server: SmtpServer
) -> None:
    known = _ask(client, "dev@acme.test")
    unknown = _ask(client, "nobody@acme.test")
    assert known.status_code == unknown.status_code == 200
    assert _plain(known, "dev@acme.test") == _plain(unknown, "nobody@acme.test")
    assert [m.rcpt_tos for m in smtp_server.messages] == [["dev@acme.test"]]


def _plain(response: Any, address: str) -> str:
    """The page without the address typed and the CSRF tokens (which differ per request)."""
    page = response.content.decode().replace(address, "ADDRESS")
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", page)


def test_an_inactive_account_gets_no_email(client: Client, developer: Persona) -> None:
    User.objects.filter(pk=developer.user.pk).update(is_active=False)
    assert _ask(client, "dev@acme.test").status_code == 200
    assert mail.outbox == []


def test_a_malformed_address_is_named(client: Client) -> None:
    response = _ask(client, "not an address")
    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []


@override_settings(PASSWORD_RESET_RATE_LIMIT_PER_EMAIL=2, PASSWORD_RESET_RATE_LIMIT_PER_CLIENT=50)
def test_the_limit_per_address_says_the_same_for_known_and_unknown(
    client: Client, developer: Persona
) -> None:
    for _ in range(2):
        assert _ask(client, "dev@acme.test").status_code == 200
        assert _ask(client, "nobody@acme.test").status_code == 200
    known = _ask(client, "dev@acme.test")
    unknown = _ask(client, "nobody@acme.test")
    assert known.status_code == unknown.status_code == 429
    assert int(known["Retry-After"]) > 0
    words = "Too many password reset requests for this address or from your network."
    assert words in known.content.decode()
    assert words in unknown.content.decode()
    assert len(mail.outbox) == 2


@override_settings(PASSWORD_RESET_RATE_LIMIT_PER_CLIENT=3)
def test_the_limit_per_client_address(client: Client, developer: Persona) -> None:
    for n in range(3):
        assert _ask(client, f"someone{n}@acme.test").status_code == 200
    refused = _ask(client, "dev@acme.test")
    assert refused.status_code == 429
    assert mail.outbox == []
    # Another client address is not held back.
    assert _ask(Client(REMOTE_ADDR="10.9.8.7"), "dev@acme.test").status_code == 200
    assert len(mail.outbox) == 1


def _fresh_link(user: User) -> str:
    return reset_path(user)


def test_a_weak_password_is_refused_and_nothing_changes(client: Client, developer: Persona) -> None:
    path = _fresh_link(developer.user)
    for data, error in [
        ({"password": "short", "password_again": "short"}, "too short"),
        ({"password": "password1234", "password_again": "password1234"}, "too common"),
        (
            {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x"},
            "The two passwords differ.",
        ),
        ({"password": "", "password_again": ""}, "This field is required."),
    ]:
        response = client.post(path, data)
        assert response.status_code == 422
        assert error in response.content.decode()
    developer.user.refresh_from_db()
    assert developer.user.check_password(PASSWORD)
    assert not HistoryEntry.objects.filter(changes__has_key="password").exists()


def test_a_used_link_no_longer_works(client: Client, developer: Persona) -> None:
    path = _fresh_link(developer.user)
    data = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert client.post(path, data).status_code == 302
    again = client.post(path, {"password": "another-long-phrase-7", "password_again": "x"})
    assert again.status_code == 410
    assert "This reset link no longer works" in again.content.decode()
    assert client.get(path).status_code == 410
    developer.user.refresh_from_db()
    assert developer.user.check_password(NEW_PASSWORD)


def test_an_expired_link_no_longer_works(client: Client, developer: Persona) -> None:
    path = _fresh_link(developer.user)
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        response = client.post(path, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 410
    developer.user.refresh_from_db()
    assert developer.user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "path",
    [
        "/account/reset/MQ/bad-token",
        "/account/reset/!!!/x-y",
        "/account/reset/OTk5OTk5/abc-def",
        "/account/reset/" + "A" * 300 + "/x",
    ],
)
def test_a_bad_link_answers_clearly(client: Client, developer: Persona, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 410
    assert "Ask for a new link" in response.content.decode()


def test_a_link_for_another_account_does_not_open_this_one(
    client: Client, developer: Persona, viewer: Persona
) -> None:
    token = default_token_generator.make_token(viewer.user)
    uid = _fresh_link(developer.user).split("/")[3]
    assert client.get(f"/account/reset/{uid}/{token}").status_code == 410


def test_a_reset_ends_every_session_keeps_tokens_and_is_recorded(
    developer: Persona, make_token: Any
) -> None:
    secret = make_token(developer)
    elsewhere = Client()
    elsewhere.force_login(developer.user)
    assert elsewhere.get("/w/acme/").status_code == 200
    path = _fresh_link(developer.user)
    uid, token = path.split("/")[3:5]
    services.password_reset_confirm(uidb64=uid, token=token, password=NEW_PASSWORD)
    # The other browser is signed out; the API token still works.
    assert elsewhere.get("/w/acme/").status_code == 302
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/workspaces/acme").status_code == 200
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
    entry = HistoryEntry.objects.get(changes__has_key="password")
    assert entry.changes == {"password": "reset by email"}
    assert entry.actor_id == developer.user.pk
    assert token not in str(entry.changes)
    assert token not in entry.object_label


def test_the_request_sends_nothing_itself(developer: Persona) -> None:
    """The request only enqueues the task: with a backend that keeps tasks, nothing leaves."""
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        response = _ask(Client(), "dev@acme.test")
        unknown = _ask(Client(), "nobody@acme.test")
    assert response.status_code == unknown.status_code == 200
    assert mail.outbox == []


def test_the_reset_forms_need_the_csrf_token(developer: Persona) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/account/reset", {"email": "dev@acme.test"}).status_code == 403
    path = _fresh_link(developer.user)
    data = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert client.post(path, data).status_code == 403
    assert mail.outbox == []
    developer.user.refresh_from_db()
    assert developer.user.check_password(PASSWORD)
