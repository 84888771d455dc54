"""The release an item is in, as a section of the item's panel and page (the backlog's
``ITEM_SECTIONS``), in one query; left out for an item in no release."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from lodestar.backlog.models import BacklogItem
from lodestar.releases.models import ReleaseItem


def item_release_section(request: HttpRequest, item: BacklogItem, in_panel: bool) -> str:
    entry = (
        ReleaseItem.objects.filter(item=item, item__deleted_at__isnull=True)
        .select_related("release__product", "release__workspace")
        .order_by("dropped_at", "-added_at")
        .first()
    )
    if entry is None:
        return ""
    return render_to_string(
        "releases/_item_section.html",
        {"entry": entry, "release": entry.release, "item": item, "in_panel": in_panel},
        request=request,
    )
