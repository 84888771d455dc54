"""Template filters shared by every page: ``{% load lodestar %}``."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.safestring import SafeString, mark_safe

from lodestar.core.csvexport import csv_url
from lodestar.core.extensions import page_sections
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


@register.simple_tag(takes_context=True)
def sections_for(context: template.Context, kind: str, obj: object) -> SafeString:
    """What later contexts add to the page of ``kind`` (``core.extensions.PAGE_SECTIONS``):
    ``{% sections_for "feedback" feedback %}``. Each section's HTML is escaped by its own
    template."""
    request = context.get("request")
    if request is None:
        return SafeString("")
    return mark_safe("".join(page_sections(request, kind, obj)))  # noqa: S308 (rendered templates)


@register.simple_tag(takes_context=True)
def export_csv_url(context: template.Context, path: str = "") -> str:
    """The address of the current list's CSV file (``partials/export_csv.html``): the page's
    path (or ``path``) with its filters and sort, every page of it."""
    request = context.get("request")
    if request is None:
        return ""
    return csv_url(path or request.path, request.GET)
