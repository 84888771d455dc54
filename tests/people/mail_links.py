"""Reading the links out of the emails the people context sends."""

from __future__ import annotations

import re


def link_in(text: str, pattern: re.Pattern[str]) -> str:
    """The first link in ``text`` that ``pattern`` matches (the test fails without one)."""
    found = pattern.search(text)
    assert found, text
    return found.group(0)


def path_of(link: str) -> str:
    """An absolute link's path, to open with the test client."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]
