"""The API rate limit: counted in the database (so it holds across processes), per token,
per session user and per client address for calls without valid credentials; every counted
answer carries RateLimit-* headers, and a 429 carries Retry-After."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, override_settings

from lodestar.core import ratelimit
from lodestar.core.models import RateCounter
from lodestar.people.models import Team
from tests.api.test_idempotency import racing_token
from tests.cli.test_server import server_env
from tests.concurrency import run_concurrently
from tests.conftest import Persona

__all__ = ["racing_token", "server_env"]

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/workspaces/acme/teams"
ROOT = Path(__file__).resolve().parents[2]


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_beyond_the_limit_a_token_gets_429_with_retry_after(
    admin: Persona, api_client: Callable[[Persona], Client]
) -> None:
    client = api_client(admin)
    assert [client.get(TEAMS).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(TEAMS)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert "wait" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    assert refused["RateLimit-Remaining"] == "0"
    write = client.post(TEAMS, {"name": "Web"}, content_type="application/json")
    assert write.status_code == 429
    assert not Team.objects.exists()


@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_each_token_has_its_own_budget(
    admin: Persona, owner: Persona, api_client: Callable[[Persona], Client]
) -> None:
    busy = api_client(admin)
    for _ in range(3):
        busy.get(TEAMS)
    assert busy.get(TEAMS).status_code == 429
    assert api_client(owner).get(TEAMS).status_code == 200


@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_the_session_is_limited_too(admin: Persona) -> None:
    client = Client()
    client.force_login(admin.user)
    assert [client.get(TEAMS).status_code for _ in range(3)] == [200, 200, 429]
    assert "Retry-After" in client.get(TEAMS)


@override_settings(API_RATE_LIMIT_PER_MINUTE=5)
def test_every_counted_answer_says_where_the_caller_stands(
    admin: Persona, api_client: Callable[[Persona], Client]
) -> None:
    client = api_client(admin)
    answers = [client.get(TEAMS) for _ in range(2)]
    assert [a["RateLimit-Limit"] for a in answers] == ["5", "5"]
    assert [a["RateLimit-Remaining"] for a in answers] == ["4", "3"]
    assert all(0 < int(a["RateLimit-Reset"]) <= 60 for a in answers)
    # Errors are counted and told too, not only successes.
    missing = client.get("/api/v1/workspaces/acme/teams/nowhere")
    assert missing.status_code == 404
    assert missing["RateLimit-Remaining"] == "2"
    # Pages are not API calls: not counted here.
    assert "RateLimit-Limit" not in Client().get("/accounts/login/")


@override_settings(API_ANONYMOUS_RATE_LIMIT_PER_MINUTE=3)
def test_guessing_tokens_is_limited_per_client_address(db: None) -> None:
    here = [
        Client(headers={"Authorization": f"Bearer lsk_guess{n}"}, REMOTE_ADDR="203.0.113.7")
        for n in range(5)
    ]
    statuses = [client.get(TEAMS).status_code for client in here]
    assert statuses == [401, 401, 401, 429, 429]
    assert Client(REMOTE_ADDR="203.0.113.7").get(TEAMS).status_code == 429
    # Another address has its own budget.
    elsewhere = Client(REMOTE_ADDR="198.51.100.2").get(TEAMS)
    assert elsewhere.status_code == 401
    assert elsewhere["RateLimit-Limit"] == "3"
    assert elsewhere["RateLimit-Remaining"] == "2"


@override_settings(API_ANONYMOUS_RATE_LIMIT_PER_MINUTE=1)
def test_a_valid_token_is_not_held_back_by_anonymous_calls_from_its_address(
    admin: Persona, make_token: Callable[[Persona], str]
) -> None:
    Client().get(TEAMS)
    assert Client().get(TEAMS).status_code == 429
    client = Client(headers={"Authorization": f"Bearer {make_token(admin)}"})
    assert client.get(TEAMS).status_code == 200


@override_settings(API_RATE_LIMIT_PER_MINUTE=0, API_ANONYMOUS_RATE_LIMIT_PER_MINUTE=0)
def test_a_limit_of_zero_turns_it_off(
    admin: Persona, api_client: Callable[[Persona], Client]
) -> None:
    answer = api_client(admin).get(TEAMS)
    assert answer.status_code == 200
    assert "RateLimit-Limit" not in answer
    assert not RateCounter.objects.exists()


@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_the_count_starts_again_when_the_window_ends(
    admin: Persona, api_client: Callable[[Persona], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = api_client(admin)
    start = ratelimit.now()
    monkeypatch.setattr(ratelimit, "now", lambda: start)
    assert [client.get(TEAMS).status_code for _ in range(3)] == [200, 200, 429]
    monkeypatch.setattr(ratelimit, "now", lambda: start + 61)
    assert client.get(TEAMS).status_code == 200


def test_the_counter_is_a_database_row(
    admin: Persona, api_client: Callable[[Persona], Client]
) -> None:
    client = api_client(admin)
    client.get(TEAMS)
    client.get(TEAMS)
    (counter,) = RateCounter.objects.filter(key__startswith="api:token:")
    assert counter.count == 2


# -- across threads and processes -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_each_get_a_count_of_their_own(racing_token: str) -> None:
    threads, hits = 6, 25
    counts: list[int] = []

    def racer(_: int, wait: Callable[[], object]) -> None:
        wait()
        for _ in range(hits):
            counts.append(ratelimit.hit("race", window=3600).count)

    run_concurrently(threads, racer)
    assert sorted(counts) == list(range(1, threads * hits + 1))
    assert RateCounter.objects.get(key="race").count == threads * hits


def _process(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.api.rate_limit_process", *args],
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_across_processes(server_env: dict[str, str]) -> None:
    """Three processes (as three web workers would) share one limit of 10 a window: exactly
    10 of their 30 requests pass, and each is told a different number of requests left."""
    limit, processes, each = 10, 3, 10
    env = server_env | {
        "LODESTAR_API_RATE_LIMIT": str(limit),
        "LODESTAR_ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    setup = _process("setup", env=env)
    out, err = setup.communicate(timeout=120)
    assert setup.returncode == 0, err
    secret = out.strip().splitlines()[-1]
    senders = [_process("send", secret, str(each), env=env) for _ in range(processes)]
    try:
        for sender in senders:
            assert sender.stdout is not None
            assert sender.stdout.readline().strip() == "ready", sender.stderr
        for sender in senders:
            assert sender.stdin is not None
            sender.stdin.write("go\n")
            sender.stdin.flush()
        results = []
        for sender in senders:
            out, err = sender.communicate(timeout=120)
            assert sender.returncode == 0, err
            results.extend(json.loads(out.strip().splitlines()[-1]))
    finally:
        for sender in senders:
            if sender.poll() is None:
                sender.kill()
                sender.communicate()
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * limit + [429] * (processes * each - limit)
    left = sorted(int(remaining) for status, remaining in results if status == 200)
    assert left == list(range(limit))
    assert connection.vendor in {"sqlite", "postgresql"}
