"""The trace on pages: ``/w/<ws>/trace/<type>/<ref>`` shows the chain through one object
(its own page, linkable and printable; to htmx, the section alone), and every object page on
the loop carries a section that loads it when it comes into view (``trace_section``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from lodestar.core.registry import registry
from lodestar.coverage.access import access_trace_origin
from lodestar.coverage.trace import SHOWN, trace_of
from lodestar.people.web import WorkspaceRequest, is_htmx, workspace_view

# Objects listed a stage in the section on an object's page (the trace's page lists more).
COMPACT_SHOWN = 3


@require_GET
@workspace_view
def trace_page(request: WorkspaceRequest, kind: str, ref: str) -> HttpResponse:
    """The trace through one object: its own page, or (to htmx) the section alone; ``compact``
    lists a few objects a stage, for the section on an object's page."""
    obj = access_trace_origin(request.actor, kind, ref)
    compact = is_htmx(request) and request.GET.get("compact") == "1"
    trace = trace_of(request.actor, kind, obj, shown=COMPACT_SHOWN if compact else SHOWN)
    template = "coverage/_trace.html" if is_htmx(request) else "coverage/trace.html"
    return render(
        request,
        template,
        {
            "trace": trace,
            "standalone": not is_htmx(request),
            "compact": compact,
            "inline": compact and request.GET.get("inline") == "1",
            "level": 3 if request.GET.get("level") == "3" else 2,
            "page_url": request.path,
        },
    )


def trace_section(kind: str) -> Any:
    """A section for the page of ``kind``: a card that asks for the trace when it is shown
    (the page itself pays nothing for it), with a link to the trace's own page."""

    def render_section(request: HttpRequest, obj: Any, in_panel: bool = False) -> str:
        object_type = registry().object_type(kind)
        if object_type is None:
            return ""
        actor = request.actor  # type: ignore[attr-defined]
        url = reverse(
            "coverage:trace",
            kwargs={
                "workspace_slug": actor.workspace.slug,
                "kind": kind,
                "ref": object_type.ref_of(obj),
            },
        )
        # An item's page and panel are a column of plain sections, not cards.
        inline = kind == "item"
        level = 3 if in_panel else 2
        query = f"?compact=1&inline=1&level={level}" if inline else "?compact=1"
        return render_to_string(
            "coverage/_trace_slot.html",
            {
                "url": url,
                "load_url": url + query,
                "inline": inline,
                "level": level,
                "label": object_type.label,
            },
            request=request,
        )

    return render_section
