"""Migrations of the export format: a file written by an older Lodestar is read by a newer one.

``STEPS[n]`` turns a row of schema ``n`` into a row of schema ``n + 1``: it takes the table's
label (``backlog.backlogitem``) and the row (a dict, as the file holds it) and returns the row
(the same dict changed, or a new one). A restore applies every step from the file's version
to ``SCHEMA_VERSION`` to each row as it reads it, so the file itself is never rewritten. A
change of the format that an older file must go through (a column renamed, a value's meaning
changed, a table split) raises ``SCHEMA_VERSION`` in ``format.py`` and adds its step here;
a column added with a default needs a step too (the restore asks every row for every column).

Schema 1 is the first: there are no steps yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Row = dict[str, Any]
Step = Callable[[str, Row], Row]

STEPS: dict[int, Step] = {}


def steps_from(version: int, current: int) -> list[Step]:
    """The steps that take a row of ``version`` to ``current``, in order (a missing step is a
    programming error: ``KeyError``)."""
    return [STEPS[n] for n in range(version, current)]


def migrate(table: str, row: Row, steps: list[Step]) -> Row:
    for step in steps:
        row = step(table, row)
    return row
