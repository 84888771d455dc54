"""Jira's locale date formats and its wiki markup / rendered HTML as Markdown."""

from __future__ import annotations

import datetime as dt

import pytest

from lodestar.interop.imports.readers.jira_dates import compile_format, detect_format, month_number
from lodestar.interop.imports.readers.jira_markup import html_to_markdown, wiki_to_markdown


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("dd/MMM/yy h:mm a", "12/Mar/26 3:04 PM", dt.datetime(2026, 3, 12, 15, 4)),  # noqa: DTZ001
        ("dd/MMM/yy h:mm a", "12/Mar/26 12:30 AM", dt.datetime(2026, 3, 12, 0, 30)),  # noqa: DTZ001
        ("dd/MMM/yy h:mm a", "01/Dez/26 12:05 PM", dt.datetime(2026, 12, 1, 12, 5)),  # noqa: DTZ001
        ("d/MMM/yy H:mm", "5/févr./26 9:00", dt.datetime(2026, 2, 5, 9, 0)),  # noqa: DTZ001
        ("d/MMM/yy H:mm", "5/ene/26 9:00", dt.datetime(2026, 1, 5, 9, 0)),  # noqa: DTZ001
        ("d. MMMM yyyy HH:mm", "3. März 2026 17:45", dt.datetime(2026, 3, 3, 17, 45)),  # noqa: DTZ001
        ("d.M.yyyy HH:mm", "31.12.2025 23:59", dt.datetime(2025, 12, 31, 23, 59)),  # noqa: DTZ001
        ("M/d/yy h:mm a", "3/14/26 9:05 AM", dt.datetime(2026, 3, 14, 9, 5)),  # noqa: DTZ001
        ("yyyy-MM-dd'T'HH:mm:ss", "2026-03-12T15:04:05", dt.datetime(2026, 3, 12, 15, 4, 5)),  # noqa: DTZ001
        (
            "yyyy-MM-dd HH:mm:ss.SSSZ",
            "2026-03-12 15:04:05.250+0100",
            dt.datetime(2026, 3, 12, 15, 4, 5, 250000, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        ),
        ("EEE, d MMM yyyy HH:mm", "Thu, 12 Mar 2026 15:04", dt.datetime(2026, 3, 12, 15, 4)),  # noqa: DTZ001
    ],
)
def test_patterns_read_their_dates(pattern: str, value: str, expected: dt.datetime) -> None:
    assert compile_format(pattern).parse(value) == expected


@pytest.mark.parametrize(
    ("pattern", "value", "message"),
    [
        ("dd/MMM/yy h:mm a", "31/Feb/26 3:04 PM", "does not exist"),
        ("dd/MMM/yy h:mm a", "12/Foo/26 3:04 PM", "is not a month name"),
        ("dd/MMM/yy h:mm a", "12/Mar/26 13:04 PM", "12-hour clock"),
        ("d.M.yyyy H:mm", "12/03/2026 15:04", "is not a date in the format d.M.yyyy H:mm"),
    ],
)
def test_a_value_that_does_not_fit_says_why(pattern: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compile_format(pattern).parse(value)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("dd/MMM/yy Q", "'Q'"),
        ("HH:mm", "needs a day"),
        ("d/M/yy h:mm", "without AM/PM"),
        ("d/M/yy d", "twice"),
    ],
)
def test_a_pattern_it_cannot_use_is_refused(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compile_format(pattern)


def test_month_names_in_four_languages_and_their_short_forms() -> None:
    assert [month_number(name) for name in ("Mar", "März", "Mrz", "mars", "marzo")] == [3] * 5
    assert [month_number(name) for name in ("juin", "juil.", "Juni", "Juli")] == [6, 7, 6, 7]
    assert [month_number(name) for name in ("Okt", "déc.", "dic", "Sept")] == [10, 12, 12, 9]
    assert month_number("ju") is None
    assert month_number("Foo") is None


def test_detection_uses_a_day_past_twelve_anywhere_in_the_file() -> None:
    values = [f"{month}/{day}/26 10:00 AM" for month, day in [(1, 2), (3, 4)] * 3000]
    values.append("5/13/26 10:00 AM")  # past the first 2,000 distinct values
    detected = detect_format(values)
    assert detected.format is not None
    assert detected.format.pattern == "M/d/yy h:mm a"
    assert detected.note == "dates read as M/d/yy h:mm a"
    day_first = detect_format(["13/5/26 10:00", "1/2/26 11:00"])
    assert day_first.format is not None
    assert day_first.format.pattern == "d/M/yy H:mm"
    assert day_first.note == "dates read as d/M/yy H:mm"


def test_detection_with_no_fitting_format_says_so() -> None:
    detected = detect_format(["next Tuesday"])
    assert detected.format is None
    assert "no date format fits dates such as 'next Tuesday'" in detected.note


def test_iso_dates_are_detected() -> None:
    detected = detect_format(["2026-03-12T15:04:05+01:00", "2026-03-13T09:00:00Z"])
    assert detected.format is not None
    assert detected.format.pattern == "ISO"


def test_wiki_markup_as_markdown() -> None:
    wiki = "\n".join(
        [
            "h1. Title",
            "Some *bold*, _italic_, -gone- and {{code_here}}; 2-3-4 stays.",
            "See [the docs|https://example.com/a_b*c] or [https://example.com/x].",
            "* one",
            "** nested",
            "# first",
            "bq. quoted",
            "{quote}",
            "long *quote*",
            "{quote}",
            "{code:java}",
            "int a = b * c; // *not bold*",
            "{code}",
            "{noformat}",
            "_raw_",
            "{noformat}",
            "||h1||h2||",
            "|a|b|",
            "[~accountid:557058:abc] attached !flow.png|thumbnail!",
            "{color:red}red{color} ----",
        ]
    )
    assert wiki_to_markdown(wiki) == "\n".join(
        [
            "# Title",
            "Some **bold**, *italic*, ~~gone~~ and `code_here`; 2-3-4 stays.",
            "See [the docs](https://example.com/a_b*c) or <https://example.com/x>.",
            "- one",
            "   - nested",
            "1. first",
            "> quoted",
            "> long **quote**",
            "```java",
            "int a = b * c; // *not bold*",
            "```",
            "```",
            "_raw_",
            "```",
            "| h1 | h2 |",
            "| --- | --- |",
            "| a | b |",
            "@557058:abc attached (image: flow.png)",
            "red ----",
        ]
    )


def test_an_unclosed_code_block_is_closed() -> None:
    assert wiki_to_markdown("{code}\nx = 1") == "```\nx = 1\n```"


def test_jira_html_as_markdown() -> None:
    html = (
        '<h3><a name="Plan"></a>Plan</h3><p>Do <b>this</b> and <em>that</em>,<br/>'
        'then <a href="https://example.com">go</a>.</p>'
        "<ol><li>first</li><li>second</li></ol>"
        '<div class="preformatted panel"><pre>raw *text*</pre></div>'
        "<blockquote><p>said</p></blockquote>"
        "<table><tr><th>a</th></tr><tr><td>1</td></tr></table>"
    )
    assert html_to_markdown(html) == "\n".join(
        [
            "### Plan",
            "",
            "Do **this** and *that*,",
            "then [go](https://example.com).",
            "",
            "1. first",
            "1. second",
            "",
            "```",
            "raw *text*",
            "```",
            "",
            "> said",
            "",
            "| a |",
            "| --- |",
            "| 1 |",
        ]
    )
