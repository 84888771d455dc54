"""API calls made with the browser session: CSRF problems that say what is wrong, and answers
that no cache keeps."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from lodestar.people.models import Team
from tests.api.test_problems import assert_problem
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme"
TEAM = json.dumps({"name": "Web"})


@pytest.fixture
def session(owner: Persona) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    return client


def _csrf_token(client: Client) -> str:
    client.get("/w/acme/")  # every page sets the csrftoken cookie
    return client.cookies["csrftoken"].value


def test_a_session_call_without_the_csrf_token_is_a_403_that_says_so(session: Client) -> None:
    _csrf_token(session)
    response = session.post(f"{API}/teams", TEAM, content_type="application/json")
    body = assert_problem(response, 403)
    assert body["code"] == "csrf_failed"
    assert "CSRF token missing" in body["detail"]
    assert "X-CSRFToken" in body["detail"]
    assert not Team.objects.filter(name="Web").exists()


def test_a_session_call_without_the_csrf_cookie_says_the_cookie_is_missing(
    session: Client,
) -> None:
    body = assert_problem(session.post(f"{API}/teams", TEAM, content_type="application/json"), 403)
    assert "CSRF cookie not set" in body["detail"]


def test_a_session_call_with_a_wrong_csrf_token_says_it_is_incorrect(session: Client) -> None:
    _csrf_token(session)
    response = session.post(
        f"{API}/teams", TEAM, content_type="application/json", HTTP_X_CSRFTOKEN="x" * 32
    )
    body = assert_problem(response, 403)
    assert body["code"] == "csrf_failed"
    assert "incorrect" in body["detail"]


def test_a_session_call_with_the_csrf_token_works(session: Client) -> None:
    token = _csrf_token(session)
    response = session.post(
        f"{API}/teams", TEAM, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.content


def test_a_wrong_bearer_token_on_a_write_is_a_401_not_a_csrf_problem(
    owner: Persona, team: Team
) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{API}/teams", TEAM, content_type="application/json", HTTP_AUTHORIZATION="Bearer nope"
    )
    body = assert_problem(response, 401)
    assert body["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="lodestar"'


def test_a_write_with_no_credentials_at_all_is_a_401() -> None:
    response = Client(enforce_csrf_checks=True).post(
        f"{API}/teams", TEAM, content_type="application/json"
    )
    assert_problem(response, 401)


def test_an_answer_to_the_session_is_kept_by_no_cache(session: Client) -> None:
    response = session.get(API)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_a_problem_answered_to_the_session_is_kept_by_no_cache_either(session: Client) -> None:
    response = session.get(f"{API}/teams/nope")
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]


def test_an_answer_to_a_bearer_token_is_not_marked_for_the_session(
    owner: Persona, api_client: Callable[[Persona], Client]
) -> None:
    response = api_client(owner).get(API)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
