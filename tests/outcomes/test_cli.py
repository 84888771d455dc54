"""``lodestar metrics ...``: the same rules as the API, bad input as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lodestar.outcomes.models import Metric, MetricSample
from lodestar.strategy.models import Product
from tests.cli.support import error_line, run
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

W = ("-w", "acme", "-p", "ACME")


def test_add_list_push_show(owner: Persona, product: Product, tmp_path: Path) -> None:
    added = run(
        "metrics",
        "add",
        "wau",
        "Weekly active",
        *W,
        "--direction",
        "higher",
        "--aggregation",
        "last",
        "--json",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["aggregation"] == "last"
    listed = run("metrics", "list", *W, "--json")
    assert [m["key"] for m in json.loads(listed.stdout)] == ["wau"]
    csv = tmp_path / "wau.csv"
    csv.write_text("at,value\n2026-03-02T09:00:00Z,10\n2026-03-02T21:00:00Z,12\n")
    pushed = run("metrics", "push", "wau", str(csv), *W)
    assert pushed.exit_code == 0, pushed.output
    assert "2 samples" in pushed.stdout
    lines = '{"at": "2026-03-03T09:00:00Z", "value": 14}\n'
    from_stdin = run("metrics", "push", "wau", "-", *W, "--format", "jsonl", input=lines)
    assert from_stdin.exit_code == 0, from_stdin.output
    shown = json.loads(run("metrics", "show", "wau", *W, "--json").stdout)
    assert [(d["day"], d["value"]) for d in shown["days"]] == [
        ("2026-03-02", 12.0),
        ("2026-03-03", 14.0),
    ]
    text = run("metrics", "show", "wau", *W)
    assert "ACME/wau: Weekly active (higher is better; each day the last, UTC)" in text.stdout
    assert "2026-03-03  14  (1)" in text.stdout
    assert "wau" in run("metrics", "list", *W).stdout


def test_bad_input_is_one_line_and_writes_nothing(
    owner: Persona, metric: Metric, tmp_path: Path
) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("at,value\n2026-03-02T09:00:00,1\n")
    line = error_line(run("metrics", "push", "conversion", str(csv), *W))
    assert "Line 2, at: " in line
    assert "time zone" in line
    assert not MetricSample.objects.exists()
    assert "--format" in error_line(
        run("metrics", "push", "conversion", str(csv), *W, "--format", "xml")
    )
    assert "Direction" in error_line(
        run("metrics", "add", "x2", "X", *W, "--direction", "sideways")
    )
    assert "No metric" in error_line(run("metrics", "show", "nope", *W))
