"""Which events a webhook may subscribe to, and what a delivery of one says.

Kinds come from the domain events (``core.events``): ``<object type>.<action>``, where the
object type is a name a context declared in the registry. A webhook subscribes to kinds
(``item.created``), to every action on a type (``item.*``), or to everything (``*``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from lodestar.core.errors import Invalid
from lodestar.core.events import Event
from lodestar.core.mail import site_url
from lodestar.core.models import HistoryEntry
from lodestar.core.registry import registry
from lodestar.interop.errors import InteropErrorCode as Code

ALL = "*"
PING = "ping"
ACTIONS = tuple(HistoryEntry.Action.values)
MAX_EVENTS = 200


def kinds_catalog() -> list[tuple[str, list[str]]]:
    """Every object type's subscribable kinds, by type name (for the page's checkboxes)."""
    catalog = []
    for declared in sorted(registry().object_types(), key=lambda t: t.name):
        actions = ["created", "updated", "deleted"]
        if declared.trash is not None:
            actions += ["restored", "purged"]
        catalog.append((declared.name, [f"{declared.name}.{action}" for action in actions]))
    return catalog


def clean_events(values: object, *, field: str = "events") -> list[str]:
    """The subscribed kinds, checked: each ``type.action``, ``type.*`` or ``*``; at least one.
    Every bad one is named."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise Invalid.field(
            field, "must be a list of event kinds", code=Code.WEBHOOK_EVENTS_INVALID
        )
    names = {declared.name for declared in registry().object_types()}
    clean: list[str] = []
    bad: list[str] = []
    for value in values:
        kind = str(value).strip() if isinstance(value, str) else ""
        name, _, action = kind.partition(".")
        if kind == ALL or (name in names and (action == "*" or action in ACTIONS)):
            if kind not in clean:
                clean.append(kind)
        else:
            bad.append(repr(str(value)[:60]))
    if bad:
        verb = "is not an event kind" if len(bad) == 1 else "are not event kinds"
        raise Invalid.field(
            field,
            f"{', '.join(bad[:5])} {verb}; write kinds such as item.created, item.* for "
            "every change of items, or * for all",
            code=Code.WEBHOOK_EVENTS_INVALID,
        )
    if not clean:
        raise Invalid.field(
            field, "choose at least one event kind (or * for all)", code=Code.WEBHOOK_EVENTS_INVALID
        )
    if len(clean) > MAX_EVENTS:
        raise Invalid.field(
            field, f"at most {MAX_EVENTS} event kinds", code=Code.WEBHOOK_EVENTS_INVALID
        )
    return [ALL] if ALL in clean else sorted(clean)


def subscribed(events: Sequence[str], kind: str) -> bool:
    """Whether a webhook subscribed to ``events`` hears ``kind``."""
    if ALL in events or kind in events:
        return True
    return f"{kind.split('.', 1)[0]}.*" in events


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _object(event: Event) -> dict[str, Any]:
    declared = registry().object_type(event.object_type)
    found: dict[str, Any] = {
        "type": event.object_type,
        "id": event.object_id,
        "label": event.object_label,
        "ref": str(event.object_id),
        "url": None,
    }
    if declared is None:
        return found
    obj = declared.model._base_manager.filter(pk=event.object_id).first()
    if obj is None:
        return found
    try:
        found["ref"] = declared.ref_of(obj)
        if declared.url is not None and event.action not in ("deleted", "purged"):
            found["url"] = site_url() + declared.url(obj)
    except Exception:
        found["url"] = None
    return found


def payload(event: Event, *, workspace_slug: str, actor: dict[str, str] | None) -> dict[str, Any]:
    """What a webhook receives for ``event`` (docs/WEBHOOKS.md, *Payload*)."""
    return {
        "id": f"evt_{event.history_id}",
        "kind": event.kind,
        "occurred_at": _when(event.occurred_at),
        "workspace": workspace_slug,
        "object": _object(event),
        "actor": actor,
        "data": {"action": event.action, "changes": event.changes},
    }


def ping_payload(
    *, event_id: str, workspace_slug: str, webhook_id: int, at: dt.datetime
) -> dict[str, Any]:
    """The test event ("Send test event"): it says which webhook it tests and nothing else."""
    return {
        "id": event_id,
        "kind": PING,
        "occurred_at": _when(at),
        "workspace": workspace_slug,
        "object": {
            "type": "webhook",
            "id": webhook_id,
            "label": "",
            "ref": str(webhook_id),
            "url": None,
        },
        "actor": None,
        "data": {"zen": "Deliveries are signed; check Lodestar-Signature before trusting one."},
    }


def body_of(data: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8, keys in a stable order."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def user_agent() -> str:
    return "Lodestar-Webhooks/1"
