"""The timeline chart: rows of dated things with their target diamonds and forecast bands,
well-formed SVG with every label escaped, all rows in the table, an empty chart in words."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from lodestar.core import charts

SVG = "{http://www.w3.org/2000/svg}"
TODAY = dt.date(2026, 3, 2)
EVIL = '<script>alert("x")</script> & <b>bold</b>'


def test_rows_draw_bands_targets_and_a_table() -> None:
    rows = [
        charts.TimelineRow(
            label="2026.1",
            target=TODAY + dt.timedelta(days=20),
            low=TODAY + dt.timedelta(days=14),
            mid=TODAY + dt.timedelta(days=21),
            high=TODAY + dt.timedelta(days=35),
        ),
        charts.TimelineRow(label=EVIL, done=TODAY - dt.timedelta(days=10)),
        charts.TimelineRow(label="undated"),
    ]
    chart = charts.timeline(rows, today=TODAY, id="tl")
    assert chart.svg is not None
    tree = ET.fromstring(str(chart.svg))  # noqa: S314 (the module's own output)
    bands = [r for r in tree.iter(f"{SVG}rect") if "chart-band" in r.get("class", "")]
    assert len(bands) == 1
    assert "forecast 16 Mar 2026 to 6 Apr 2026" in "".join(bands[0].itertext())
    assert "<script>" not in str(chart.svg)
    assert chart.table is not None
    # The undated row is neither drawn nor listed; the others are, in order.
    assert [row[0] for row in chart.table.rows] == ["2026.1", EVIL]
    assert chart.table.rows[0][1:4] == ("22 Mar 2026", "16 Mar 2026", "6 Apr 2026")
    assert chart.summary == "2 releases from 20 Feb 2026 to 6 Apr 2026."


def test_many_rows_are_all_in_the_table_and_nothing_is_an_empty_chart() -> None:
    rows = [
        charts.TimelineRow(label=f"R{n}", target=TODAY + dt.timedelta(days=n)) for n in range(20)
    ]
    chart = charts.timeline(rows, today=TODAY)
    assert chart.table is not None
    assert len(chart.table.rows) == 20
    assert "(8 more in the table)" in chart.summary
    empty = charts.timeline([charts.TimelineRow(label="x")], today=TODAY)
    assert empty.svg is None
    assert empty.summary == "Nothing dated yet to draw."
