"""``lodestar decision ...``: the same rules as the API, bad input as one line."""

from __future__ import annotations

import json

import pytest

from lodestar.backlog.models import BacklogItem
from lodestar.decisions.models import Decision, DecisionStatus
from lodestar.discovery.models import Problem
from lodestar.strategy.models import Product
from tests.cli.support import error_line, run
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

W = ("-w", "acme")


def test_a_decision_from_the_command_line(
    owner: Persona, developer: Persona, product: Product, item: BacklogItem, problem: Problem
) -> None:
    added = run(
        "decision", "add", "Share by link", *W, "-p", "ACME",
        "--decision", "Read-only links",
        "--option", "Guests|Known by name|A seat each",
        "--option", "Links|One click|Forwarded",
        "--chosen", "2",
        "--link", f"item:{item.key}",
        "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    data = json.loads(added.stdout)
    assert data["key"] == "ACME-D1"
    assert data["status"] == "proposed"
    assert [o["chosen"] for o in data["options"]] == [False, True]
    assert data["links"] == [f"item:{item.key}"]

    decided = run("decision", "decide", "acme-d1", *W, "--by", developer.email)
    assert decided.exit_code == 0, decided.output
    assert f"by {developer.email}" in decided.stdout
    linked = run("decision", "link", "ACME-D1", f"problem:{problem.pk}", *W)
    assert linked.exit_code == 0, linked.output
    assert f"Linked to problem:{problem.pk}" in linked.stdout

    second = run("decision", "add", "Links expire", *W, "-p", "ACME", "--decided")
    assert second.exit_code == 0, second.output
    superseded = run("decision", "supersede", "ACME-D1", "--by", "ACME-D2", *W)
    assert superseded.exit_code == 0, superseded.output
    assert "Superseded by ACME-D2" in superseded.stdout
    assert Decision.objects.get(number=1).status == DecisionStatus.SUPERSEDED

    listed = run("decision", "list", *W, "-p", "ACME", "--linked", f"item:{item.key}", "--json")
    assert listed.exit_code == 0, listed.output
    assert [row["key"] for row in json.loads(listed.stdout)] == ["ACME-D1"]
    table = run("decision", "list", *W, "-p", "ACME", "--status", "decided")
    assert "Links expire" in table.stdout
    assert "Share by link" not in table.stdout


def test_bad_input_is_one_line_and_writes_nothing(
    owner: Persona, product: Product, foreign_item: BacklogItem
) -> None:
    line = error_line(
        run("decision", "add", "X", *W, "-p", "ACME", "--link", f"item:{foreign_item.key}")
    )
    assert "Links" in line
    assert foreign_item.key in line
    line = error_line(run("decision", "add", "X", *W, "-p", "ACME", "--decided", "--on", "soon"))
    assert "--on must be a date" in line
    line = error_line(run("decision", "add", "X", *W, "-p", "ACME", "--chosen", "3"))
    assert "--chosen" in line
    assert Decision.all_objects.count() == 0
    run("decision", "add", "One", *W, "-p", "ACME")
    line = error_line(run("decision", "supersede", "ACME-D1", "--by", "ACME-D1", *W))
    assert "itself" in line
    line = error_line(run("decision", "list", *W, "-p", "ACME", "--status", "maybe"))
    assert "--status" in line


def test_viewers_cannot_record(viewer: Persona, owner: Persona, product: Product) -> None:
    line = error_line(run("decision", "add", "X", *W, "-p", "ACME", "--as", viewer.email))
    assert "Viewers can read the decision log" in line
