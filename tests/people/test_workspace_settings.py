"""The workspace's settings: allowing images from other hosts, through the service, the API and
the settings page, with the Content-Security-Policy that follows."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from lodestar.config.headers import page_policy
from lodestar.core.errors import Forbidden, StaleVersion
from lodestar.core.history import describe
from lodestar.core.models import HistoryEntry
from lodestar.people import services
from lodestar.people.errors import PeopleErrorCode
from lodestar.people.models import Workspace
from tests.api.test_problems import assert_problem
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme"
PAGE = "/w/acme/settings"


def _history(workspace: Workspace) -> list[HistoryEntry]:
    return list(
        HistoryEntry.objects.filter(
            workspace=workspace, object_type="people.workspace", object_id=workspace.pk
        ).filter(action=HistoryEntry.Action.UPDATED)
    )


# -- the service -------------------------------------------------------------------------------


def test_external_images_are_off_by_default(workspace: Workspace) -> None:
    assert workspace.allow_external_images is False


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_owners_and_admins_allow_external_images_and_it_is_recorded(
    request: pytest.FixtureRequest, workspace: Workspace, who: str
) -> None:
    persona: Persona = request.getfixturevalue(who)
    updated = services.workspace_settings_update(
        actor=persona.actor, workspace=workspace, allow_external_images=True
    )
    assert updated.allow_external_images is True
    assert updated.version == 2
    [entry] = _history(workspace)
    assert entry.actor == persona.user
    assert entry.changes == {"allow_external_images": [False, True]}


@pytest.mark.parametrize("who", ["po", "developer", "viewer"])
def test_others_cannot_change_the_settings_and_nothing_is_written(
    request: pytest.FixtureRequest, workspace: Workspace, who: str
) -> None:
    persona: Persona = request.getfixturevalue(who)
    with pytest.raises(Forbidden) as refused:
        services.workspace_settings_update(
            actor=persona.actor, workspace=workspace, allow_external_images=True
        )
    assert refused.value.code == PeopleErrorCode.FORBIDDEN_MANAGE_SETTINGS
    workspace.refresh_from_db()
    assert workspace.allow_external_images is False
    assert _history(workspace) == []


def test_the_activity_feed_says_what_changed(owner: Persona, workspace: Workspace) -> None:
    services.workspace_settings_update(
        actor=owner.actor, workspace=workspace, allow_external_images=True
    )
    services.workspace_settings_update(
        actor=owner.actor, workspace=workspace, allow_external_images=False
    )
    allowed, stopped = sorted(_history(workspace), key=lambda entry: entry.pk)
    assert describe(allowed, {}) == "allowed images from other hosts on the workspace's pages"
    assert describe(stopped, {}) == "stopped images from other hosts on the workspace's pages"


def test_a_stale_version_is_refused(owner: Persona, workspace: Workspace) -> None:
    with pytest.raises(StaleVersion):
        services.workspace_settings_update(
            actor=owner.actor, workspace=workspace, allow_external_images=True, expected_version=7
        )


def test_saving_the_same_settings_records_nothing(owner: Persona, workspace: Workspace) -> None:
    services.workspace_settings_update(
        actor=owner.actor, workspace=workspace, allow_external_images=False
    )
    assert _history(workspace) == []


# -- the API -----------------------------------------------------------------------------------


def test_the_api_shows_and_changes_the_setting(
    admin: Persona, api_client: Callable[[Persona], Client]
) -> None:
    client = api_client(admin)
    assert client.get(API).json()["allow_external_images"] is False
    response = client.patch(
        API, json.dumps({"allow_external_images": True}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["allow_external_images"] is True
    assert response["ETag"] == '"2"'


def test_the_api_names_a_setting_that_is_not_a_boolean(
    owner: Persona, workspace: Workspace, api_client: Callable[[Persona], Client]
) -> None:
    response = api_client(owner).patch(
        API, json.dumps({"allow_external_images": "perhaps"}), content_type="application/json"
    )
    body = assert_problem(response, 422, ["allow_external_images"])
    assert "bool" in body["errors"][0]["message"]
    workspace.refresh_from_db()
    assert workspace.allow_external_images is False


def test_the_api_refuses_a_stale_if_match(
    owner: Persona, api_client: Callable[[Persona], Client]
) -> None:
    response = api_client(owner).patch(
        API,
        json.dumps({"allow_external_images": True}),
        content_type="application/json",
        headers={"If-Match": '"9"'},
    )
    assert_problem(response, 412)


# -- the page ----------------------------------------------------------------------------------


def _signed_in(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def test_an_admin_allows_external_images_on_the_page_and_the_policy_follows(
    admin: Persona, workspace: Workspace
) -> None:
    client = _signed_in(admin)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert b'name="allow_external_images"' in page.content
    assert b"Save settings" in page.content
    assert "https:" not in page["Content-Security-Policy"]

    response = client.post(PAGE, {"allow_external_images": "on", "version": 1}, follow=True)
    assert response.status_code == 200
    assert b"Settings saved." in response.content
    workspace.refresh_from_db()
    assert workspace.allow_external_images is True
    # Every page of this workspace may now show images from HTTPS hosts; others may not.
    assert client.get("/w/acme/")["Content-Security-Policy"] == page_policy(external_images=True)
    assert "img-src 'self' data: https:;" in page_policy(external_images=True)
    assert client.get("/account/password")["Content-Security-Policy"] == page_policy(
        external_images=False
    )


def test_a_member_sees_the_setting_but_cannot_change_it(
    developer: Persona, workspace: Workspace
) -> None:
    client = _signed_in(developer)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert b"disabled" in page.content
    assert b"Save settings" not in page.content
    response = client.post(PAGE, {"allow_external_images": "on", "version": 1})
    assert response.status_code == 403
    assert b"Only workspace owners and admins change the workspace" in response.content
    workspace.refresh_from_db()
    assert workspace.allow_external_images is False


def test_a_stale_page_says_so_and_changes_nothing(owner: Persona, workspace: Workspace) -> None:
    services.workspace_settings_update(
        actor=owner.actor, workspace=workspace, allow_external_images=True
    )
    response = _signed_in(owner).post(PAGE, {"version": 1}, follow=True)
    assert b"Someone changed these settings" in response.content
    workspace.refresh_from_db()
    assert workspace.allow_external_images is True


def test_a_page_form_without_its_version_is_refused(owner: Persona, workspace: Workspace) -> None:
    response = _signed_in(owner).post(PAGE, {"allow_external_images": "on"})
    assert response.status_code == 422
    workspace.refresh_from_db()
    assert workspace.allow_external_images is False
