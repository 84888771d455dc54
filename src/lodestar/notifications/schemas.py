"""The notifications API's request and response bodies."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field, StrictBool

from lodestar.api.schemas import InSchema
from lodestar.notifications.models import Notification, Watch
from lodestar.people.models import Membership


class WatchOut(Schema):
    target_type: str = Field(description="The kind watched (item, problem, team, product, ...)")
    target_id: int
    watching: bool = Field(
        description="False after an explicit unwatch (remembered: commenting or being assigned "
        "does not watch again; a mention does)"
    )

    @classmethod
    def of(cls, watch: Watch) -> WatchOut:
        return cls(
            target_type=watch.target_type, target_id=watch.target_id, watching=watch.watching
        )


class WatcherOut(Schema):
    email: str
    full_name: str
    handle: str

    @classmethod
    def of(cls, member: Membership) -> WatcherOut:
        return cls(email=member.user.email, full_name=member.user.full_name, handle=member.handle)


class WatchersOut(Schema):
    watching: bool = Field(description="Whether the caller watches it")
    watchers: list[WatcherOut]


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="mention, assigned, comment, status, change or created")
    sentence: str = Field(description='What happened, in words ("Quinn commented on ACME-12 …")')
    excerpt: str
    target_type: str
    target_id: int
    target_title: str
    url: str = Field(description="The object's page")
    actor: str | None = Field(description="Who did it (email), None for Lodestar itself")
    count: int = Field(description="How many changes folded into it (a burst by one person)")
    read: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(
            id=n.pk,
            kind=n.kind,
            sentence=n.sentence,
            excerpt=n.excerpt,
            target_type=n.target_type,
            target_id=n.target_id,
            target_title=n.target_title,
            url=n.url,
            actor=n.actor.user.email if n.actor is not None else None,
            count=n.count,
            read=n.read,
            created_at=n.created_at,
            updated_at=n.updated_at,
        )


class ReadIn(InSchema):
    ids: list[int] = Field(
        default_factory=list, max_length=500, description="The notifications to mark read"
    )
    all: StrictBool = Field(default=False, description="Mark every notification read instead")


class ReadOut(Schema):
    marked: int = Field(description="How many were unread and are read now")
    unread: int = Field(description="How many are still unread")


DELIVERY_DOC = "off, inbox, immediate, hourly or daily"


class PreferencesIn(InSchema):
    mention: str | None = Field(default=None, max_length=16, description=DELIVERY_DOC)
    assigned: str | None = Field(default=None, max_length=16, description=DELIVERY_DOC)
    comment: str | None = Field(default=None, max_length=16, description=DELIVERY_DOC)
    status: str | None = Field(default=None, max_length=16, description=DELIVERY_DOC)
    change: str | None = Field(default=None, max_length=16, description=DELIVERY_DOC)
    created: str | None = Field(default=None, max_length=16, description=DELIVERY_DOC)


class PreferencesOut(Schema):
    preferences: dict[str, str] = Field(
        description="For each kind, how the caller hears of it: off, inbox, immediate, hourly "
        "or daily"
    )
