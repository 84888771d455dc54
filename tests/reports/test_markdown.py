"""The report as Markdown: GitHub-flavoured tables whose cells stay cells, whatever the titles
hold (pipes, new lines, HTML, link and emphasis syntax), checked by rendering the file."""

from __future__ import annotations

import re
from html import unescape

import pytest
from markdown_it import MarkdownIt

from lodestar.reports.markdown import report_markdown
from lodestar.reports.selectors import stakeholder_report
from lodestar.reports.text import md
from tests.conftest import Persona
from tests.reports.conftest import HOSTILE, SINCE, TODAY, UNTIL, World

pytestmark = pytest.mark.django_db

RENDER = MarkdownIt("gfm-like", {"html": True})


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("a | b", r"a \| b"),
        ("one\ntwo\r\nthree", "one two three"),
        ("<b>x</b>", r"\<b\>x\</b\>"),
        ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
        ("# Heading", r"\# Heading"),
        ("1. First", r"1\. First"),
        ("2026.1 release", "2026.1 release"),
        ("- item", r"\- item"),
        ("*a* _b_ `c` ~d~ &amp;", r"\*a\* \_b\_ \`c\` \~d\~ \&amp;"),
        ("back\\slash", r"back\\slash"),
        ("bell\x07 and \x1b[31mred", r"bell and \[31mred"),
        ("", "\N{EN DASH}"),
    ],
)
def test_user_text_is_escaped(typed: str, written: str) -> None:
    assert md(typed) == written


@pytest.mark.parametrize(
    "typed", ["a | b", "<script>x</script>", "[l](u) **b** `c`", "# h", "1. x", "- y", "a\\|b"]
)
def test_escaped_text_renders_as_typed(typed: str) -> None:
    html = RENDER.render(md(typed))
    assert unescape(html.removeprefix("<p>").removesuffix("</p>\n")) == typed


def test_hostile_titles_stay_in_their_cells(owner: Persona, world: World) -> None:
    report = stakeholder_report(owner.actor, world.product, SINCE, UNTIL, today=TODAY)
    text = report_markdown(report)
    assert "<script>" not in text
    html = RENDER.render(text)
    assert "<script>" not in html
    assert ">link</a>" not in html
    assert "<strong>" not in html
    # GitHub turns a bare URL into a link: harmless, and not what is checked here.
    html = re.sub(r"<a [^>]*>|</a>", "", html)
    flat = " ".join(HOSTILE.split())
    # The goal's table: five columns in every row, the title whole in the first.
    goals = html.split("<h2>Product Goal progress</h2>")[1].split("</table>")[0]
    for row in goals.split("<tr>")[1:]:
        assert row.count("<td") + row.count("<th") == 5
    assert f"<td>{flat}</td>" in unescape(goals)
    # Sprint, decision and problem titles alike, each whole in its cell.
    assert "<td>Sprint | 1</td>" in unescape(html)
    assert unescape(html).count(flat) >= 3


def test_outcomes_in_markdown_escape_their_text_and_state_why() -> None:
    import datetime as dt

    from lodestar.reports.selectors import OutcomeLine, Report

    line = OutcomeLine(
        id=1,
        metric="Load | time",
        metric_key="load",
        unit="ms",
        subject="2026.1 <b>Fast</b>",
        verdict="inconclusive",
        target=-10.0,
        target_kind="relative",
        target_level=900.0,
        baseline_value=1000.0,
        observed_value=950.5,
        observed_until=dt.date(2026, 10, 20),
        reason="Too few days with samples: 3 of 7.",
        learnings="Line one\nline | two",
    )
    report = Report(
        workspace="acme",
        currency="USD",
        product_key="ACME",
        product_name="Acme",
        since=dt.date(2026, 10, 1),
        until=dt.date(2026, 12, 31),
        generated_at=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
        outcomes=[line],
    )
    text = report_markdown(report)
    assert "1 outcome review: 0 met, 0 missed, 1 inconclusive, 0 pending." in text
    row = next(r for r in text.splitlines() if r.startswith("| 2026.1"))
    assert row == (
        r"| 2026.1 \<b\>Fast\</b\> | Load \| time | -10% of the baseline (900 ms) | 1,000 ms "
        r"| 950.5 ms | Inconclusive: Too few days with samples: 3 of 7. | 20 Oct 2026 "
        r"| Line one line \| two |"
    )
    html = RENDER.render(text)
    assert "<b>" not in html
