"""The demo's conversations: comment threads on a dozen items of the ACME backlog (through the
comments services, as people would write them), who watches what (Priya the product, Diego
the Checkout team, Quinn the items she owns), and each person's notifications from them: a few
unread for Quinn, Priya and Diego.

The demo writes in one transaction before any worker runs, so its events are turned into
notifications here, through the same fan-out the worker runs (``fanout.handle``), and the
subscriber's cursor is placed after them: the worker never tells them twice.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from lodestar.backlog.models import BacklogItem
from lodestar.comments import services as comments
from lodestar.comments.access import access_target
from lodestar.comments.models import Comment
from lodestar.core.events import event_of
from lodestar.core.models import HistoryEntry, OutboxCursor, OutboxEvent
from lodestar.notifications import fanout, services
from lodestar.notifications.access import access_target as watchable
from lodestar.people.demo import DemoPeople
from lodestar.strategy.models import Product

SUBSCRIBER = "notifications"

# (item title starts with, [(author, text, reply_to_index or None)])
THREADS: tuple[tuple[str, tuple[tuple[str, str, int | None], ...]], ...] = (
    (
        "Share a dashboard by link",
        (
            (
                "priya",
                "Three churned accounts asked for this. @quinn can we take it next sprint?",
                None,
            ),
            ("quinn", "Yes. @diego could you size the link expiry part?", 0),
            ("diego", "About 3 points; the revoke panel is the bigger half.", 0),
        ),
    ),
    (
        "Chart tooltip shows UTC",
        (
            (
                "quinn",
                "Reproduced on Safari with a Berlin account. @checkout does checkout show UTC?",
                None,
            ),
            ("dana", "Checkout receipts are fine; it is only the tooltip.", 0),
        ),
    ),
    (
        "Email a dashboard as PDF",
        (
            (
                "priya",
                "Legal wants one-click unsubscribe in these, see the acceptance criteria.",
                None,
            ),
        ),
    ),
    (
        "Show the query behind every chart tile",
        (
            ("lee", "Should viewers see the SQL, or only members? @priya", None),
            ("priya", "Members only; viewers see the source table's name.", 0),
        ),
    ),
    (
        "Spike: column-level lineage",
        (("diego", "dbt manifests carry column lineage since 1.6; looks feasible.", None),),
    ),
    (
        "Duplicate events after a HubSpot re-sync",
        (
            ("sam", "Two customers hit this on Monday. @diego is it the cursor reset again?", None),
            ("diego", "Yes, the sync restarts from the last page, not the last event.", 0),
        ),
    ),
    (
        "Spike: real-time refresh",
        (("priya", "Budget: no more than a 20% rise in warehouse cost. @quinn FYI", None),),
    ),
    (
        "Dashboard comments with @mentions",
        (("quinn", "We are dogfooding this very thread.", None),),
    ),
    (
        "Funnel chart legend overlaps",
        (
            ("dana", "Happens below 420 px wide.", None),
            ("quinn", "@dana let's wrap the legend under the chart there.", 0),
        ),
    ),
    (
        "Starter dashboard templates",
        (("priya", "Start with the MRR and churn template; @lee has the queries.", None),),
    ),
    (
        "Import a Google Sheet",
        (("sam", "Is this in scope for the onboarding goal? @priya", None),),
    ),
    (
        "Signup fails for emails with a plus sign",
        (
            ("quinn", "Happens with quinn+test@acme.example. @diego", None),
            ("diego", "Fixed the validator; needs a test for the confirmation link too.", 0),
        ),
    ),
)


def _item(product: Product, starts: str) -> BacklogItem | None:
    return (
        BacklogItem.objects.filter(product=product, title__startswith=starts).order_by("pk").first()
    )


def seed(people: DemoPeople, product: Product) -> int:
    """Watches, the threads and the notifications they make; returns how many were made."""
    start = OutboxEvent.objects.aggregate(end=Max("id"))["end"] or 0
    services.watch_start(
        actor=people.actor("priya"),
        target=watchable(people.actor("priya"), "products", product.key),
    )
    if "checkout" in people.teams:
        services.watch_start(
            actor=people.actor("diego"),
            target=watchable(people.actor("diego"), "teams", people.teams["checkout"].slug),
        )
    for starts, thread in THREADS:
        item = _item(product, starts)
        if item is None:
            continue
        written: list[Comment] = []
        for author, text, reply_to in thread:
            actor = people.actor(author)
            target = access_target(actor, "items", item.key)
            parent = written[reply_to] if reply_to is not None else None
            written.append(
                comments.comment_create(actor=actor, target=target, body=text, parent=parent)
            )
    made = 0
    entries = HistoryEntry.objects.filter(
        pk__in=OutboxEvent.objects.filter(pk__gt=start).values("history_id")
    ).order_by("pk")
    for entry in entries:
        outcome = fanout.handle(event_of(entry))
        made += len(outcome.notified) if outcome is not None else 0
    end = OutboxEvent.objects.aggregate(end=Max("id"))["end"] or 0
    OutboxCursor.objects.update_or_create(subscriber=SUBSCRIBER, defaults={"position": end})
    return made


def seed_world(world: dict[str, Any]) -> int:
    """``lodestar demo``'s entry (nothing without the demo product)."""
    people: DemoPeople = world["people"]
    product = world.get("backlog")
    if not isinstance(product, Product):
        product = Product.objects.filter(workspace=people.workspace, key="ACME").first()
    return seed(people, product) if product is not None else 0
