"""Customer contact cadence: who on the team talks to customers, and whom nobody has heard from.

- **Per member**: when they last captured feedback (any source) and when they last held an
  interview (an interview they took part in), both by when the conversation happened
  (``received_at``), not when it was typed in.
- **Quiet customers**: live customers whose latest feedback is 30, 60 or 90 days old or more
  (or who have none), in three bands: 30-59, 60-89, and 90 days or more (never heard from
  counts as 90+). **Quiet segments**: segments none of whose customers was heard from in the
  last 30 days.

Four queries whatever the number of members, customers and feedback (the latest feedback per
customer, the members, the latest feedback per capturer, the latest interview per
participant), one while the workspace has no customers; the home page shows it
(``plugin.HomeSection``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from lodestar.discovery.models import Customer, Feedback, FeedbackSource
from lodestar.people.models import Membership, Role
from lodestar.people.policy import Actor
from lodestar.people.selectors import member_list

BANDS = (90, 60, 30)  # days, longest first
SHOWN_PER_BAND = 6


@dataclass(frozen=True)
class MemberContact:
    member: Membership
    last_feedback: dt.datetime | None
    last_interview: dt.datetime | None

    @property
    def last(self) -> dt.datetime | None:
        known = [when for when in (self.last_feedback, self.last_interview) if when]
        return max(known) if known else None


@dataclass(frozen=True)
class QuietCustomer:
    customer: Customer
    last_heard: dt.datetime | None  # None: never

    @property
    def days(self) -> int | None:
        if self.last_heard is None:
            return None
        return (timezone.now() - self.last_heard).days


@dataclass(frozen=True)
class QuietBand:
    days: int  # at least this many days (and fewer than the next band's)
    customers: list[QuietCustomer]

    @property
    def shown(self) -> list[QuietCustomer]:
        return self.customers[:SHOWN_PER_BAND]

    @property
    def more(self) -> int:
        return max(0, len(self.customers) - SHOWN_PER_BAND)


@dataclass(frozen=True)
class QuietSegment:
    segment: str
    last_heard: dt.datetime | None
    customers: int


@dataclass
class Cadence:
    members: list[MemberContact] = field(default_factory=list)
    bands: list[QuietBand] = field(default_factory=list)
    segments: list[QuietSegment] = field(default_factory=list)
    customers: int = 0

    @property
    def quiet(self) -> int:
        """Customers nobody has heard from in 30 days or more."""
        return sum(len(band.customers) for band in self.bands)


def _band(last: dt.datetime | None, now: dt.datetime) -> int | None:
    """The band a customer last heard from at ``last`` falls in (None: heard lately)."""
    if last is None:
        return BANDS[0]
    age = (now - last).days
    return next((days for days in BANDS if age >= days), None)


def contact_cadence(*, actor: Actor, now: dt.datetime | None = None) -> Cadence:
    """The workspace's contact cadence as of ``now`` (see the module's docstring)."""
    now = now or timezone.now()
    customers = list(
        Customer.objects.filter(workspace_id=actor.workspace_id).annotate(
            last_heard=Max("feedback__received_at", filter=Q(feedback__deleted_at__isnull=True))
        )
    )
    if not customers:  # nobody to hear from yet: one query, and no card
        return Cadence()
    live = Feedback.objects.filter(workspace_id=actor.workspace_id)
    captured = dict(
        live.filter(captured_by__isnull=False)
        .values("captured_by")
        .annotate(last=Max("received_at"))
        .values_list("captured_by", "last")
    )
    interviews = {
        row["membership_id"]: row["last"]
        for row in Feedback.member_participants.through.objects.filter(
            feedback__workspace_id=actor.workspace_id,
            feedback__deleted_at__isnull=True,
            feedback__source=FeedbackSource.INTERVIEW,
        )
        .values("membership_id")
        .annotate(last=Max("feedback__received_at"))
    }
    members = [
        MemberContact(m, captured.get(m.user_id), interviews.get(m.pk))
        for m in member_list(actor=actor)
        if m.role != Role.VIEWER  # viewers read; they record no feedback
    ]
    members.sort(key=lambda row: (row.last is None, -(row.last or now).timestamp()))
    bands: dict[int, list[QuietCustomer]] = {days: [] for days in BANDS}
    latest: dict[str, list[dt.datetime | None]] = {}
    for customer in customers:
        last = getattr(customer, "last_heard", None)
        latest.setdefault(customer.segment, []).append(last)
        band = _band(last, now)
        if band is not None:
            bands[band].append(QuietCustomer(customer, last))
    for rows in bands.values():
        # The longest silence first; the bigger account first among equals.
        rows.sort(
            key=lambda q: (
                q.last_heard is not None,
                q.last_heard or now,
                -(q.customer.arr or 0),
                q.customer.name,
            )
        )
    segments = []
    for segment, heard in sorted(latest.items()):
        known = [when for when in heard if when is not None]
        last = max(known) if known else None
        if segment and (last is None or (now - last).days >= BANDS[-1]):
            segments.append(QuietSegment(segment, last, len(heard)))
    return Cadence(
        members=members,
        bands=[QuietBand(days, bands[days]) for days in BANDS if bands[days]],
        segments=segments,
        customers=len(customers),
    )


def home_context(actor: Actor) -> dict[str, Any] | None:
    """The home page's contact card (none while the workspace has no customers)."""
    cadence = contact_cadence(actor=actor)
    if not cadence.customers:
        return None
    return {"cadence": cadence}
