"""``@handle`` and ``@team-slug`` in Markdown source: which names a text mentions, and who they
are in a workspace.

A mention is ``@`` followed by a handle (``people/handles.py``: letters, digits, dots, dashes
and underscores, ending with a letter or a digit), in the text of the document: not in code
(spans, indented or fenced blocks), not in a link's text or address, not inside an email
address (``quinn@acme.example``) or a URL (``https://host/@quinn``). Names are matched without
regard to case. Unknown names are plain text; names resolve in one workspace only, so a
handle of another workspace's member mentions nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt

from lodestar.people.models import Membership, Team

# Not after a letter, digit or one of the characters that join an address or a path.
_MENTION = re.compile(r"(?<![\w@./+:=?&#%~-])@([a-z0-9](?:[a-z0-9._-]{0,48}[a-z0-9])?)", re.I)
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\bwww\.\S+", re.I)
MAX_MENTIONS = 50  # names read from one text; a text naming more mentions the first 50


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def _prose(source: str) -> list[str]:
    """The runs of plain text of a Markdown document (no code, no links)."""
    runs: list[str] = []
    for token in _parser().parse(source or ""):
        if token.type != "inline" or not token.children:
            continue
        current: list[str] = []
        in_link = 0
        for child in token.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link = max(0, in_link - 1)
            elif child.type == "text" and not in_link:
                current.append(child.content)
                continue
            elif child.type in ("softbreak", "hardbreak"):
                current.append("\n")
                continue
            if current:
                runs.append("".join(current))
                current = []
        if current:
            runs.append("".join(current))
    return runs


def mentioned_names(source: str) -> list[str]:
    """The names ``source`` mentions, lowercased, each once, in order of first appearance."""
    names: dict[str, None] = {}
    for run in _prose(source):
        for match in _MENTION.finditer(_URL.sub(" ", run)):
            names.setdefault(match.group(1).lower(), None)
            if len(names) >= MAX_MENTIONS:
                return list(names)
    return list(names)


@dataclass
class Mentioned:
    """Who names resolve to in a workspace: members by handle, teams by slug (a member's
    handle wins over a team's slug: the two are kept apart when handles are chosen)."""

    members: list[Membership] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.members or self.teams)


def resolve(workspace_id: int, names: list[str]) -> Mentioned:
    """The current members and the teams of ``workspace_id`` that ``names`` name (two queries;
    none without names)."""
    if not names:
        return Mentioned()
    wanted = set(names)
    # Handles are stored lowercased (``people.services``), so the index on them serves.
    members = list(
        Membership.objects.filter(workspace_id=workspace_id, handle__in=wanted)
        .select_related("user")
        .order_by("pk")
    )
    found = {member.handle.lower() for member in members}
    team_names = wanted - found
    teams = (
        list(Team.objects.filter(workspace_id=workspace_id, slug__in=team_names).order_by("pk"))
        if team_names
        else []
    )
    return Mentioned(members=members, teams=teams)
