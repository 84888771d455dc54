"""Members' handles (``@quinn``): defaults from the email, unique in a workspace whatever the
case, set by the member, refused with the field named."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.core.errors import Invalid
from lodestar.people import services
from lodestar.people.errors import PeopleErrorCode
from lodestar.people.handles import free_handle, handle_base
from lodestar.people.models import Membership, Team, User, Workspace
from tests.conftest import PASSWORD, Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme"


def _join(workspace: Workspace, email: str) -> Membership:
    user = User.objects.create_user(email, PASSWORD, full_name="Someone")
    return Membership.objects.create(workspace=workspace, user=user, role="member")


@pytest.mark.parametrize(
    ("email", "base"),
    [
        ("Quinn@acme.example", "quinn"),
        ("mary.o'neil+work@acme.example", "mary.oneilwork"),
        ("_x_@acme.example", "member"),
        ("dé@acme.example", "member"),
        ("a" * 40 + "@acme.example", "a" * 32),
        ("jo-ann_b@acme.example", "jo-ann_b"),
    ],
)
def test_the_base_of_a_handle_is_the_local_part_fitted_to_the_rule(email: str, base: str) -> None:
    assert handle_base(email) == base


def test_a_taken_handle_gets_a_number_within_the_length() -> None:
    taken = {"quinn", "quinn2"}
    assert free_handle("quinn", taken.__contains__) == "quinn3"
    assert len(free_handle("a" * 32, {"a" * 32}.__contains__)) == 32


def test_new_members_get_their_email_handle_numbered_when_taken(workspace: Workspace) -> None:
    Team.objects.create(workspace=workspace, slug="ops", name="Ops")
    assert _join(workspace, "quinn@acme.example").handle == "quinn"
    assert _join(workspace, "Quinn@other.example").handle == "quinn2"
    assert _join(workspace, "ops@acme.example").handle == "ops2"


def test_handles_are_unique_per_workspace_only(
    workspace: Workspace, other_workspace: Workspace
) -> None:
    assert _join(workspace, "quinn@acme.example").handle == "quinn"
    assert _join(other_workspace, "quinn@globex.example").handle == "quinn"


def test_a_member_sets_their_own_handle(developer: Persona) -> None:
    member = services.member_update(
        actor=developer.actor, member=developer.membership, handle=" @Dev.Lead "
    )
    assert member.handle == "dev.lead"
    member.refresh_from_db()
    assert member.handle == "dev.lead"


@pytest.mark.parametrize(
    "value",
    ["a", "x" * 33, "has space", "ünï", ".dot", "dash-", "semi;colon", ""],
)
def test_bad_handles_are_refused_naming_the_field(developer: Persona, value: str) -> None:
    with pytest.raises(Invalid) as caught:
        services.member_update(actor=developer.actor, member=developer.membership, handle=value)
    assert [e.field for e in caught.value.errors] == ["handle"]
    assert caught.value.code == PeopleErrorCode.HANDLE_INVALID
    developer.membership.refresh_from_db()
    assert developer.membership.handle == "dev"


def test_a_handle_taken_by_a_member_or_a_team_is_refused(
    developer: Persona, pm: Persona, team: Team
) -> None:
    for value in ("PM", team.slug):
        with pytest.raises(Invalid) as caught:
            services.member_update(actor=developer.actor, member=developer.membership, handle=value)
        assert caught.value.code == PeopleErrorCode.HANDLE_TAKEN
        assert [e.field for e in caught.value.errors] == ["handle"]


def test_the_api_shows_and_changes_the_handle(
    developer: Persona, api_client: Callable[[Persona], Client]
) -> None:
    client = api_client(developer)
    url = f"{API}/members/{developer.email}"
    assert client.get(url).json()["handle"] == "dev"
    answer = client.patch(url, json.dumps({"handle": "devon"}), content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["handle"] == "devon"
    bad = client.patch(url, json.dumps({"handle": "no way"}), content_type="application/json")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["handle"]


def test_a_viewer_cannot_change_anothers_handle(
    viewer: Persona, developer: Persona, api_client: Callable[[Persona], Client]
) -> None:
    answer = api_client(viewer).patch(
        f"{API}/members/{developer.email}",
        json.dumps({"handle": "devon"}),
        content_type="application/json",
    )
    assert answer.status_code == 403


def test_the_members_page_shows_handles_and_sets_ones_own(
    developer: Persona, owner: Persona, client: Client
) -> None:
    client.force_login(developer.user)
    page = client.get("/w/acme/members")
    assert b"@dev" in page.content
    assert b"@owner" in page.content
    assert b"Your handle" in page.content
    bad: Any = client.post("/w/acme/members/me/handle", {"handle": "owner", "version": 1})
    assert bad.status_code == 422
    assert b"is taken by another member" in bad.content
    good = client.post("/w/acme/members/me/handle", {"handle": "devon", "version": 1})
    assert good.status_code == 302
    developer.membership.refresh_from_db()
    assert developer.membership.handle == "devon"


def test_the_migration_backfills_handles_numbering_taken_ones(
    workspace: Workspace, developer: Persona, team: Team
) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("lodestar.people.migrations.0008_membership_handle")
    other = _join(workspace, "core@acme.example")  # "core" is the team's slug: core2
    Membership.all_objects.filter(pk=developer.membership.pk).update(handle="x-dev")
    Membership.all_objects.filter(pk=other.pk).update(handle="x-core")
    migration.backfill(apps, None)
    developer.membership.refresh_from_db()
    other.refresh_from_db()
    assert (developer.membership.handle, other.handle) == ("dev", "core2")
