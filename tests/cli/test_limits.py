"""Every list command takes ``--limit`` 1 to 500, and says so in one line otherwise."""

from __future__ import annotations

import pytest

from tests.cli.support import error_line, run
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

AS = ("-w", "acme", "--as", "owner@acme.test")

LISTS = [
    ("customers", "list", *AS),
    ("feedback", "list", *AS),
    ("problems", "list", *AS),
    ("decision", "list", *AS, "--product", "ACME"),
    ("experiment", "list", *AS),
    ("sprint", "list", *AS, "--team", "core"),
    ("notifications", "list", *AS),
    ("webhooks", "deliveries", "1", *AS),
]


@pytest.mark.parametrize("command", LISTS, ids=lambda command: " ".join(command[:2]))
@pytest.mark.parametrize("limit", ["0", "501", "-3"])
def test_a_limit_out_of_range_is_refused_in_one_line(
    owner: Persona, command: tuple[str, ...], limit: str
) -> None:
    line = error_line(run(*command, "--limit", limit))
    assert line == f"Error: --limit must be 1 to 500 (it is {limit})."
