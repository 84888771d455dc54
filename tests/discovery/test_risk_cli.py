"""``lodestar experiment ...`` and ``lodestar risk ...``: the same rules as the API, bad input
as one line."""

from __future__ import annotations

import json

import pytest

from lodestar.discovery import services as discovery
from lodestar.discovery.risk_models import Experiment, ProductRisk
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.cli.support import error_line, run
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

W = ("-w", "acme")


@pytest.fixture
def product(owner: Persona) -> Product:
    return strategy.product_create(actor=owner.actor, key="ACME", name="Acme Analytics")


def test_an_experiment_and_a_risk_from_the_command_line(owner: Persona, product: Product) -> None:
    problem = discovery.problem_create(actor=owner.actor, title="Exports are slow")
    added = run(
        "experiment", "add", "Pricing fake door", *W, "-p", "ACME",
        "--method", "fake_door", "--signal", "5% click", "--problem", str(problem.pk), "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    data = json.loads(added.stdout)
    assert (data["method"], data["problems"]) == ("fake_door", [problem.pk])
    concluded = run("experiment", "conclude", str(data["id"]), "validated", *W, "--seen", "9%")
    assert concluded.exit_code == 0, concluded.output
    listed = run("experiment", "list", *W, "--status", "concluded", "--json")
    assert [row["result"] for row in json.loads(listed.stdout)] == ["validated"]
    subject = f"problem:{problem.pk}"
    set_ = run("risk", "set", subject, "value", "addressed", *W, "--experiment", str(data["id"]))
    assert set_.exit_code == 0, set_.output
    assert "The value risk is addressed." in set_.stdout
    risks = json.loads(run("risk", "list", subject, *W, "--json").stdout)
    assert (risks[0]["status"], risks[0]["experiment"]) == ("addressed", data["id"])


def test_bad_input_is_one_line_and_writes_nothing(owner: Persona, product: Product) -> None:
    problem = discovery.problem_create(actor=owner.actor, title="Exports are slow")
    line = error_line(run("experiment", "add", "X", *W, "-p", "ACME", "--method", "guess"))
    assert "Method" in line or "method" in line
    line = error_line(run("experiment", "list", *W, "--status", "maybe"))
    assert "--status" in line
    line = error_line(run("risk", "set", f"problem:{problem.pk}", "value", "addressed", *W))
    assert "say what addressed the risk" in line
    line = error_line(run("risk", "set", "feedback:1", "value", "testing", *W))
    assert "problem:7" in line
    assert not Experiment.all_objects.exists()
    assert not ProductRisk.objects.exists()
