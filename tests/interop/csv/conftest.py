"""What every CSV export test reads: the file a list answers, checked as a download."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from tests.backlog.conftest import goal, make_item, product

__all__ = ["goal", "make_item", "product"]

BOM = "\ufeff"


def read_csv(response: Any) -> list[list[str]]:
    """The rows of a CSV download (header first), after checking what makes it one."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert re.fullmatch(
        r'attachment; filename="[A-Za-z0-9._-]+\.csv"', response["Content-Disposition"]
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))


def column(rows: list[list[str]], name: str) -> list[str]:
    """The cells of the column headed ``name`` (header left out)."""
    at = rows[0].index(name)
    return [row[at] for row in rows[1:]]
