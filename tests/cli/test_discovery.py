"""``lodestar customers|feedback|problems|insights ...``: the happy paths, the imports with their
reports, and bad input as one line with exit code 2 (an import's bad rows listed above it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lodestar.backlog import services as backlog
from lodestar.discovery import services
from lodestar.discovery.models import Customer, Feedback, Insight, Problem
from lodestar.strategy import services as strategy
from tests.cli.support import error_line, run
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

FEEDBACK = (
    "Comment;Company;Email;Date\n"
    '"Exports take forever;\nreally";Globex;ana@globex.test;30/11/2025\n'
    "The dashboard freezes;Initech;;01/10/2025\n"
)


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "feedback.csv"
    path.write_bytes(b"\xef\xbb\xbf" + FEEDBACK.encode())
    return path


def test_feedback_import_dry_run_then_import_then_again(
    owner: Persona, pm: Persona, csv_file: Path
) -> None:
    dry = run("feedback", "import", str(csv_file), "-w", "acme", "--as", pm.email, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would create 2 pieces of feedback, 2 new customers, 1 new contacts" in dry.stdout
    assert "text ← “Comment”" in dry.stdout
    assert not Feedback.objects.exists()

    done = run("feedback", "import", str(csv_file), "-w", "acme", "--as", pm.email)
    assert done.exit_code == 0, done.output
    assert "Created 2 pieces of feedback" in done.stdout
    assert Feedback.objects.get(text__startswith="Exports").text == "Exports take forever;\nreally"

    again = run("feedback", "import", str(csv_file), "-w", "acme", "--as", pm.email, "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert (report["created"], report["skipped"], report["ok"]) == (0, 2, True)
    assert Feedback.objects.count() == 2


def test_a_large_file_is_imported_with_progress(owner: Persona, tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    rows = "".join(f"Feedback number {n} about slow exports,Globex\n" for n in range(30_000))
    path.write_text("text,customer\n" + rows)
    assert path.stat().st_size > 1024 * 1024  # past the progress bar's threshold
    result = run("feedback", "import", str(path), "-w", "acme")
    assert result.exit_code == 0, result.output
    assert "Created 30,000 pieces of feedback, 1 new customers" in result.stdout
    assert Feedback.objects.count() == 30_000


def test_bad_rows_are_listed_with_line_and_column_and_nothing_is_imported(
    owner: Persona, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,date\nFine,2026-01-01\n,2026-01-01\nAlso fine,someday\n")
    result = run("feedback", "import", str(path), "-w", "acme")
    assert result.exit_code == 2
    assert "Rows that cannot be imported" in result.stderr
    assert "someday" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last == "Error: 2 problems in the file; nothing was imported."
    assert not Feedback.objects.exists()

    as_json = run("feedback", "import", str(path), "-w", "acme", "--json")
    assert as_json.exit_code == 2
    report = json.loads(as_json.stdout)
    assert [(e["line"], e["column"]) for e in report["errors"]] == [(3, "text"), (4, "date")]


def test_no_create_customers_and_a_mapping(owner: Persona, tmp_path: Path) -> None:
    services.customer_create(actor=owner.actor, name="Globex")
    path = tmp_path / "notes.csv"
    path.write_text("Verbatim,Account\nSlow exports,Globex\nNo search,Umbrella\n")
    result = run(
        "feedback", "import", str(path), "-w", "acme", "--map", "text=Verbatim",
        "--no-create-customers", "--json",
    )  # fmt: skip
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["errors"]
    assert errors == [
        {
            "line": 3,
            "column": "Account",
            "message": "no customer “Umbrella” in this workspace; add it first, or let the import "
            "add customers",
        }
    ]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "File: is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "holds binary data"),
        (b"Company\nGlobex\n", "has no column for “text”"),
    ],
)
def test_a_file_refused_as_a_whole_is_one_line(
    owner: Persona, tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    assert says in error_line(run("feedback", "import", str(path), "-w", "acme"))


def test_a_missing_file_and_a_bad_mapping_are_one_line(owner: Persona, csv_file: Path) -> None:
    line = error_line(run("feedback", "import", "/nonexistent/x.csv", "-w", "acme"))
    assert "cannot read /nonexistent/x.csv" in line
    line = error_line(run("feedback", "import", str(csv_file), "-w", "acme", "--map", "text"))
    assert "“text” is not a mapping; write FIELD=COLUMN" in line
    line = error_line(
        run("feedback", "import", str(csv_file), "-w", "acme", "--date-format", "yyyy")
    )
    assert "give dd/mm/yyyy or mm/dd/yyyy" in line


def test_a_viewer_cannot_import(owner: Persona, viewer: Persona, csv_file: Path) -> None:
    line = error_line(run("feedback", "import", str(csv_file), "-w", "acme", "--as", viewer.email))
    assert "Viewers can read but not change anything" in line


def test_customers_import_and_list(owner: Persona, tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text('Name,Segment,ARR,CRM id\nGlobex,Enterprise,"120,000",crm-1\nInitech,SMB,,\n')
    result = run("customers", "import", str(path), "-w", "acme")
    assert result.exit_code == 0, result.output
    assert "Created 2 customers" in result.stdout
    listed = run("customers", "list", "-w", "acme", "--json")
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["arr"], r["external_id"]) for r in rows] == [
        ("Globex", "120000.00", "crm-1"),
        ("Initech", None, ""),
    ]
    table = run("customers", "list", "-w", "acme")
    assert "Globex" in table.stdout
    assert "Enterprise" in table.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,ARR\nHooli,lots\n")
    result = run("customers", "import", str(bad), "-w", "acme", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["errors"][0]["column"] == "ARR"


def test_customers_add_show_and_merge(owner: Persona) -> None:
    added = run("customers", "add", "Globex", "-w", "acme", "--arr", "1000", "--segment", "SMB")
    assert added.exit_code == 0, added.output
    assert "Added Globex" in added.stdout
    run("customers", "add", "Globex Corp", "-w", "acme")
    run("feedback", "add", "Slow exports", "-w", "acme", "--customer", "Globex Corp")
    shown = run("customers", "show", "globex corp", "-w", "acme", "--json")
    assert json.loads(shown.stdout)["feedback"][0]["text"] == "Slow exports"
    merged = run("customers", "merge", "Globex Corp", "--into", "Globex", "-w", "acme")
    assert merged.exit_code == 0, merged.output
    assert Feedback.objects.get().customer == Customer.objects.get(name="Globex")
    line = error_line(run("customers", "add", "globex", "-w", "acme"))
    assert "globex is already a customer in this workspace" in line
    line = error_line(run("customers", "show", "Nobody", "-w", "acme"))
    assert "no customer 'Nobody' in this workspace" in line


def test_feedback_add_list_and_show(owner: Persona) -> None:
    added = run(
        "feedback", "add", "<b>Exports</b> take forever", "-w", "acme", "--tag", "Export",
        "--source", "support", "--date", "2026-01-15",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = json.loads(run("feedback", "list", "-w", "acme", "--json").stdout)
    assert [(r["text"], r["tags"], r["source"]) for r in listed] == [
        ("<b>Exports</b> take forever", ["export"], "support")
    ]
    table = run("feedback", "list", "-w", "acme")
    assert "<b>Exp" in table.stdout  # user text is never Rich markup (the cell may be cut)
    shown = run("feedback", "show", str(listed[0]["id"]), "-w", "acme")
    assert "support" in shown.stdout
    assert "<b>Exports</b> take forever" in shown.stdout
    line = error_line(run("feedback", "add", "x", "-w", "acme", "--date", "soon"))
    assert "“soon” is not a date" in line
    line = error_line(run("feedback", "show", "999999", "-w", "acme"))
    assert "No feedback 999999 in this workspace." in line


def test_problems_and_insights(owner: Persona) -> None:
    product = strategy.product_create(actor=owner.actor, key="ACME", name="Acme")
    item = backlog.item_create(actor=owner.actor, product=product, title="Faster export")
    globex = services.customer_create(actor=owner.actor, name="Globex", arr=5000)
    feedback = services.feedback_create(
        actor=owner.actor, text="Exports take forever", customer=globex
    )
    added = run("problems", "add", "Exports are slow", "-w", "acme", "--json")
    assert added.exit_code == 0, added.output
    problem_id = json.loads(added.stdout)["id"]
    quote = run(
        "insights", "add", str(feedback.pk), "-w", "acme", "--start", "8", "--end", "20",
        "--problem", str(problem_id),
    )  # fmt: skip
    assert quote.exit_code == 0, quote.output
    assert Insight.objects.get().quote == "take forever"
    linked = run("problems", "link", str(problem_id), item.key, "-w", "acme")
    assert linked.exit_code == 0, linked.output
    assert f"Linked to problem {problem_id}: {item.key}." in linked.stdout
    listed = json.loads(run("problems", "list", "-w", "acme", "--json").stdout)
    assert listed[0]["evidence"]["customers"] == 1
    assert listed[0]["evidence"]["arr"] == "5000.00"
    shown = run("problems", "show", str(problem_id), "-w", "acme")
    assert "1 customers" in shown.stdout
    assert "“take forever” (Globex)" in shown.stdout
    assert item.key in shown.stdout
    line = error_line(
        run("insights", "add", str(feedback.pk), "-w", "acme", "--start", "3", "--end", "1")
    )
    assert "the span must lie within the feedback's text" in line
    line = error_line(run("problems", "show", "0", "-w", "acme"))
    assert "No problem 0 in this workspace." in line
    assert Problem.objects.count() == 1
