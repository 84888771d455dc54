"""Members' handles: the name a member is mentioned by (``@quinn``), unique in a workspace.

A handle is 2 to 32 characters of lowercase letters, digits, dots, dashes and underscores,
starting and ending with a letter or a digit (so ``@quinn.`` at the end of a sentence mentions
``quinn``). A new member's handle is the part of their email before ``@``, made to fit the
rule, with a number added when another member or a team of the workspace has it already.
Pure string rules here; the lookups take the workspace's taken names as a set.
"""

from __future__ import annotations

import re
from collections.abc import Callable

HANDLE_MIN = 2
HANDLE_MAX = 32
HANDLE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,30}[a-z0-9])?$")
HANDLE_RULE = (
    f"use {HANDLE_MIN} to {HANDLE_MAX} lowercase letters, digits, dots, dashes or underscores, "
    "starting and ending with a letter or a digit"
)
_NOT_ALLOWED = re.compile(r"[^a-z0-9._-]+")
_FALLBACK = "member"


def is_valid(handle: str) -> bool:
    return len(handle) >= HANDLE_MIN and bool(HANDLE_RE.match(handle))


def handle_base(email: str) -> str:
    """The handle an email suggests: its local part, lowercased, fitted to the rule."""
    local = (email or "").split("@", 1)[0].lower()
    base = _NOT_ALLOWED.sub("", local).strip("._-")[:HANDLE_MAX].strip("._-")
    return base if len(base) >= HANDLE_MIN else _FALLBACK


def free_handle(base: str, taken: Callable[[str], bool]) -> str:
    """``base``, or ``base2``, ``base3``... the first that ``taken`` says is free."""
    if not taken(base):
        return base
    number = 2
    while True:
        suffix = str(number)
        candidate = base[: HANDLE_MAX - len(suffix)].rstrip("._-") + suffix
        if not taken(candidate):
            return candidate
        number += 1
