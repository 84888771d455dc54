"""API tokens that expire: made for a number of days on the page, through the API or the CLI;
refused once their time is up, with the reason; tokens made before keep no end."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from lodestar.core.models import HistoryEntry
from lodestar.people import services
from lodestar.people.models import ApiToken
from tests.cli.support import error_line, run
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme"


def _bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _age(token: ApiToken, **by: float) -> None:
    """Move ``token``'s end into the past (as time passing would)."""
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(**by))


def test_a_token_works_until_its_end_and_is_then_refused_with_the_reason(
    developer: Persona,
) -> None:
    token, secret = services.token_create(actor=developer.actor, name="ci", expires_in_days=30)
    assert token.expires_at is not None
    assert dt.timedelta(days=30) - (token.expires_at - timezone.now()) < dt.timedelta(minutes=1)
    assert token.is_active
    assert _bearer(secret).get(API).status_code == 200

    _age(token, seconds=1)
    refused = _bearer(secret).get(API)
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert "This API token expired on " in refused.json()["detail"]
    assert "Create a new one" in refused.json()["detail"]
    token.refresh_from_db()
    assert not token.is_active


def test_an_unknown_or_revoked_token_is_not_told_it_expired(developer: Persona) -> None:
    token, secret = services.token_create(actor=developer.actor, name="ci", expires_in_days=1)
    _age(token, days=1)
    services.token_revoke(actor=developer.actor, token=token)
    for tried in (secret, secret + "x"):
        refused = _bearer(tried).get(API)
        assert refused.status_code == 401
        assert "expired" not in refused.json()["detail"]


def test_a_token_without_an_end_works_until_revoked(developer: Persona) -> None:
    token, secret = services.token_create(actor=developer.actor, name="ci")
    assert token.expires_at is None
    assert _bearer(secret).get(API).status_code == 200


@pytest.mark.parametrize("days", [0, -3, 367, True, "30"])
def test_a_bad_life_is_refused_and_nothing_is_made(developer: Persona, days: Any) -> None:
    from lodestar.core.errors import Invalid

    with pytest.raises(Invalid) as refused:
        services.token_create(actor=developer.actor, name="ci", expires_in_days=days)
    assert refused.value.errors[0].field == "expires_in_days"
    assert "from 1 to 366" in refused.value.errors[0].message
    assert not ApiToken.objects.exists()


def test_the_history_records_the_end(developer: Persona) -> None:
    token, _ = services.token_create(actor=developer.actor, name="ci", expires_in_days=7)
    entry = HistoryEntry.objects.get(object_type="people.apitoken", object_id=token.pk)
    assert set(entry.changes) == {"name", "expires_at"}


# -- API ---------------------------------------------------------------------------------------


