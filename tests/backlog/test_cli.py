"""``lodestar backlog list|add|move|show``: the same services and rules as the API."""

from __future__ import annotations

import json

import pytest

from lodestar.backlog.models import BacklogItem
from lodestar.people.models import Membership, Role
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, ordered_keys
from tests.cli.support import error_line, run
from tests.conftest import Persona

W = ("-w", "acme")


@pytest.fixture
def three(make_item: MakeItem, goal: ProductGoal) -> list[BacklogItem]:
    return [
        make_item("Export a dashboard as PDF", goal=goal, estimate=5),
        make_item("Legend overlaps the chart", kind="bug", labels=["charts"]),
        make_item("Share a dashboard link", goal=goal),
    ]


def test_list_as_table_and_json(three: list[BacklogItem]) -> None:
    table = run("backlog", "list", *W, "-p", "acme")
    assert table.exit_code == 0, table.output
    assert "ACME-1" in table.stdout
    assert "Flagged" in table.stdout
    result = run("backlog", "list", *W, "-p", "ACME", "--json", "--kind", "bug")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [row["key"] for row in data] == ["ACME-2"]
    assert data[0]["flagged"] is True
    flagged = json.loads(run("backlog", "list", *W, "-p", "ACME", "--json", "--flagged").stdout)
    assert [row["key"] for row in flagged] == ["ACME-2"]


def test_the_table_speaks_as_the_web_pages_and_keeps_one_line_per_item(
    make_item: MakeItem, goal: ProductGoal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lodestar.cli import output

    monkeypatch.setattr(output.console, "_width", 80)
    long_title = "Render every dashboard to a PDF with a headless browser on the worker " * 2
    make_item(long_title, goal=goal, status="in_progress", estimate=5)
    make_item("Wont do this", kind="spike", status="wont_do")
    result = run("backlog", "list", *W, "-p", "ACME")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if "ACME-" in line]
    assert len(rows) == 2, result.stdout  # one line each, however long the title
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    assert "In progress" in rows[0]
    assert "Render every dash" in rows[0]
    assert "…" in rows[0]
    assert all(word in rows[1] for word in ("Spike", "Won't do", "Flagged")), rows[1]
    assert "in_progress" not in result.stdout
    assert "wont_do" not in result.stdout
    # --json keeps the API's values for scripts.
    data = json.loads(run("backlog", "list", *W, "-p", "ACME", "--json").stdout)
    assert [row["status"] for row in data] == ["in_progress", "wont_do"]


def test_add_acts_as_the_only_owner_by_default(owner: Persona, product: Product) -> None:
    result = run(
        "backlog", "add", "Usage alerts", *W, "-p", "ACME", "--estimate", "3",
        "--label", "alerts", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["key"], data["estimate"], data["labels"]) == ("ACME-1", 3, ["alerts"])
    assert data["readiness"]["ready"] is False
    assert BacklogItem.objects.get().created_by == owner.user


def test_add_needs_as_when_there_are_several_owners(
    owner: Persona, admin: Persona, product: Product
) -> None:
    Membership.objects.filter(pk=admin.membership.pk).update(role=Role.OWNER)
    line = error_line(run("backlog", "add", "X", *W, "-p", "ACME"))
    assert "--as EMAIL" in line
    assert not BacklogItem.objects.exists()


def test_add_refuses_bad_input_in_one_line(owner: Persona, product: Product) -> None:
    line = error_line(run("backlog", "add", "X", *W, "-p", "ACME", "--estimate", "4"))
    assert "estimate" in line
    assert "Error: " in error_line(run("backlog", "add", "X", *W, "-p", "NOPE"))
    assert not BacklogItem.objects.exists()


def test_move_as_product_owner(po: Persona, three: list[BacklogItem], product: Product) -> None:
    result = run("backlog", "move", "acme-3", *W, "--as", po.email, "--before", "acme-1")
    assert result.exit_code == 0, result.output
    assert "Moved ACME-3 before ACME-1" in result.stdout
    assert ordered_keys(product) == ["ACME-3", "ACME-1", "ACME-2"]
    assert run("backlog", "move", "ACME-3", *W, "--as", po.email, "--bottom").exit_code == 0
    assert ordered_keys(product)[-1] == "ACME-3"


def test_developer_cannot_reorder(
    developer: Persona, three: list[BacklogItem], product: Product
) -> None:
    line = error_line(run("backlog", "move", "ACME-3", *W, "--as", developer.email, "--top"))
    assert "product owner" in line
    assert ordered_keys(product) == ["ACME-1", "ACME-2", "ACME-3"]


