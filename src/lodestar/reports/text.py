"""The report's words and numbers as text, shared by its Markdown and its HTML: dates, money,
chances, a sprint's goal verdict, and Markdown's escaping of user text."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

DASH = "\N{EN DASH}"
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}

# Characters that start Markdown (or GitHub's) inline syntax anywhere in a line: emphasis,
# code, links and images, raw HTML, entities, strikethrough, and a table's cell separator.
_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# What starts a block when it opens a line (a heading, a quote, a list, a rule, a setext
# underline, an ordered list's number): escaped there only.
_LEADING = re.compile(r"^(\s*)([#>+=-])")
_ORDERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")
# C0 and C1 controls and the bidirectional overrides: never part of a report.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def day(value: dt.date | None) -> str:
    """``1 Oct 2026``, or an en dash for no date."""
    return f"{value:%-d %b %Y}" if value else DASH


def money(amount: Decimal | int | None, currency: str) -> str:
    """``$120,000`` (cents only when there are some); a currency without a symbol is named."""
    if amount is None:
        return DASH
    value = Decimal(amount)
    text = f"{value:,.2f}" if value != value.to_integral_value() else f"{value:,.0f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{currency} {text}"


def chance(value: float | None) -> str:
    return f"{round(100 * value)}%" if value is not None else DASH


def goal_met(value: bool | None) -> str:
    return {True: "Met", False: "Not met", None: "Not said"}[value]


def number(value: float | int | None) -> str:
    if value is None:
        return DASH
    return f"{value:g}" if isinstance(value, float) else str(value)


def figure(value: float | None, unit: str = "") -> str:
    """A metric's value: four significant digits, thousands separated, with its unit."""
    if value is None:
        return DASH
    shown = f"{value:,.4g}"
    return f"{shown} {unit}".strip() if unit and unit != "%" else f"{shown}{unit}"


def target(value: float, kind: str, level: float | None, unit: str = "") -> str:
    """``+5% of the baseline (0.0357)`` or ``1,200 ms``."""
    if kind == "relative":
        stated = f"{value:+g}% of the baseline"
        return f"{stated} ({figure(level, unit)})" if level is not None else stated
    return figure(value, unit)


def verdict(value: str) -> str:
    return value.capitalize()


def plain(text: str) -> str:
    """``text`` on one line: controls dropped, every run of white space (newlines too) one
    space."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def md(text: str) -> str:
    """User text as literal Markdown: on one line (a newline would end a table row), every
    character that could start emphasis, a link, raw HTML, an entity or a new cell escaped,
    and a leading character that would open a block escaped too. Rendered, it reads exactly
    as typed."""
    line = _INLINE.sub(r"\\\1", plain(text))
    if not line:
        return DASH
    line = _LEADING.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", line)
    return _ORDERED.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", line)
