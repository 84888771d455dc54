"""Two ways to call the API with the same requests: in-process through Django's full request
stack (``django.test.Client`` on the real URLconf and middleware), and over HTTP to a real
server on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from typing import Any, Protocol

from harness.sql import Statements, counting


@dataclass
class Response:
    status: int
    content: bytes
    ms: float
    statements: Statements | None = None
    cpu_ms: float | None = None

    def json(self) -> Any:
        return json.loads(self.content)


class Caller(Protocol):
    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None) -> Response: ...


class InProcess:
    """Django's test client with a bearer token; counts the SQL of every request."""

    def __init__(self, token: str) -> None:
        from django.test import Client

        self.client = Client(headers={"Authorization": f"Bearer {token}"})

    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None) -> Response:
        with counting() as statements:
            cpu = time.thread_time_ns()
            start = time.perf_counter_ns()
            if method == "GET":
                answer = self.client.get(path)
            else:
                answer = self.client.generic(
                    method, path, json.dumps(body or {}), content_type="application/json"
                )
            ms = (time.perf_counter_ns() - start) / 1e6
            cpu_ms = (time.thread_time_ns() - cpu) / 1e6
        return Response(answer.status_code, answer.content, ms, statements, cpu_ms)


class OverHttp:
    """One keep-alive HTTP/1.1 connection to a server on 127.0.0.1 (reopened if it drops)."""

    def __init__(self, port: int, token: str, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def close(self) -> None:
        self.connection.close()

    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None) -> Response:
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            try:
                start = time.perf_counter_ns()
                self.connection.request(method, path, body=data, headers=self.headers)
                answer = self.connection.getresponse()
                content = answer.read()
                ms = (time.perf_counter_ns() - start) / 1e6
                return Response(answer.status, content, ms)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection; the retry opens a new one.
                self.connection.close()
                self.connection = self._connect()
                if attempt:
                    raise
        raise AssertionError("unreachable")