def test_the_api_makes_a_token_with_an_end_and_shows_it(developer: Persona) -> None:
    _, secret = services.token_create(actor=developer.actor, name="admin script")
    client = _bearer(secret)
    created = client.post(
        f"{API}/tokens", {"name": "nightly", "expires_in_days": 7}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["expires_at"] is not None
    assert body["active"] is True
    listed = {item["name"]: item for item in client.get(f"{API}/tokens").json()["items"]}
    assert listed["admin script"]["expires_at"] is None
    assert listed["nightly"]["expires_at"] == body["expires_at"]

    _age(ApiToken.objects.get(pk=body["id"]), seconds=1)
    listed = {item["name"]: item for item in client.get(f"{API}/tokens").json()["items"]}
    assert listed["nightly"]["active"] is False


@pytest.mark.parametrize("days", [0, 400])
def test_the_api_refuses_a_bad_life(developer: Persona, days: int) -> None:
    _, secret = services.token_create(actor=developer.actor, name="admin script")
    refused = _bearer(secret).post(
        f"{API}/tokens", {"name": "x", "expires_in_days": days}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["expires_in_days"]
    assert ApiToken.objects.count() == 1


# -- the page ----------------------------------------------------------------------------------


def test_the_page_offers_90_days_first_and_shows_each_tokens_end(developer: Persona) -> None:
    client = Client()
    client.force_login(developer.user)
    page = client.get("/w/acme/tokens").content.decode()
    assert '<option value="90" selected>90 days</option>' in page
    assert '<option value="">No end</option>' in page

    assert client.post("/w/acme/tokens", {"name": "ci", "expires_in_days": "7"}).status_code == 200
    assert client.post(
        "/w/acme/tokens", {"name": "forever", "expires_in_days": ""}
    ).status_code == (200)
    ci = ApiToken.objects.get(name="ci")
    assert ci.expires_at is not None
    assert ApiToken.objects.get(name="forever").expires_at is None
    page = client.get("/w/acme/tokens").content.decode()
    assert f">{timezone.localtime(ci.expires_at):%-d %b %Y}</time>" in page
    assert "no end" in page

    _age(ci, days=2)
    page = client.get("/w/acme/tokens").content.decode()
    assert "expired " in page
    assert page.count("Revoke<span") == 1  # an expired token has nothing left to revoke


def test_the_page_refuses_a_life_it_does_not_offer(developer: Persona) -> None:
    client = Client()
    client.force_login(developer.user)
    response = client.post("/w/acme/tokens", {"name": "ci", "expires_in_days": "1000"})
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert not ApiToken.objects.exists()


# -- CLI ---------------------------------------------------------------------------------------


def test_the_cli_makes_a_token_with_an_end_and_lists_it(owner: Persona, developer: Persona) -> None:
    result = run(
        "token", "create", developer.email, "-w", "acme", "--name", "ci", "--expires-in-days", "30"
    )
    assert result.exit_code == 0, result.output
    token = ApiToken.objects.get(name="ci")
    assert token.expires_at is not None
    listed = json.loads(run("token", "list", "-w", "acme", "--json").stdout)
    assert [row["expires_at"] for row in listed] == [token.expires_at.isoformat()]


def test_the_cli_refuses_a_bad_life(developer: Persona) -> None:
    line = error_line(
        run("token", "create", developer.email, "-w", "acme", "--expires-in-days", "0")
    )
    assert "from 1 to 366" in line
    assert not ApiToken.objects.exists()


# -- the warning before the end ----------------------------------------------------------------


def _made(persona: Persona, name: str, days: int, *, ago: dt.timedelta) -> ApiToken:
    """A token of ``days`` days made ``ago``."""
    token, _ = services.token_create(actor=persona.actor, name=name, expires_in_days=days)
    made = timezone.now() - ago
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=made, expires_at=made + dt.timedelta(days=days)
    )
    token.refresh_from_db()
    return token


@override_settings(BASE_URL="https://pm.acme.example")
def test_the_holder_is_told_once_a_week_before_the_end(developer: Persona) -> None:
    token = _made(developer, "nightly", 90, ago=dt.timedelta(days=85))
    _made(developer, "fresh", 90, ago=dt.timedelta(days=1))  # far from its end
    services.token_create(actor=developer.actor, name="forever")  # no end
    mail.outbox.clear()

    assert services.tokens_warn_expiring() == 1
    (message,) = mail.outbox
    assert message.to == [developer.email]
    ends = timezone.localtime(token.expires_at)
    assert message.subject == (
        f"Your API token “nightly” in Acme stops working on {ends:%-d %B %Y}"
    )
    assert "https://pm.acme.example/w/acme/tokens\n" in message.body
    assert f"({token.prefix}…)" in message.body
    assert "never used" in message.body
    assert "Make a new token" in message.alternatives[0][0]
    token.refresh_from_db()
    assert token.expiry_warned_at is not None

    assert services.tokens_warn_expiring() == 0  # once
    assert len(mail.outbox) == 1


def test_a_short_token_is_not_announced_before_half_its_life(developer: Persona) -> None:
    token = _made(developer, "test run", 7, ago=dt.timedelta(days=1))
    mail.outbox.clear()
    assert services.tokens_warn_expiring() == 0
    later = timezone.now() + dt.timedelta(days=3, hours=12, minutes=1)
    assert services.tokens_warn_expiring(now=later) == 1
    token.refresh_from_db()
    assert token.expiry_warned_at == later


def test_revoked_expired_and_closed_accounts_are_not_told(
    developer: Persona, admin: Persona
) -> None:
    revoked = _made(developer, "revoked", 30, ago=dt.timedelta(days=28))
    services.token_revoke(actor=developer.actor, token=revoked)
    _made(developer, "expired", 30, ago=dt.timedelta(days=31))
    _made(admin, "closed", 30, ago=dt.timedelta(days=28))
    admin.user.is_active = False
    admin.user.save(update_fields=["is_active"])
    mail.outbox.clear()
    assert services.tokens_warn_expiring() == 0
    assert mail.outbox == []


def test_the_warning_runs_daily_in_the_worker(developer: Persona) -> None:
    from lodestar.core.registry import registry
    from lodestar.people.tasks import warn_expiring_tokens

    declared = {task.path: task.every for task in registry().periodic_tasks()}
    assert declared["lodestar.people.tasks.warn_expiring_tokens"] == dt.timedelta(days=1)
    _made(developer, "nightly", 90, ago=dt.timedelta(days=85))
    mail.outbox.clear()
    assert warn_expiring_tokens.call() == 1
    assert len(mail.outbox) == 1
