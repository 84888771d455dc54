"""Fixtures of the webhook tests: a local receiver, the setting that lets deliveries reach it,
and name resolution under the test's control (no test makes a real outbound request)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from tests.interop.webhooks.receiver import Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as state:
        yield state


@pytest.fixture
def allow_local(settings: Settings) -> None:
    """Receivers on 127.0.0.1 are allowed, as a self-hosted receiver's network would be."""
    settings.WEBHOOK_ALLOWED_NETWORKS = "127.0.0.1/32"


@pytest.fixture
def resolve(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, list[str]]], list[str]]:
    """Make ``socket.getaddrinfo`` answer names from a table (every lookup is recorded; a name
    not in the table fails as an unknown name would)."""
    asked: list[str] = []

    def install(table: dict[str, list[str]]) -> list[str]:
        def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
            asked.append(host)
            if host not in table:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (ip, int(port or 0)),
                )
                for ip in table[host]
            ]

        monkeypatch.setattr(socket, "getaddrinfo", fake)
        return asked

    return install
