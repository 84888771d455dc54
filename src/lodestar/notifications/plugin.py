"""What the notifications context declares: the durable subscriber that turns every event into
mentions, watches and notifications (fed by the worker's outbox pump), the Inbox in the
sidebar with its unread count, its pages and API, and the Watch section of the page of every
watchable kind (an item's, a problem's and a release's through their own section points; the
others', teams' and products' through ``PAGE_SECTIONS``)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import DatabaseError

from lodestar.backlog.extensions import ITEM_SECTIONS, ItemSection
from lodestar.core.extensions import PAGE_SECTIONS, PageSection
from lodestar.core.registry import Demo, NavEntry, PeriodicTask, Plugin, Subscriber
from lodestar.discovery.extensions import PROBLEM_SECTIONS, ProblemSection
from lodestar.notifications import demo, fanout, selectors
from lodestar.notifications.views import card_watch_section, item_watch_section
from lodestar.releases.extensions import RELEASE_SECTIONS, ReleaseSection

logger = logging.getLogger("lodestar.notifications")


def _handle(event: Any) -> None:
    """Hand an event to the fan-out. A database error is raised, so the event comes again on
    the next round (the outbox's at-least-once); any other error is a fault in telling about
    that one event, logged and passed over, so one bad event never stops every notification
    after it (its transaction rolled back: nothing of it is half-told)."""
    try:
        fanout.handle(event)
    except DatabaseError:
        raise
    except Exception:
        logger.exception(
            "Could not tell anyone of event %s (%s); passed over.", event.outbox_id, event.kind
        )


def _unread(actor: Any) -> int:
    return selectors.unread_count(member_id=actor.membership.pk, cap=selectors.BADGE_CAP)


PLUGIN = Plugin(
    name="notifications",
    urls=["lodestar.notifications.urls"],
    api=["lodestar.notifications.api"],
    navigation=[
        NavEntry(
            "inbox",
            "Inbox",
            "notifications:inbox",
            icon="mail",
            order=15,
            badge=_unread,
            badge_url_name="notifications:unread",
        )
    ],
    subscribers=[Subscriber(name="notifications", handler=_handle, durable=True)],
    demo=Demo(seed=demo.seed_world, after=("backlog", "decisions", "outcomes", "releases")),
    # The hourly digests, and the daily ones a day after each member's last.
    periodic=[
        PeriodicTask(
            "lodestar.notifications.tasks.send_notification_digests", dt.timedelta(hours=1)
        )
    ],
    provides=[
        (ITEM_SECTIONS, ItemSection(name="watch", render=item_watch_section, order=85)),
        (PROBLEM_SECTIONS, ProblemSection(name="watch", render=card_watch_section, order=85)),
        (RELEASE_SECTIONS, ReleaseSection(name="watch", render=card_watch_section, order=85)),
        (
            PAGE_SECTIONS,
            PageSection(
                name="watch",
                kinds=("feedback", "customer", "decision", "sprint", "goal", "team", "product"),
                render=card_watch_section,
                order=85,
            ),
        ),
    ],
)
