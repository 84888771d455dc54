"""Which names a Markdown text mentions, and who they are in a workspace."""

from __future__ import annotations

import pytest

from lodestar.notifications.mentions import mentioned_names, resolve
from lodestar.people.models import Team, Workspace
from tests.conftest import Persona


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("Hi @quinn, can you look?", ["quinn"]),
        ("@Quinn and @quinn and @QUINN", ["quinn"]),
        ("cc @priya.s and @checkout.", ["priya.s", "checkout"]),
        ("mail quinn@acme.example or @diego", ["diego"]),
        ("see https://example.com/@quinn and www.x.org/@q", []),
        ("`@quinn` in code", []),
        ("    @quinn in an indented block", []),
        ("```\n@quinn\n```", []),
        ("[@quinn](https://x.example/@diego) is a link", []),
        ("> @quinn quoted\n\n- @diego listed", ["quinn", "diego"]),
        ("@ alone, @-dash, @.dot, a@b", []),
        ("(@quinn) [@diego]", ["quinn", "diego"]),
        ("", []),
    ],
)
def test_mentioned_names(source: str, names: list[str]) -> None:
    assert mentioned_names(source) == names


def test_a_text_mentions_at_most_fifty_names() -> None:
    text = " ".join(f"@user{n}" for n in range(80))
    assert len(mentioned_names(text)) == 50


@pytest.mark.django_db
def test_names_resolve_in_one_workspace_only(
    owner: Persona, developer: Persona, outsider: Persona, team: Team, workspace: Workspace
) -> None:
    found = resolve(workspace.pk, ["dev", "core", "boss", "nobody"])
    assert [m.pk for m in found.members] == [developer.membership.pk]
    assert [t.pk for t in found.teams] == [team.pk]
    assert not resolve(workspace.pk, ["boss"])
