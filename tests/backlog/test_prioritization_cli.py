"""``lodestar backlog score`` and ``lodestar backlog suggest-order``."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner, Result

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization import services
from lodestar.backlog.prioritization.models import Score
from lodestar.cli import backlog_score
from lodestar.cli.output import LodestarGroup
from lodestar.strategy.models import Product
from tests.backlog.test_prioritization_api import RICE, items, make_items, order, product
from tests.conftest import Persona

__all__ = ["items", "product"]  # fixtures shared with the API tests

app = typer.Typer(cls=LodestarGroup)
backlog_app = typer.Typer()
app.add_typer(backlog_app, name="backlog")
backlog_score.register(backlog_app)


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["backlog", *args])


AS_PO = ("-w", "acme", "--as", "po@acme.test")
AS_DEV = ("-w", "acme", "--as", "dev@acme.test")


def test_score_sets_and_explains(po: Persona, items: list[BacklogItem]) -> None:
    sets = [arg for pair in RICE.items() for arg in ("--set", f"{pair[0]}={pair[1]}")]
    result = run("score", "ACME-1", *AS_PO, "--framework", "rice", *sets)
    assert result.exit_code == 0, result.output
    assert "RICE: 400" in result.stdout
    assert "500 x 2 x 80% / 2 = 400" in result.stdout
    assert "Reach: 500 people per quarter, entered by Po on" in result.stdout
    assert Score.objects.get().value == 400


def test_score_changes_one_input_and_keeps_the_others(
    po: Persona, items: list[BacklogItem]
) -> None:
    services.score_set(actor=po.actor, item=items[0], framework="rice", inputs=RICE)
    result = run("score", "ACME-1", *AS_PO, "--framework", "rice", "--set", "confidence=50")
    assert result.exit_code == 0, result.output
    assert "500 x 2 x 50% / 2 = 250" in result.stdout
    assert Score.objects.get().inputs == {**RICE, "confidence": 50}


def test_score_shows_all_scores_as_json(po: Persona, items: list[BacklogItem]) -> None:
    services.score_set(actor=po.actor, item=items[0], framework="rice", inputs=RICE)
    result = run("score", "acme-1", *AS_PO, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["item"] == "ACME-1"
    assert data["scores"][0]["explanation"]["arithmetic"] == "500 x 2 x 80% / 2 = 400"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--framework", "rice", "--set", "reach"), "write NAME=NUMBER"),
        (("--framework", "rice", "--set", "reach=lots"), "'lots' is not a number"),
        (("--set", "reach=5"), "--set needs --framework"),
        (
            (
                "--framework",
                "rice",
                "--set",
                "reach=5",
                "--set",
                "impact=2",
                "--set",
                "confidence=120",
                "--set",
                "effort=1",
            ),
            "Confidence: must be from 0 to 100 (got 120).",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2(
    po: Persona, items: list[BacklogItem], args: tuple[str, ...], says: str
) -> None:
    result = run("score", "ACME-1", *AS_PO, *args)
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not Score.objects.exists()


def test_suggest_order_shows_and_applies(
    po: Persona, developer: Persona, product: Product, items: list[BacklogItem]
) -> None:
    for item, reach in zip(items, (10, 20, 30, 40, 50, 60), strict=True):
        services.score_set(
            actor=po.actor, item=item, framework="rice", inputs={**RICE, "reach": reach}
        )
    shown = run("suggest-order", "ACME", *AS_DEV, "--framework", "rice", "--json")
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.stdout)
    assert [row["key"] for row in rows][:2] == ["ACME-6", "ACME-5"]
    assert rows[0]["change"] == "up 5"

    refused = run("suggest-order", "ACME", *AS_DEV, "--framework", "rice", "--apply")
    assert refused.exit_code == 2
    assert "product owner" in refused.stderr
    assert order(product)[0] == "ACME-1"

    applied = run("suggest-order", "ACME", *AS_PO, "-f", "rice", "--apply", "--item", "ACME-6")
    assert applied.exit_code == 0, applied.output
    assert "Moved 1 item(s): ACME-6" in applied.stderr
    assert order(product)[:2] == ["ACME-6", "ACME-1"]


def test_suggest_order_with_nothing_to_order(po: Persona, product: Product) -> None:
    result = run("suggest-order", "ACME", *AS_PO, "-f", "wsjf")
    assert result.exit_code == 0, result.output
    assert "No items to order" in result.stdout
    make_items(product, 1)
    assert "ACME-1" in run("suggest-order", "ACME", *AS_PO, "-f", "wsjf").stdout
