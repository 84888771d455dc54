"""``lodestar search WORDS`` and ``lodestar search reindex``; ``lodestar migrate`` fills an
empty index."""

from __future__ import annotations

import json

import pytest

from lodestar.core.models import SearchEntry
from tests.backlog.conftest import MakeItem, make_item, product
from tests.cli.support import error_line, run
from tests.conftest import Persona
from tests.strategy.conftest import goal

__all__ = ["goal", "make_item", "product"]

pytestmark = pytest.mark.django_db

W = ("-w", "acme")


def test_search_prints_a_table_and_json(owner: Persona, make_item: MakeItem) -> None:
    item = make_item("Export invoices", description="Finance needs \x1b[31m invoices")
    table = run("search", "invoices", *W)
    assert table.exit_code == 0, table.output
    assert item.key in table.stdout
    assert "\x1b[31m" not in table.stdout  # user text never drives the terminal
    result = run("search", "invoice*", *W, "--json", "--kind", "item")
    assert result.exit_code == 0, result.output
    (hit,) = json.loads(result.stdout)
    assert hit["id"] == item.pk
    assert hit["kind"] == "item"
    assert "<mark>" in hit["snippet"]
    assert run("search", "find", "reindex", *W).exit_code == 0
    assert "Nothing matches" in run("search", "nothing-here", *W).stdout


def test_search_bad_input_is_one_line(owner: Persona) -> None:
    assert "names no kind" in error_line(run("search", "x", *W, "--kind", "widget"))
    assert "empty" in error_line(run("search", " ", *W))
    assert "newest or relevance" in error_line(run("search", "x", *W, "--sort", "oldest"))
    assert "nope" in error_line(run("search", "x", "-w", "nope"))


def test_reindex_rebuilds_with_progress(owner: Persona, make_item: MakeItem) -> None:
    make_item("Roadmap export")
    SearchEntry.objects.all().delete()
    result = run("search", "reindex", *W)
    assert result.exit_code == 0, result.output
    # The item and its product.
    assert "Indexed 2 objects." in result.stdout
    assert "item" in result.stdout
    assert SearchEntry.objects.count() == 2
    assert "nope" in error_line(run("search", "reindex", "-w", "nope"))


def test_migrate_fills_an_empty_index(owner: Persona, make_item: MakeItem) -> None:
    make_item("Roadmap export")
    SearchEntry.objects.all().delete()
    assert run("migrate").exit_code == 0
    assert SearchEntry.objects.filter(kind="item").count() == 1
