"""Two Lodestar servers, with their workers, on one PostgreSQL database keep every promise one
server keeps: moves, If-Match, Idempotency-Key, the rate limit, periodic tasks run once.

Each server is a real ``lodestar serve`` on its own port (as two machines would run it behind a
load balancer); the requests alternate between them. Both start at once on an empty database,
so they also show that concurrent start-ups migrate it once.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from lodestar.core.registry import registry
from tests.cli.support import fresh_server_env, read_until, start_lodestar

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="scaling out is promised on PostgreSQL; this runs in the PostgreSQL suite",
)

DEADLINE_SECONDS = 120
RATE_LIMIT = 100  # per token and minute: above what the first test sends with its token
PASSWORD = "a-long-and-unusual-passphrase"


class Answer:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status, self.headers = status, headers
        self.json: Any = json.loads(body) if body else None


def call(
    base: str,
    method: str,
    path: str,
    token: str,
    body: object | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
        f"{base}api/v1/workspaces/acme{path}", data=data, method=method
    )
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


def cli(env: dict[str, str], *args: str) -> str:
    process = start_lodestar(*args, env=env)
    stdout, stderr = process.communicate(timeout=DEADLINE_SECONDS)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode().strip()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two ``lodestar serve`` (web and worker each) on one new database, started together."""
    with fresh_server_env(tmp_path_factory.mktemp("a"), suffix="scale") as env:
        env = env | {"LODESTAR_API_RATE_LIMIT": str(RATE_LIMIT)}
        env_b = env | {"LODESTAR_DATA_DIR": str(tmp_path_factory.mktemp("b"))}
        servers = [
            start_lodestar("serve", "--port", "0", "--workers", "2", env=server_env)
            for server_env in (env, env_b)
        ]
        try:
            deadline = time.monotonic() + DEADLINE_SECONDS
            urls = [
                read_until(server, r"running at (http://127\.0\.0\.1:\d+/)", deadline).group(1)
                for server in servers
            ]
            cli(env, "user", "create", "owner@acme.test", "--password", PASSWORD)
            cli(env, "workspace", "create", "acme", "--name", "Acme", "--owner", "owner@acme.test")
            tokens = [
                cli(env, "token", "create", "owner@acme.test", "--workspace", "acme", "--name", n)
                for n in ("writes", "limits")
            ]
            yield {"urls": urls, "tokens": tokens, "env": env}
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.communicate()


def _database_rows(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as db:
        return db.execute(sql).fetchall()


def test_two_servers_keep_the_promises_of_one(cluster: dict[str, Any]) -> None:
    a, b = cluster["urls"]
    token = cluster["tokens"][0]

    created = call(a, "POST", "/products", token, {"key": "ACME", "name": "Acme"})
    assert created.status == 201, created.json
    keys = []
    for n in range(12):
        answer = call((a, b)[n % 2], "POST", "/products/ACME/backlog", token, {"title": f"T{n}"})
        assert answer.status == 201, answer.json
        keys.append(answer.json["key"])

    # Moves sent to both at once: every one applies, and both servers agree on one order.
    moves = [(keys[n % 12], {"position": "top" if n % 3 else "bottom"}) for n in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda job: call(
                    (a, b)[job[0] % 2], "POST", f"/items/{job[1][0]}/move", token, job[1][1]
                ),
                enumerate(moves),
            )
        )
    assert [answer.status for answer in answers] == [200] * len(moves)
    orders = [
        [item["key"] for item in call(server, "GET", "/products/ACME/backlog", token).json["items"]]
        for server in (a, b)
    ]
    assert orders[0] == orders[1]
    assert sorted(orders[0]) == sorted(keys)

    # If-Match: a version read on one server is stale on the other after a write there.
    read = call(a, "GET", f"/items/{keys[0]}", token)
    etag = read.headers["ETag"]
    first = call(b, "PATCH", f"/items/{keys[0]}", token, {"title": "One"}, {"If-Match": etag})
    assert first.status == 200, first.json
    stale = call(a, "PATCH", f"/items/{keys[0]}", token, {"title": "Two"}, {"If-Match": etag})
    assert stale.status == 412, stale.json

    # Idempotency-Key: eight requests with one key, spread over both servers, create one item.
    def create(n: int) -> Answer:
        return call(
            (a, b)[n % 2],
            "POST",
            "/products/ACME/backlog",
            token,
            {"title": "Once"},
            {"Idempotency-Key": "scale-out-once"},
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [answer.status for answer in pool.map(create, range(8))]
    assert set(statuses) <= {201, 409}, statuses
    assert 201 in statuses
    titles = [
        item["title"]
        for item in call(a, "GET", "/products/ACME/backlog?limit=100", token).json["items"]
    ]
    assert titles.count("Once") == 1

    # Periodic tasks: both workers checked at start-up; each task was enqueued once.
    enqueued = dict(
        _database_rows(
            cluster["env"],
            "SELECT task_path, count(*) FROM django_tasks_database_dbtaskresult GROUP BY task_path",
        )
    )
    declared = {task.path for task in registry().periodic_tasks()}
    assert {path: enqueued.get(path) for path in declared} == dict.fromkeys(declared, 1)


def test_the_rate_limit_holds_across_servers(cluster: dict[str, Any]) -> None:
    a, b = cluster["urls"]
    token = cluster["tokens"][1]
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(
            pool.map(lambda n: call((a, b)[n % 2], "GET", "", token).status, range(RATE_LIMIT + 10))
        )
    assert statuses.count(200) == RATE_LIMIT, statuses
    assert statuses.count(429) == 10
