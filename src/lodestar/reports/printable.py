"""The report as one self-contained HTML file: the same sections and SVG charts as the page,
its stylesheet inline (the charts' rules and colours taken from the app's own stylesheet, so
they read the same, plus a print stylesheet), no script and nothing loaded from anywhere.

Its Content-Security-Policy allows that one inline stylesheet by its hash and nothing else,
so the file is as inert in a browser as the pages are."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from lodestar.reports.charts import report_charts
from lodestar.reports.selectors import Report

_PRINT_CSS = Path(__file__).resolve().parent / "templates" / "reports" / "printable.css"
_SECTION = re.compile(r"/\* -{10} Charts .*?(?=/\* -{10} |\Z)", re.S)
_ROOT = re.compile(r":root\s*\{.*?\n\}", re.S)


@cache
def stylesheet() -> str:
    """The file's stylesheet: the app's colours (its light ``:root`` variables), its charts'
    section, and the report's own print rules."""
    found = finders.find("lodestar/app.css")
    app = Path(str(found)).read_text(encoding="utf-8") if found else ""
    root = _ROOT.search(app)
    charts = _SECTION.search(app)
    parts = [
        root.group(0) if root else "",
        charts.group(0) if charts else "",
        _PRINT_CSS.read_text(encoding="utf-8"),
    ]
    return "\n".join(part.strip() for part in parts if part) + "\n"


def style_hash(css: str) -> str:
    digest = hashlib.sha256(css.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def content_security_policy() -> str:
    """Nothing but the inline stylesheet (by hash) and ``data:`` images."""
    return (
        f"default-src 'none'; style-src {style_hash(stylesheet())}; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def report_html(report: Report, *, today: dt.date) -> str:
    """The whole file."""
    return render_to_string(
        "reports/printable.html",
        {
            "report": report,
            "charts": report_charts(report, today=today),
            "period": report.period,
            "css": stylesheet(),
        },
    )
