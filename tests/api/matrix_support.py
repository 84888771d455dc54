"""What each context's ``tests/<context>/matrix.py`` uses to declare its rows of the permission
matrix (persona x route -> status), collected by ``tests/api/test_permission_matrix.py``.

A context's ``matrix.py`` defines:

- ``ROWS``: ``{"METHOD /workspaces/{workspace_slug}/...": {persona: status}}``, one row per
  route of its router (the path as the OpenAPI document spells it, after ``/api/v1``). Build
  rows with ``row(...)`` so the personas outside the workspace get their 401/404 by default.
- ``BODIES`` (optional): ``{route: json_body}`` sent with POST, PUT and PATCH: a *valid* body,
  so that an allowed persona gets the success status and a refused one gets its refusal.
- ``PARAMS`` (optional): ``{route: {name: value}}`` overriding ``setup``'s path parameters.
- ``setup(world: World) -> dict[str, str]``: creates what the paths need (in the ``acme``
  workspace, with ``world``'s personas) and returns the path parameters (``workspace_slug`` is
  always ``acme``). It runs before every single case, in that case's transaction, so a case
  that deletes something leaves the next one untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lodestar.people.models import Team, Workspace
from tests.conftest import Persona

# Personas with a seat in ``acme``: how they reach the API is set up by the matrix test.
OWNER, ADMIN, MEMBER, VIEWER, PO = "owner", "admin", "member", "viewer", "po"
# Without a seat: no credentials; a session of a member of another workspace only; and a token
# made for another workspace by someone who is also an admin here (it must never open acme).
ANONYMOUS, OUTSIDER, OUTSIDER_TOKEN = "anonymous", "outsider", "outsider_token"

INSIDERS = (OWNER, ADMIN, MEMBER, VIEWER, PO)
PERSONAS = (*INSIDERS, ANONYMOUS, OUTSIDER, OUTSIDER_TOKEN)
MANAGERS = frozenset({OWNER, ADMIN})
WRITERS = frozenset({OWNER, ADMIN, MEMBER, PO})
EVERYONE = frozenset(INSIDERS)


@dataclass
class World:
    """The ``acme`` workspace and its people, as every case of the matrix starts from."""

    workspace: Workspace
    other_workspace: Workspace
    team: Team
    owner: Persona
    admin: Persona
    member: Persona  # a developer in ``team``
    viewer: Persona
    po: Persona  # a member wearing ``team``'s product owner hat
    pm: Persona  # a member whose job title is Product Manager
    outsider: Persona
    outsider_token_holder: Persona  # owner of globex, admin of acme


def row(ok: int, allowed: Iterable[str], *, denied: int = 403, **overrides: int) -> dict[str, int]:
    """A matrix row: ``ok`` for the ``allowed`` insiders, ``denied`` for the other insiders,
    401 without credentials and 404 from outside the workspace; ``overrides`` win."""
    allowed = set(allowed)
    unknown = allowed - set(INSIDERS)
    if unknown:
        raise ValueError(f"not insiders: {sorted(unknown)}")
    statuses = {persona: (ok if persona in allowed else denied) for persona in INSIDERS}
    statuses |= {ANONYMOUS: 401, OUTSIDER: 404, OUTSIDER_TOKEN: 404}
    for persona, status in overrides.items():
        if persona not in PERSONAS:
            raise ValueError(f"unknown persona {persona!r}")
        statuses[persona] = status
    return statuses


def read(ok: int = 200) -> dict[str, int]:
    """A route every member of the workspace may read."""
    return row(ok, EVERYONE)
