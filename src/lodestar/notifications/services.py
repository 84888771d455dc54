"""Every write of the notifications context: watching and unwatching, reading notifications,
and each person's preferences. The fan-out from events (``fanout.py``) writes through the
helpers here too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone

from lodestar.core.errors import FieldError, Invalid
from lodestar.notifications.access import Target
from lodestar.notifications.errors import NotificationErrorCode as Code
from lodestar.notifications.models import Delivery, Kind, Notification, Preference, Watch
from lodestar.people.models import Membership
from lodestar.people.policy import Actor

MAX_IDS = 500


class Reason:
    """Why someone watches (shown in the watchers list)."""

    EXPLICIT = "explicit"
    CREATED = "created"
    ASSIGNED = "assigned"
    MENTIONED = "mentioned"
    COMMENTED = "commented"


def watch_auto(
    *, member: Membership, target_type: str, target_id: int, reason: str, force: bool = False
) -> bool:
    """Watch an object for a reason (created, assigned, commented, mentioned): nothing when the
    member already watches, nor when they unwatched it (unless ``force``: a mention watches
    again, as an explicit ask for their attention). Returns whether they watch now."""
    watch = Watch.objects.filter(
        member=member, target_type=target_type, target_id=target_id
    ).first()
    if watch is None:
        try:
            with transaction.atomic():
                Watch.objects.create(
                    workspace_id=member.workspace_id,
                    member=member,
                    target_type=target_type,
                    target_id=target_id,
                    reason=reason,
                )
        except IntegrityError:
            pass  # watched meanwhile
        return True
    if not watch.watching and force:
        Watch.objects.filter(pk=watch.pk).update(
            watching=True, reason=reason, updated_at=timezone.now(), version=watch.version + 1
        )
        return True
    return watch.watching


def _set_watch(actor: Actor, target: Target, watching: bool) -> Watch:
    watch, created = Watch.objects.select_for_update().get_or_create(
        member=actor.membership,
        target_type=target.type,
        target_id=target.id,
        defaults={
            "workspace_id": actor.workspace_id,
            "watching": watching,
            "reason": Reason.EXPLICIT,
        },
    )
    if not created and watch.watching != watching:
        watch.watching = watching
        watch.reason = Reason.EXPLICIT
        watch.version += 1
        watch.updated_at = timezone.now()
        watch.save(update_fields=["watching", "reason", "version", "updated_at"])
    return watch


@transaction.atomic
def watch_start(*, actor: Actor, target: Target) -> Watch:
    """Watch ``target`` (an object the actor can see: ``access.access_target``). Anyone who
    can see an object may watch it, viewers too."""
    return _set_watch(actor, target, True)


@transaction.atomic
def watch_stop(*, actor: Actor, target: Target) -> Watch:
    """Stop watching ``target``; remembered, so commenting or being assigned later does not
    watch it again (a mention does)."""
    return _set_watch(actor, target, False)


def _ids(values: Iterable[object] | None) -> list[int]:
    ids: list[int] = []
    for value in values or ():
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise Invalid.field(
                "ids", "must be a list of notification ids", code=Code.NOTIFICATION_IDS_INVALID
            )
        try:
            number = int(str(value).strip())
        except ValueError:
            number = 0
        if not 0 < number < 2**63:
            raise Invalid.field(
                "ids",
                f"{str(value)[:40]!r} is not a notification id",
                code=Code.NOTIFICATION_IDS_INVALID,
            )
        ids.append(number)
    if len(ids) > MAX_IDS:
        raise Invalid.field(
            "ids", f"at most {MAX_IDS} ids at a time", code=Code.NOTIFICATION_IDS_INVALID
        )
    return ids


@transaction.atomic
def notifications_read(
    *, actor: Actor, ids: Iterable[object] | None = None, everything: bool = False
) -> int:
    """Mark the actor's own notifications read: those of ``ids`` (others' ids and unknown ones
    are ignored: an id says nothing about anyone else's inbox) or, with ``everything``, all of
    them. Returns how many were unread."""
    mine = Notification.objects.filter(recipient_id=actor.membership.pk, read=False)
    if not everything:
        numbers = _ids(ids)
        if not numbers:
            raise Invalid.field(
                "ids",
                "name the notifications to mark read, or send all",
                code=Code.NOTIFICATION_IDS_INVALID,
            )
        mine = mine.filter(pk__in=numbers)
    return mine.update(read=True, read_at=timezone.now())


DEFAULTS: Mapping[str, str] = {
    Kind.MENTION: Delivery.IMMEDIATE,
    Kind.ASSIGNED: Delivery.IMMEDIATE,
    Kind.COMMENT: Delivery.DAILY,
    Kind.STATUS: Delivery.DAILY,
    Kind.CHANGE: Delivery.INBOX,
    Kind.CREATED: Delivery.DAILY,
}


def preferences_for(member_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """How each of ``member_ids`` hears of each kind (one query)."""
    ids = list(member_ids)
    chosen: dict[int, dict[str, str]] = {pk: dict(DEFAULTS) for pk in ids}
    rows = Preference.objects.filter(member_id__in=ids).values_list("member_id", "kind", "delivery")
    for member_id, kind, delivery in rows:
        chosen[member_id][kind] = delivery
    return chosen


def preferences_of(member: Membership) -> dict[str, str]:
    """How ``member`` hears of each kind: their choices over the defaults."""
    chosen = dict(Preference.objects.filter(member=member).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULTS[kind]) for kind in Kind.values}


@transaction.atomic
def preferences_set(*, actor: Actor, choices: Mapping[str, object]) -> dict[str, str]:
    """Set how the actor hears of some kinds (``{"comment": "hourly"}``); every bad kind or
    value is named and nothing is saved."""
    errors: list[FieldError] = []
    clean: dict[str, str] = {}
    if not isinstance(choices, Mapping):
        raise Invalid.field(
            "preferences", "must be an object of kind: delivery", code=Code.PREFERENCE_INVALID
        )
    for kind, value in choices.items():
        if kind not in Kind.values:
            errors.append(
                FieldError(str(kind)[:40], f"is not a kind; kinds are {', '.join(Kind.values)}")
            )
        elif not isinstance(value, str) or value not in Delivery.values:
            errors.append(FieldError(kind, f"must be one of {', '.join(Delivery.values)}"))
        else:
            clean[kind] = value
    if errors:
        raise Invalid.fields(errors, code=Code.PREFERENCE_INVALID)
    for kind, value in clean.items():
        Preference.objects.update_or_create(
            member=actor.membership, kind=kind, defaults={"delivery": value}
        )
    return preferences_of(actor.membership)


@transaction.atomic
def email_unsubscribe(*, member: Membership, kinds: Iterable[str]) -> list[str]:
    """The one-click unsubscribe (a signed link, no sign-in): no more email of ``kinds`` for
    ``member``; those kinds stay in their inbox (``inbox``), unless already off. Returns the
    kinds whose email stopped."""
    chosen = preferences_of(member)
    stopped = []
    for kind in kinds:
        if chosen.get(kind) in (Delivery.IMMEDIATE, Delivery.HOURLY, Delivery.DAILY):
            Preference.objects.update_or_create(
                member=member, kind=kind, defaults={"delivery": Delivery.INBOX}
            )
            stopped.append(kind)
    return stopped


def mark_emailed(ids: list[int], when: dt.datetime) -> None:
    Notification.objects.filter(pk__in=ids).update(emailed_at=when)


def notify_members(
    *,
    workspace_id: int,
    members: Iterable[Membership],
    kind: str,
    target_type: str,
    target_id: int,
    target_title: str,
    url: str,
    sentence: str,
    excerpt: str = "",
) -> list[Notification]:
    """Tell ``members`` of something no one's watch covers (a webhook that another context
    disabled after its deliveries kept failing): one notification each, of ``kind``, emailed as
    each recipient's preference for that kind says. Call it inside the caller's transaction."""
    from lodestar.notifications.emails import after_notified

    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    now = timezone.now()
    told = [
        Notification.objects.create(
            workspace_id=workspace_id,
            recipient=member,
            kind=kind,
            target_type=target_type,
            target_id=target_id,
            target_title=target_title[:255],
            url=url[:500],
            actor_name="Lodestar",
            sentence=sentence[:500],
            excerpt=excerpt[:200],
            created_at=now,
            updated_at=now,
        )
        for member in members
    ]
    after_notified(told)
    return told
