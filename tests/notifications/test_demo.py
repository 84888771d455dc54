"""The demo's conversations: threads on a dozen items, who watches what, and a few unread
notifications for Quinn, Priya and Diego, none of which the worker tells again."""

from __future__ import annotations

import pytest
from django.db.models import F

from lodestar.backlog import demo as backlog_demo
from lodestar.comments.models import Comment
from lodestar.core import events
from lodestar.notifications import demo
from lodestar.notifications.models import Notification, Watch
from lodestar.people import demo as people_demo

pytestmark = pytest.mark.django_db


def test_the_demo_talks_watches_and_notifies() -> None:
    people = people_demo.seed()
    product = backlog_demo.seed(people)
    made = demo.seed(people, product)
    assert made > 0
    on = set(Comment.objects.values_list("target_id", flat=True))
    assert len(on) == 12
    assert Watch.objects.filter(
        member=people.members["priya"], target_type="product", target_id=product.pk
    ).exists()
    for key in ("quinn", "priya", "diego"):
        unread = Notification.objects.filter(recipient=people.members[key], read=False)
        assert 1 <= unread.count() <= 15, key
    # Nobody is notified of their own words.
    assert not Notification.objects.filter(actor_id=F("recipient_id")).exists()
    before = Notification.objects.count()
    events.deliver_pending()
    assert Notification.objects.count() == before  # the worker does not tell them twice


def test_every_event_of_the_whole_demo_goes_through_the_fan_out() -> None:
    """Every kind of event the contexts publish (items, problems, sprints, releases, decisions,
    metrics, comments, teams...) is handled without an error: a subscriber that failed on one
    would stop there for good."""
    from lodestar.core.models import OutboxCursor, OutboxEvent
    from lodestar.core.registry import registry

    world: dict[str, object] = {}
    for name, context_demo in registry().demos():
        world[name] = context_demo.seed(world)
    # From the demo's first event: on PostgreSQL, ids that earlier tests took and rolled back
    # leave a gap before it, which the reader would wait out (``events.GAP_GRACE``).
    first = OutboxEvent.objects.order_by("id").values_list("id", flat=True).first() or 1
    OutboxCursor.objects.update_or_create(
        subscriber="notifications", defaults={"position": first - 1}
    )
    total = OutboxEvent.objects.count()
    handled = 0
    while True:
        step = events.deliver_pending()
        handled += step
        if not step:
            break
    cursor = OutboxCursor.objects.get(subscriber="notifications")
    assert (cursor.failures, cursor.last_error) == (0, "")
    assert handled == total
