"""Live enough: pages poll a cheap *stamp* of what they show and refresh when it changes.

A stamp is a few values read in one query (an item's version, the newest ``updated_at`` and
the row count of a backlog, ...). ``poll_answer`` turns it into an ``ETag``: a poll whose
``If-None-Match`` still matches answers ``304 Not Modified`` with no body; otherwise a small
JSON document says who changed what the page shows and when (read from the history, only then),
and the page fetches its fresh part. Polling suits the server: gunicorn's sync workers would
each be held by an open event stream.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from lodestar.core.models import HistoryEntry


@dataclass(frozen=True)
class LastChange:
    """Who made the latest change to something a page shows, and when."""

    who: str
    at: dt.datetime
    actor_id: int | None = None

    @property
    def when(self) -> str:
        """The time as every page and the API write it: ``2026-12-01 10:42 UTC``."""
        return when(self.at)

    def as_dict(self) -> dict[str, str]:
        return {"changed_by": self.who, "changed_at": _iso(self.at)}


def when(at: dt.datetime) -> str:
    """A moment in words for a sentence (pages have no time zone of their own: UTC)."""
    return timezone.localtime(at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _iso(at: dt.datetime) -> str:
    return timezone.localtime(at, dt.UTC).isoformat().replace("+00:00", "Z")


def _who(entry: HistoryEntry) -> str:
    return str(entry.actor) if entry.actor is not None else "someone"


def latest(entries: models.QuerySet[HistoryEntry]) -> LastChange | None:
    """The newest of ``entries`` as a ``LastChange`` (one query)."""
    entry = entries.select_related("actor").order_by("-created_at", "-id").first()
    if entry is None:
        return None
    return LastChange(_who(entry), entry.created_at, entry.actor_id)


def newest(changes: Iterable[LastChange | None]) -> LastChange | None:
    """The most recent of several sources' last changes."""
    known = [change for change in changes if change is not None]
    return max(known, key=lambda change: change.at) if known else None


def object_history(obj: models.Model) -> models.QuerySet[HistoryEntry]:
    """The history entries of one object (in its workspace when it has one, for the index)."""
    entries = HistoryEntry.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk)
    workspace_id = getattr(obj, "workspace_id", None)
    return entries.filter(workspace_id=workspace_id) if workspace_id is not None else entries


def object_last_change(obj: models.Model) -> LastChange | None:
    """Who changed ``obj`` last, and when, from its history (one query)."""
    return latest(object_history(obj))


def poll_attributes(url: str, tag: str, what: str) -> dict[str, str]:
    """What a polled element carries (``data-live-*``, read by ``static/lodestar/live.js``):
    the poll's URL, the tag of what the element shows, what it shows in words ("this item"),
    and how often to ask, in milliseconds."""
    return {
        "url": url,
        "etag": tag,
        "what": what,
        "interval": str(round(settings.LIVE_POLL_SECONDS * 1000)),
    }


def etag(*values: Any) -> str:
    """A strong entity tag for a stamp: the same values always give the same tag."""
    digest = hashlib.blake2b(repr(values).encode(), digest_size=12).hexdigest()
    return f'"live-{digest}"'


def _matches(request: HttpRequest, tag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    return any(part.strip().removeprefix("W/") == tag for part in sent.split(",")) or sent == "*"


def poll_answer(
    request: HttpRequest,
    tag: str,
    last: Callable[[], LastChange | None],
    *,
    gone: bool = False,
) -> HttpResponse:
    """``304`` when the poller already has ``tag``; else ``200`` with the tag and the last change
    (``last`` is called only then): who (``mine`` when it was the poller), when (ISO 8601 and in
    words), and ``gone`` when what the page shows went to the trash. Never stored by a cache:
    every poll asks the server."""
    response: HttpResponse
    if _matches(request, tag):
        response = HttpResponse(status=304)
    else:
        change = last()
        body: dict[str, Any] = {
            "etag": tag,
            "changed_by": None,
            "changed_at": None,
            "when": None,
            "mine": False,
            "gone": gone,
        }
        if change is not None:
            body.update(
                change.as_dict(),
                when=change.when,
                mine=change.actor_id is not None and change.actor_id == request.user.pk,
            )
        response = JsonResponse(body)
    response["ETag"] = tag
    patch_cache_control(response, private=True, no_cache=True)
    return response
