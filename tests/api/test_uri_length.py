"""An API URL longer than Lodestar takes is a 414 problem, below the web server's own limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from lodestar.cli.processes import gunicorn_options
from tests.api.test_problems import assert_problem
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme"


@pytest.fixture
def client(owner: Persona, api_client: Callable[[Persona], Client]) -> Client:
    return api_client(owner)


def _query_of_length(path: str, length: int) -> str:
    return f"{path}?q={'x' * (length - len(path) - 3)}"


def test_a_url_at_the_limit_is_answered(client: Client) -> None:
    url = _query_of_length(f"{API}/members", settings.API_MAX_URL_LENGTH)
    assert len(url) == settings.API_MAX_URL_LENGTH
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_a_url_over_the_limit_is_a_414_problem_that_says_the_limit(
    client: Client, method: str
) -> None:
    url = _query_of_length(f"{API}/members", settings.API_MAX_URL_LENGTH + 1)
    body = assert_problem(getattr(client, method)(url), 414)
    assert body["code"] == "uri_too_long"
    assert f"at most {settings.API_MAX_URL_LENGTH:,}" in body["detail"]


def test_a_long_path_is_a_414_even_unauthenticated() -> None:
    body = assert_problem(Client().get(f"/api/v1/{'a' * 5000}"), 414)
    assert "5,008 characters" in body["detail"]


def test_the_web_server_takes_every_request_line_lodestar_answers() -> None:
    # "OPTIONS " + the longest URL Lodestar answers + " HTTP/1.1" fits gunicorn's request line.
    limit = gunicorn_options(bind="127.0.0.1:0", workers=1)["limit_request_line"]
    assert limit >= len("OPTIONS  HTTP/1.1") + settings.API_MAX_URL_LENGTH + 1
