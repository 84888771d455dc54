"""Template filters shared by every page: ``{% load lodestar %}``."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.safestring import SafeString, mark_safe

from lodestar.core.markdown import render_markdown
from lodestar.core.points import format_points

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """``{{ item.description|markdown }}``: Markdown rendered to sanitized HTML."""
    # render_markdown sanitizes with an allow-list, so its output is safe to mark as such.
    return mark_safe(render_markdown(str(text or "")))  # noqa: S308


@register.filter(name="points")
def points_filter(value: Decimal | float | str | None) -> str:
    """``{{ item.estimate|points }}``: ``5``, ``0.5``, ``?``; nothing when not estimated."""
    return "" if value is None or value == "" else format_points(value)
