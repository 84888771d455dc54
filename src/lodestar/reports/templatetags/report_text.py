"""Template filters of the report's HTML (the page and the printable file): the same words and
numbers as its Markdown (``reports.text``)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from lodestar.reports import text

register = template.Library()


@register.filter(name="report_money")
def report_money(amount: Decimal | int | None, currency: str) -> str:
    return text.money(amount, currency)


@register.filter(name="report_chance")
def report_chance(value: float | None) -> str:
    # A missing forecast reaches the template as an empty string.
    return text.chance(value if isinstance(value, int | float) else None)


@register.filter(name="report_goal_met")
def report_goal_met(value: bool | None) -> str:
    return text.goal_met(value)


@register.filter(name="report_number")
def report_number(value: float | int | None) -> str:
    return text.number(value if isinstance(value, int | float) else None)


@register.filter(name="report_state")
def report_state(value: str) -> str:
    """``in_progress`` -> ``In progress``."""
    return value.replace("_", " ").capitalize()


@register.filter(name="report_figure")
def report_figure(value: float | None, unit: str = "") -> str:
    return text.figure(value if isinstance(value, int | float) else None, unit)


@register.simple_tag(name="report_target")
def report_target(value: float, kind: str, level: float | None, unit: str) -> str:
    return text.target(value, kind, level, unit)
