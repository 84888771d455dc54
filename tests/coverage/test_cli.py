"""``lodestar coverage``: the duties as a table or JSON, "nobody" where nobody did one, former
members marked, and bad input as one line."""

from __future__ import annotations

import json

import pytest

from lodestar.backlog import services as backlog
from lodestar.coverage.duties import DUTY_KEYS
from lodestar.decisions import services as decisions
from lodestar.people.models import Team
from lodestar.people.services import member_remove
from lodestar.strategy.models import Product
from tests.cli.support import error_line, run
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def test_a_table_of_who_carried_each_duty(
    owner: Persona, po: Persona, pm: Persona, product: Product
) -> None:
    first, second = (
        backlog.item_create(actor=owner.actor, product=product, title=title)
        for title in ("One", "Two")
    )
    backlog.item_move(actor=po.actor, item=second, before=first)
    decisions.decision_create(actor=pm.actor, product=product, title="Charge per seat")
    member_remove(actor=owner.actor, member=pm.membership)

    result = run("coverage", "-w", "acme", "--product", "ACME", "--days", "30")

    assert result.exit_code == 0, result.output
    assert "Coverage of ACME, last 30 days" in result.stdout
    assert "Orders the backlog" in result.stdout
    assert "Pm (former member)" in result.stdout
    assert "nobody in 30 days" in result.stdout
    assert "What the evidence shows:" in result.stdout
    assert "Nobody here holds the job of product manager." in " ".join(result.stdout.split())


def test_json_for_a_team(owner: Persona, team: Team, product: Product) -> None:
    result = run("coverage", "-w", "acme", "--team", "core", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["product"], data["team"], data["days"]) == ("ACME", "core", 90)
    assert [d["key"] for d in data["duties"]] == list(DUTY_KEYS)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--days", "0"), "--days: must be a whole number of days from 1 to 1826"),
        (("--days", "1827"), "not 1827"),
        (("--days", "soon"), "not 'soon'"),
        (("--product", "NOPE"), "NOPE"),
        (("--team", "nope"), "nope"),
    ],
)
def test_bad_input_is_one_line(
    owner: Persona, product: Product, args: tuple[str, ...], words: str
) -> None:
    assert words in error_line(run("coverage", "-w", "acme", *args))
