"""Every route x every persona -> the expected status, and no write when the answer is a refusal.

Rows come from each context's ``tests/<context>/matrix.py`` (see ``matrix_support``); the routes
come from the OpenAPI document, so a route without a row fails ``test_every_route_has_a_row``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Count, Sum
from django.test import Client

from lodestar.api.urls import api
from lodestar.people.models import Membership, Role, User, Workspace
from tests.api.matrix_support import (
    ADMIN,
    ANONYMOUS,
    MEMBER,
    OUTSIDER,
    OUTSIDER_TOKEN,
    OWNER,
    PERSONAS,
    PO,
    VIEWER,
    World,
)
from tests.conftest import PASSWORD, Persona

TESTS = Path(__file__).resolve().parent.parent
API_PREFIX = "/api/v1"
# Tables a refused request may legitimately touch: the caller's session, token bookkeeping and
# its rate-limit counter (every API request is counted, refused or not).
UNTRACKED = {"sessions.session", "api.idempotencyrecord", "core.ratecounter"}


def _matrix_modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"tests.{folder.name}.matrix")
        for folder in sorted(TESTS.iterdir())
        if (folder / "matrix.py").is_file()
    ]


MODULES = _matrix_modules()


def _rows() -> dict[str, tuple[ModuleType, dict[str, int]]]:
    rows: dict[str, tuple[ModuleType, dict[str, int]]] = {}
    for module in MODULES:
        for route, statuses in module.ROWS.items():
            if route in rows:
                raise AssertionError(
                    f"{route} has rows in {rows[route][0].__name__} and {module.__name__}"
                )
            rows[route] = (module, statuses)
    return rows


ROWS = _rows()
CASES = [
    pytest.param(route, persona, id=f"{route} [{persona}]")
    for route in sorted(ROWS)
    for persona in PERSONAS
]


def _openapi_routes() -> set[str]:
    paths = api.get_openapi_schema()["paths"]
    return {
        f"{method.upper()} {path.removeprefix(API_PREFIX)}"
        for path, operations in paths.items()
        for method in operations
    }


def test_every_route_has_a_row() -> None:
    routes = _openapi_routes()
    missing = sorted(routes - set(ROWS))
    assert not missing, (
        "These routes have no row in the permission matrix; add them to "
        "tests/<context>/matrix.py ROWS:\n  " + "\n  ".join(missing)
    )
    stale = sorted(set(ROWS) - routes)
    assert not stale, "These matrix rows name no route any more:\n  " + "\n  ".join(stale)


def test_every_row_names_every_persona() -> None:
    incomplete = {
        route: sorted(set(PERSONAS) ^ set(statuses))
        for route, (_, statuses) in ROWS.items()
        if set(statuses) != set(PERSONAS)
    }
    assert not incomplete, f"Rows with missing or unknown personas: {incomplete}"


def test_the_matrix_collects_the_people_routes() -> None:
    # Guards the discovery itself: a broken import path would otherwise test nothing.
    assert "POST /workspaces/{workspace_slug}/teams/{team_slug}/members" in ROWS
    assert "PUT /workspaces/{workspace_slug}/products/{product_key}/product-owner" in ROWS


@pytest.fixture
def world(
    workspace: Workspace,
    other_workspace: Workspace,
    team: Any,
    owner: Persona,
    admin: Persona,
    developer: Persona,
    viewer: Persona,
    po: Persona,
    pm: Persona,
    outsider: Persona,
) -> World:
    holder = User.objects.create_user("twoseats@globex.test", PASSWORD)
    Membership.objects.create(workspace=workspace, user=holder, role=Role.ADMIN)
    globex_seat = Membership.objects.create(workspace=other_workspace, user=holder, role=Role.ADMIN)
    return World(
        workspace=workspace,
        other_workspace=other_workspace,
        team=team,
        owner=owner,
        admin=admin,
        member=developer,
        viewer=viewer,
        po=po,
        pm=pm,
        outsider=outsider,
        outsider_token_holder=Persona(user=holder, membership=globex_seat),
    )


def _client(world: World, persona: str, make_token: Callable[[Persona], str]) -> Client:
    if persona == ANONYMOUS:
        return Client()
    if persona == OUTSIDER:
        client = Client()
        client.force_login(world.outsider.user)
        return client
    seat = {
        OWNER: world.owner,
        ADMIN: world.admin,
        MEMBER: world.member,
        VIEWER: world.viewer,
        PO: world.po,
        OUTSIDER_TOKEN: world.outsider_token_holder,
    }[persona]
    return Client(headers={"Authorization": f"Bearer {make_token(seat)}"})


def _fingerprint() -> dict[str, dict[str, Any]]:
    """Row counts (and version sums, which every write of a versioned row moves) per table."""
    state: dict[str, dict[str, Any]] = {}
    for model in apps.get_models():
        if model._meta.label_lower in UNTRACKED or not model._meta.managed:
            continue
        aggregates: dict[str, Any] = {"rows": Count("pk")}
        if any(field.name == "version" for field in model._meta.concrete_fields):
            aggregates["versions"] = Sum("version")
        state[model._meta.label_lower] = model._base_manager.aggregate(**aggregates)
    return state


@pytest.mark.parametrize(("route", "persona"), CASES)
def test_permission_matrix(
    route: str, persona: str, world: World, make_token: Callable[[Persona], str]
) -> None:
    module, statuses = ROWS[route]
    params = {"workspace_slug": world.workspace.slug, **module.setup(world)}
    params |= getattr(module, "PARAMS", {}).get(route, {})
    method, template = route.split(" ", 1)
    url = API_PREFIX + template.format(**params)
    # A query string the route needs (say, search's ``q``), from the module's QUERIES.
    query = getattr(module, "QUERIES", {}).get(route)
    if query:
        url += "?" + query
    client = _client(world, persona, make_token)
    body = getattr(module, "BODIES", {}).get(route)
    before = _fingerprint()

    content_type = getattr(module, "CONTENT_TYPES", {}).get(route, "application/json")
    if body is None:
        response = client.generic(method, url)
    elif content_type != "application/json":  # an upload: the body is the file itself
        response = client.generic(method, url, body, content_type=content_type)
    else:
        response = client.generic(method, url, json.dumps(body), content_type="application/json")

    expected = statuses[persona]
    assert response.status_code == expected, (
        f"{persona} {method} {url}: expected {expected}, got {response.status_code}: "
        f"{response.content[:500]!r}"
    )
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert _fingerprint() == before, f"{persona} was refused {route} but something was written"