@pytest.mark.parametrize(
    "args", [(), ("--top", "--bottom"), ("--before", "ACME-1", "--after", "ACME-2")]
)
def test_move_needs_exactly_one_target(
    po: Persona, three: list[BacklogItem], args: tuple[str, ...]
) -> None:
    line = error_line(run("backlog", "move", "ACME-3", *W, "--as", po.email, *args))
    assert "exactly one" in line


def test_show(three: list[BacklogItem], owner: Persona) -> None:
    result = run("backlog", "show", "ACME-1", *W)
    assert result.exit_code == 0, result.output
    assert "Export a dashboard as PDF" in result.stdout
    text = " ".join(result.stdout.split())  # Rich wraps long lines
    assert "5 pts" in text
    assert "Definition of Ready" in text
    assert "not measurable yet: no velocity history" in text
    data = json.loads(run("backlog", "show", "ACME-1", *W, "--json").stdout)
    assert data["readiness"]["checks"][0]["code"] == "acceptance_criteria"
    assert "ACME-9" in error_line(run("backlog", "show", "ACME-9", *W))


def test_outsider_cannot_act(outsider: Persona, three: list[BacklogItem]) -> None:
    line = error_line(run("backlog", "list", *W, "-p", "ACME", "--as", outsider.email))
    assert "not a member" in line


HOSTILE = "Red \x1b[31mtitle\x01 [bold]not markup[/bold] \u202eevil \x9b2J"


def _no_controls(text: str) -> None:
    for char in ("\x1b", "\x01", "\u202e", "\x9b"):
        assert char not in text, repr(char)


def test_control_characters_in_user_data_are_shown_not_obeyed(
    make_item: MakeItem, goal: ProductGoal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lodestar.cli import output

    monkeypatch.setattr(output.console, "_width", 200)  # wide enough to show whole titles
    make_item(HOSTILE, goal=goal, description="Line one\x1b]0;title\x07\nline two")
    table = run("backlog", "list", *W, "-p", "ACME")
    assert table.exit_code == 0, table.output
    _no_controls(table.stdout)
    flat = "".join(table.stdout.split())
    assert "\\x1b[31m" in flat  # shown as its escape
    assert "[bold]not" in flat  # user text is never Rich markup
    shown = run("backlog", "show", "ACME-1", *W)
    assert shown.exit_code == 0, shown.output
    _no_controls(shown.stdout)
    assert "\x07" not in shown.stdout
    assert "\\x07" in shown.stdout
    data = run("backlog", "list", *W, "-p", "ACME", "--json")
    _no_controls(data.stdout)
    assert json.loads(data.stdout)[0]["title"] == " ".join(HOSTILE.split())
    error = error_line(run("backlog", "show", "ACME-\x1b[2J", *W))
    _no_controls(error)
    assert "\\x1b" in error


def test_bulk_changes_many_in_one_go(
    po: Persona, three: list[BacklogItem], product: Product
) -> None:
    result = run(
        "backlog", "bulk", "ACME-3", "acme-2", *W, "-p", "ACME", "--as", po.email,
        "--status", "in_progress", "--assignee", po.email, "--add-label", "urgent", "--top",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Changed 2 items: ACME-2, ACME-3." in result.stdout
    assert ordered_keys(product) == ["ACME-2", "ACME-3", "ACME-1"]
    changed = BacklogItem.objects.filter(key__in=["ACME-2", "ACME-3"])
    assert {(item.status, item.assignee_id) for item in changed} == {
        ("in_progress", po.membership.pk)
    }
    cleared = run("backlog", "bulk", "ACME-2", *W, "-p", "ACME", "--assignee", "none", "--json")
    assert json.loads(cleared.stdout)[0]["assignee"] is None


def test_bulk_refuses_the_whole_batch_in_one_line(
    developer: Persona, three: list[BacklogItem], product: Product
) -> None:
    versions = list(BacklogItem.objects.order_by("key").values_list("version", flat=True))
    bad = run("backlog", "bulk", "ACME-1", "ACME-2", *W, "-p", "ACME", "--estimate", "4")
    assert bad.exit_code == 2
    assert error_line(bad).startswith("Error: ACME-1 estimate: must be on the product's scale")
    unknown = run("backlog", "bulk", "ACME-1", "ACME-9", *W, "-p", "ACME", "--status", "done")
    assert unknown.exit_code == 2
    assert "ACME-9" in error_line(unknown)
    moved = run(
        "backlog", "bulk", "ACME-3", *W, "-p", "ACME", "--as", developer.email,
        "--status", "done", "--top",
    )  # fmt: skip
    assert moved.exit_code == 2
    assert "product owner" in error_line(moved)
    assert list(BacklogItem.objects.order_by("key").values_list("version", flat=True)) == versions
    assert ordered_keys(product) == ["ACME-1", "ACME-2", "ACME-3"]
