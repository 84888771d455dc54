"""The roadmap's cards as HTML, and the options of a lane's move form, written here rather
than in a template: a roadmap holds up to 2,000 cards, and the template engine took about
0.5 ms a card (half of the page's time at 553 cards); this takes a few microseconds. The
markup is what ``_lanes.html`` wrote before, every text escaped (the standard library's
``html.escape``, which Django's ``escape`` calls, without its check for lazy text)."""

from __future__ import annotations

from functools import cache
from html import escape

from django import template
from django.template import Context, Engine
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from lodestar.releases.roadmap_selectors import Card, Lane

register = template.Library()


@cache
def _money() -> template.Template:
    # The workspace's money format is discovery's filter, loaded as the pages load it.
    return Engine.get_default().from_string("{% load discovery_ui %}{{ arr|money:currency }}")


def _card(card: Card, currency: str) -> str:
    kind = escape(card.kind)
    if card.state:
        kind += f" · {escape(card.state)}"
    if card.date:
        kind += f" · target {date_format(card.date, 'j M Y')}"
    title = escape(card.title)
    if card.url:
        title = f'<a href="{escape(card.url)}">{title}</a>'
    parts = [
        f'<li class="rm-card" id="card-{card.id}" data-entry="{card.id}" '
        f'data-type="{escape(card.type)}">',
        f'<p class="rm-kind eyebrow">{kind}</p>',
        f'<p class="rm-title" id="title-{card.id}">{title}</p>',
    ]
    if card.description:
        short = Truncator(card.description).chars(240)
        parts.append(f'<p class="muted small rm-desc">{escape(short)}</p>')
    if card.customers is not None:
        evidence = f"{card.customers} customer{'s' if card.customers != 1 else ''}"
        if card.arr:
            money = _money().render(Context({"arr": card.arr, "currency": currency}))
            evidence += f", ARR {money}"
        parts.append(f'<p class="small rm-evidence">{evidence}</p>')
    parts.append("</li>")
    return "".join(parts)


@register.simple_tag
def roadmap_cards(lane: Lane, currency: str = "USD") -> SafeString:
    """The cards of ``lane``, or the note of an empty one."""
    if not lane.cards:
        return mark_safe('<li class="muted rm-empty">Nothing here yet.</li>')
    html = "\n".join(_card(card, currency) for card in lane.cards)
    return mark_safe(html)  # noqa: S308 - every text above is escaped


@register.simple_tag
def roadmap_options(lane: Lane) -> SafeString:
    """The cards of ``lane`` as the options of its move form's select, in order."""
    html = "".join(
        f'<option value="{card.id}">{index}. {escape(card.title)}</option>'
        for index, card in enumerate(lane.cards, start=1)
    )
    return mark_safe(html)  # noqa: S308 - every title is escaped
