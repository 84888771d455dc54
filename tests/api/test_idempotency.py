"""``Idempotency-Key`` on creating POSTs: a retry replays the first answer, never a new object."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from lodestar.api import idempotency
from lodestar.api.models import IdempotencyRecord
from lodestar.people import services as people_services
from lodestar.people.models import ApiToken, Team
from tests.concurrency import run_concurrently
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/workspaces/acme/teams"


def create(client: Client, body: dict[str, Any], key: str | None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(TEAMS, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def client(admin: Persona, api_client: Callable[[Persona], Client]) -> Client:
    return api_client(admin)


def test_a_retry_gets_the_first_answer_and_creates_nothing(client: Client) -> None:
    first = create(client, {"name": "Web"}, "key-1")
    retry = create(client, {"name": "Web"}, "key-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Team.objects.filter(name="Web").count() == 1


def test_without_a_key_each_post_creates(client: Client) -> None:
    assert create(client, {"name": "Web"}, None).json()["slug"] == "web"
    assert create(client, {"name": "Web"}, None).json()["slug"] == "web-2"


def test_another_key_is_another_request(client: Client) -> None:
    create(client, {"name": "Web"}, "key-1")
    create(client, {"name": "Web"}, "key-2")
    assert Team.objects.filter(name="Web").count() == 2


def test_the_same_key_with_another_body_is_refused(client: Client) -> None:
    create(client, {"name": "Web"}, "key-1")
    response = create(client, {"name": "Mobile"}, "key-1")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Team.objects.filter(name="Mobile").exists()


def test_keys_belong_to_their_caller(
    client: Client, owner: Persona, api_client: Callable[[Persona], Client]
) -> None:
    create(client, {"name": "Web"}, "shared-key")
    other = create(api_client(owner), {"name": "Web"}, "shared-key")
    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert Team.objects.filter(name="Web").count() == 2


def test_a_refused_request_is_not_remembered(
    viewer: Persona, api_client: Callable[[Persona], Client], make_token: Any
) -> None:
    secret = make_token(viewer)
    as_viewer = Client(headers={"Authorization": f"Bearer {secret}"})
    assert create(as_viewer, {"name": "Web"}, "key-1").status_code == 403
    assert create(as_viewer, {"name": "Web"}, "key-1").status_code == 403
    assert not Team.objects.exists()


def test_an_invalid_key_is_named(client: Client) -> None:
    for key in ("", "k" * 256):
        response = create(client, {"name": "Web"}, key)
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "idempotency_key_invalid"
        assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Team.objects.exists()


def test_creating_a_token_twice_with_one_key_shows_the_same_secret_once_made(
    developer: Persona, api_client: Callable[[Persona], Client]
) -> None:
    client = api_client(developer)
    url = "/api/v1/workspaces/acme/tokens"
    headers = {"Idempotency-Key": "token-1"}
    first = client.post(url, {"name": "ci"}, content_type="application/json", headers=headers)
    again = client.post(url, {"name": "ci"}, content_type="application/json", headers=headers)
    assert first.json()["token"] == again.json()["token"]
    assert ApiToken.objects.filter(name="ci").count() == 1


# -- claims: the first request with a key runs, concurrent ones wait, replay or get 409 ----------


def _running(key: str) -> IdempotencyRecord:
    """Make the stored answer of ``key`` look like a request that is still running."""
    record = IdempotencyRecord.objects.get(key=key)
    record.status, record.content_type, record.body = None, "", b""
    record.save(update_fields=["status", "content_type", "body"])
    return record


def test_the_claim_is_taken_before_the_request_runs(client: Client) -> None:
    seen: list[IdempotencyRecord] = []
    create_team = people_services.team_create

    def spying(**kwargs: Any) -> Team:
        seen.extend(IdempotencyRecord.objects.filter(key="key-1"))
        return create_team(**kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(people_services, "team_create", spying)
        assert create(client, {"name": "Web"}, "key-1").status_code == 201
    assert [record.status for record in seen] == [None]
    stored = IdempotencyRecord.objects.get(key="key-1")
    assert stored.status == 201
    assert json.loads(bytes(stored.body))["slug"] == "web"


def test_a_request_while_the_first_still_runs_gets_409_with_retry_after(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    create(client, {"name": "Web"}, "key-1")
    _running("key-1")
    monkeypatch.setattr(idempotency, "WAIT", dt.timedelta(0))
    response = create(client, {"name": "Web"}, "key-1")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "idempotency_in_progress"
    assert Team.objects.filter(name="Web").count() == 1


def test_another_body_while_the_first_still_runs_is_refused(client: Client) -> None:
    create(client, {"name": "Web"}, "key-1")
    _running("key-1")
    response = create(client, {"name": "Mobile"}, "key-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Team.objects.filter(name="Mobile").exists()


def test_a_request_while_the_first_still_runs_waits_and_replays_its_answer(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = create(client, {"name": "Web"}, "key-1")
    record = _running("key-1")
    polls: list[float] = []

    def first_request_finishes(seconds: float) -> None:
        # Instead of sleeping: the first request stores its answer while this one waits.
        polls.append(seconds)
        if len(polls) == 2:
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status=201, content_type="application/json", body=first.content
            )

    monkeypatch.setattr(idempotency.time, "sleep", first_request_finishes)
    retry = create(client, {"name": "Web"}, "key-1")
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert polls == [idempotency.POLL_SECONDS] * 2
    assert Team.objects.filter(name="Web").count() == 1


def test_a_waiting_request_runs_itself_when_the_first_one_fails(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    create(client, {"name": "Web"}, "key-1")
    record = _running("key-1")
    Team.objects.filter(name="Web").delete()

    def first_request_fails(seconds: float) -> None:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()

    monkeypatch.setattr(idempotency.time, "sleep", first_request_fails)
    retry = create(client, {"name": "Web"}, "key-1")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Team.objects.filter(name="Web").count() == 1
    assert IdempotencyRecord.objects.get(key="key-1").status == 201


def test_an_abandoned_claim_is_taken_over(client: Client) -> None:
    create(client, {"name": "Web"}, "key-1")
    record = _running("key-1")
    crashed_at = timezone.now() - idempotency.ABANDONED_AFTER - dt.timedelta(seconds=1)
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=crashed_at)
    retry = create(client, {"name": "Web"}, "key-1")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert retry.json()["slug"] == "web-2"
    stored = IdempotencyRecord.objects.get(key="key-1")
    assert (stored.pk, stored.status) == (record.pk, 201)
    assert stored.created_at > crashed_at


def test_a_recent_claim_is_not_taken_over(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    create(client, {"name": "Web"}, "key-1")
    record = _running("key-1")
    recently = timezone.now() - idempotency.ABANDONED_AFTER + dt.timedelta(seconds=30)
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=recently)
    monkeypatch.setattr(idempotency, "WAIT", dt.timedelta(0))
    assert create(client, {"name": "Web"}, "key-1").status_code == 409
    assert Team.objects.filter(name="Web").count() == 1


def test_an_answer_older_than_the_retention_is_forgotten(client: Client) -> None:
    create(client, {"name": "Web"}, "key-1")
    expired = timezone.now() - idempotency.RETENTION - dt.timedelta(seconds=1)
    IdempotencyRecord.objects.filter(key="key-1").update(created_at=expired)
    again = create(client, {"name": "Mobile"}, "key-1")
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert IdempotencyRecord.objects.get(key="key-1").status == 201


def test_a_failed_request_releases_its_claim(client: Client) -> None:
    refused = create(client, {"name": ""}, "key-1")
    assert refused.status_code == 422
    assert not IdempotencyRecord.objects.exists()
    assert create(client, {"name": "Web"}, "key-1").status_code == 201


def test_a_server_error_releases_its_claim(client: Client) -> None:
    def broken(**kwargs: Any) -> Team:
        raise RuntimeError("disk on fire")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(people_services, "team_create", broken)
        assert create(client, {"name": "Web"}, "key-1").status_code == 500
    assert not IdempotencyRecord.objects.exists()
    retry = create(client, {"name": "Web"}, "key-1")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry


def test_an_exception_through_the_middleware_releases_its_claim(admin: Persona) -> None:
    def crash(request: HttpRequest) -> HttpResponse:
        assert IdempotencyRecord.objects.filter(status=None).count() == 1
        raise RuntimeError("worker killed")

    request = RequestFactory().post(
        TEAMS, b"{}", content_type="application/json", headers={"Idempotency-Key": "key-1"}
    )
    request.user = admin.user
    with pytest.raises(RuntimeError, match="worker killed"):
        idempotency.IdempotencyMiddleware(crash)(request)
    assert not IdempotencyRecord.objects.exists()


# -- real concurrency: threads with their own database connections -----------------------------


@pytest.fixture
def racing_token(
    admin: Persona, make_token: Callable[[Persona], str], tmp_path: Path
) -> Iterator[str]:
    """An admin's token, in a database that threads with their own connections share.

    PostgreSQL's test database already is one. SQLite's is in memory with a shared cache, where
    a second writer fails at once with "database table is locked" instead of waiting its turn
    as writers do on a file: the test database is copied to a file for the race.
    """
    secret = make_token(admin)
    if connection.vendor != "sqlite":
        yield secret
        return
    memory, memory_settings = connections["default"], connections.settings["default"]
    file_settings = {**memory_settings, "NAME": str(tmp_path / "race.sqlite3")}
    on_file = type(memory)(file_settings, "default")
    memory.ensure_connection()
    on_file.ensure_connection()
    memory.connection.backup(on_file.connection)
    connections.settings["default"] = file_settings
    connections["default"] = on_file
    try:
        yield secret
    finally:
        on_file.close()
        connections["default"] = memory
        connections.settings["default"] = memory_settings


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_with_one_key_run_the_operation_once(
    racing_token: str,
) -> None:
    assert not connection.settings_dict["NAME"].startswith("file:memorydb")
    secret = racing_token
    racers = 8
    answers: list[tuple[int, dict[str, Any], str | None]] = []

    def racer(_: int, wait: Callable[[], object]) -> None:
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        wait()
        response = create(client, {"name": "Web"}, "race-1")
        answers.append((response.status_code, response.json(), response.get("Idempotent-Replayed")))

    run_concurrently(racers, racer)
    assert Team.objects.filter(name="Web").count() == 1
    created = [body for status, body, _ in answers if status == 201]
    assert created
    assert all(body == created[0] for body in created)
    assert created[0]["slug"] == "web"
    conflicts = [body for status, body, _ in answers if status == 409]
    assert all(body["code"] == "idempotency_in_progress" for body in conflicts)
    assert len(created) + len(conflicts) == racers
    assert sum(replayed is None for status, _, replayed in answers if status == 201) == 1
    assert IdempotencyRecord.objects.get(key="race-1").status == 201


@pytest.mark.django_db
def test_keys_past_their_retention_are_purged() -> None:
    import datetime as dt

    from django.utils import timezone

    from lodestar.api.idempotency import RETENTION
    from lodestar.api.models import IdempotencyRecord
    from lodestar.api.tasks import purge_idempotency

    def record(key: str, age: dt.timedelta) -> None:
        IdempotencyRecord.objects.create(
            identity="token:1",
            key=key,
            method="POST",
            path="/x",
            fingerprint="f",
            status=201,
            created_at=timezone.now() - age,
        )

    record("old", RETENTION + dt.timedelta(minutes=1))
    record("fresh", RETENTION - dt.timedelta(minutes=1))
    assert purge_idempotency.call() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
