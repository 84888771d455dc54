"""``lodestar user|workspace|member|token ...``: happy paths, else one line with exit code 2."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lodestar.core.models import HistoryEntry
from lodestar.people.models import ApiToken, Membership, Role, User, Workspace
from tests.cli.support import error_line, run
from tests.conftest import Persona

GOOD_PASSWORD = "a-long-and-unusual-passphrase"


# -- user create -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_user_create_with_a_password() -> None:
    result = run("user", "create", "Ada@Example.com", "--password", GOOD_PASSWORD, "--name", "Ada")
    assert result.exit_code == 0, result.output
    user = User.objects.get(email="ada@example.com")
    assert user.full_name == "Ada"
    assert user.check_password(GOOD_PASSWORD)


@pytest.mark.django_db
def test_user_create_asks_for_the_password_twice_until_both_agree() -> None:
    result = run(
        "user",
        "create",
        "ada@example.com",
        input=f"{GOOD_PASSWORD}\nother\n{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert GOOD_PASSWORD not in result.output  # hidden input
    assert User.objects.get(email="ada@example.com").check_password(GOOD_PASSWORD)


@pytest.mark.django_db
def test_user_create_refuses_a_bad_email_before_asking_for_a_password() -> None:
    line = error_line(run("user", "create", "not-an-email"))
    assert "'not-an-email' is not an email address" in line
    assert not User.objects.exists()


@pytest.mark.django_db
def test_user_create_refuses_an_existing_user(owner: Persona) -> None:
    line = error_line(run("user", "create", owner.email.upper(), "--password", GOOD_PASSWORD))
    assert f"a user with email {owner.email} already exists" in line


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short", "too short"),
        ("password1234", "too common"),
        ("20250101202501", "entirely numeric"),
        ("ada.lovelace@example.com", "too similar"),
    ],
)
def test_user_create_names_the_password_rule_that_failed(password: str, rule: str) -> None:
    line = error_line(run("user", "create", "ada.lovelace@example.com", "--password", password))
    assert line.startswith("Error: Password: ")
    assert rule in line
    assert not User.objects.exists()


# -- workspace create / list -------------------------------------------------------------------


@pytest.fixture
def ada(db: None) -> User:
    return User.objects.create_user("ada@example.com", GOOD_PASSWORD)


def test_workspace_create_makes_the_owner_and_records_history(ada: User) -> None:
    result = run("workspace", "create", "lab", "--name", "Ada's Lab", "--owner", "ADA@example.com")
    assert result.exit_code == 0, result.output
    workspace = Workspace.objects.get(slug="lab")
    assert workspace.name == "Ada's Lab"
    assert Membership.objects.get(workspace=workspace, user=ada).role == Role.OWNER
    assert HistoryEntry.objects.filter(workspace=workspace, action="created").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad Slug", "--name", "X", "--owner", "ada@example.com"], "Slug: use 1 to 50"),
        (["acme", "--name", "X", "--owner", "ada@example.com"], "Slug: is taken"),
        (["lab", "--name", "  ", "--owner", "ada@example.com"], "Name: must not be empty"),
        (["lab", "--name", "X", "--owner", "nobody@example.com"], "no user with email nobody@"),
    ],
)
def test_workspace_create_refuses_bad_input(
    ada: User, workspace: Workspace, args: list[str], message: str
) -> None:
    before = Workspace.objects.count()
    assert message in error_line(run("workspace", "create", *args))
    assert Workspace.objects.count() == before


def test_workspace_create_without_an_owner_is_a_usage_error(ada: User) -> None:
    result = run("workspace", "create", "lab", "--name", "Lab")
    assert result.exit_code == 2
    assert not Workspace.objects.exists()


def test_workspace_list_json(owner: Persona, viewer: Persona, outsider: Persona) -> None:
    result = run("workspace", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(row["slug"], row["members"]) for row in rows] == [("acme", 2), ("globex", 1)]
    assert rows[0]["name"] == "Acme"


def test_workspace_list_table(owner: Persona) -> None:
    result = run("workspace", "list")
    assert result.exit_code == 0, result.output
    assert "acme" in result.stdout
    assert "Acme" in result.stdout


@pytest.mark.django_db
def test_workspace_list_when_there_is_none() -> None:
    assert json.loads(run("workspace", "list", "--json").stdout) == []
    assert "No workspaces yet" in run("workspace", "list").stdout


# -- token create / list -----------------------------------------------------------------------


def test_token_create_prints_only_a_token_that_opens_the_api(developer: Persona) -> None:
    result = run("token", "create", developer.email, "--workspace", "acme", "--name", "ci")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert result.stdout == f"{secret}\n"
    assert secret.startswith("lsk_")
    token = ApiToken.objects.get(user=developer.user)
    assert token.name == "ci"
    assert secret.startswith(token.prefix)

    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/workspaces/acme")
    assert response.status_code == 200, response.content
    wrong = Client(headers={"Authorization": f"Bearer {secret}x"}).get("/api/v1/workspaces/acme")
    assert wrong.status_code == 401


@pytest.mark.parametrize(
    ("email", "workspace_slug", "message"),
    [
        ("boss@globex.test", "acme", "boss@globex.test is not a member of workspace 'acme'"),
        ("nobody@acme.test", "acme", "no user with email nobody@acme.test"),
        ("dev@acme.test", "nope", "no workspace 'nope'"),
    ],
)
def test_token_create_refuses(
    viewer: Persona,
    outsider: Persona,
    developer: Persona,
    email: str,
    workspace_slug: str,
    message: str,
) -> None:
    assert message in error_line(run("token", "create", email, "--workspace", workspace_slug))
    assert not ApiToken.objects.exists()


def test_token_create_refuses_an_empty_name(developer: Persona) -> None:
    line = error_line(run("token", "create", developer.email, "-w", "acme", "--name", " "))
    assert "Name: must not be empty." in line


def test_token_list_json_shows_every_token_of_the_workspace_but_no_secret(
    owner: Persona, developer: Persona, outsider: Persona
) -> None:
    secrets = [
        run("token", "create", persona.email, "-w", slug).stdout.strip()
        for persona, slug in [(owner, "acme"), (developer, "acme"), (outsider, "globex")]
    ]
    result = run("token", "list", "--workspace", "acme", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert sorted(row["user"] for row in rows) == [developer.email, owner.email]
    assert all(secret not in result.stdout for secret in secrets)
    assert {row["prefix"] for row in rows} == {secrets[0][:12], secrets[1][:12]}
    assert rows[0]["revoked_at"] is None


def test_token_list_table_and_unknown_workspace(owner: Persona) -> None:
    assert "No API tokens in acme" in run("token", "list", "-w", "acme").stdout
    assert "no workspace 'nope'" in error_line(run("token", "list", "-w", "nope"))


# -- member add (the operator's direct way in) -----------------------------------------------


def test_member_add_joins_a_user_at_once(ada: User, workspace: Workspace) -> None:
    result = run(
        "member",
        "add",
        "ADA@example.com",
        "--workspace",
        "acme",
        "--role",
        "admin",
        "--job-title",
        "Analyst",
    )
    assert result.exit_code == 0, result.output
    assert "Added ada@example.com to acme as admin." in result.stdout
    member = Membership.objects.get(workspace=workspace, user=ada)
    assert (member.role, member.job_title) == (Role.ADMIN, "Analyst")
    assert (
        HistoryEntry.objects.get(object_id=member.pk, object_type="people.membership").actor_id
        is None
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.com", "-w", "acme"], "Email: has no account here yet"),
        (["ada@example.com", "-w", "nowhere"], "no workspace 'nowhere'"),
        (["ada@example.com", "-w", "acme", "--role", "emperor"], "Role: must be one of"),
        (["owner@acme.test", "-w", "acme"], "already a member"),
        (["not an address", "-w", "acme"], "Email: must be an email address"),
    ],
)
def test_member_add_refuses_bad_input(
    ada: User, owner: Persona, args: list[str], message: str
) -> None:
    before = Membership.objects.count()
    assert message in error_line(run("member", "add", *args))
    assert Membership.objects.count() == before
