"""Mentions, watches, notifications and each person's preferences.

Objects are named as comments name them: by their kind's registry name (``item``,
``problem``, ``team``, ``product``) and their id, so a kind declared later takes part with no
change here.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from lodestar.core.models import BaseModel


class Kind(models.TextChoices):
    """What a notification is about (each person chooses per kind how they hear of it)."""

    MENTION = "mention", "Mentions"
    ASSIGNED = "assigned", "Assigned to you"
    COMMENT = "comment", "Comments"
    STATUS = "status", "Status changes"
    CHANGE = "change", "Other changes"
    CREATED = "created", "New things in what you watch"


class Delivery(models.TextChoices):
    """How a person hears of one kind of notification."""

    OFF = "off", "Off"
    INBOX = "inbox", "Inbox only"
    IMMEDIATE = "immediate", "Email at once"
    HOURLY = "hourly", "Hourly digest"
    DAILY = "daily", "Daily digest"


class Mention(models.Model):
    """A member or a team named with ``@`` in an object's Markdown: in a comment (``comment``
    set) or a field of the object (``field``: description, ...). One row per mention as it was
    first written: editing the text again does not mention again."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    comment_id = models.BigIntegerField(null=True, blank=True)
    field = models.CharField(max_length=64, blank=True)
    member = models.ForeignKey(
        "people.Membership", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    by = models.ForeignKey(
        "people.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, team__isnull=True)
                | Q(member__isnull=True, team__isnull=False),
                name="mention_member_or_team",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "target_type", "target_id"], name="mention_target"),
        ]

    def __str__(self) -> str:
        return f"mention on {self.target_type}:{self.target_id}"


class Watch(BaseModel):
    """A member watching an object (or a whole team or product). ``watching=False`` remembers
    an explicit unwatch: commenting or being assigned does not watch again; a mention does."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("people.Membership", on_delete=models.CASCADE, related_name="+")
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    watching = models.BooleanField(default=True)
    reason = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "target_type", "target_id"], name="watch_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "target_type", "target_id", "watching"], name="watch_target"
            ),
        ]

    def __str__(self) -> str:
        return f"watch of {self.target_type}:{self.target_id}"


class Notification(models.Model):
    """One thing a member is told. A burst of changes to one object by one person folds into
    one row (``count``, ``updated_at``) while it is unread (docs/NOTIFICATIONS.md)."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey("people.Membership", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    target_title = models.CharField(max_length=255)
    url = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        "people.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    sentence = models.CharField(max_length=500)
    excerpt = models.CharField(max_length=300, blank=True)
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    read = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    # When an email told of it (at once or in a digest); null while one is owed.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="notification_kind"),
            models.CheckConstraint(condition=Q(count__gte=1), name="notification_count"),
        ]
        indexes = [
            # The inbox (newest first, unread filter) and the unread count.
            models.Index(fields=["recipient", "read", "-id"], name="notification_inbox"),
            models.Index(fields=["recipient", "-id"], name="notification_all"),
            # The burst fold: the recipient's unread one about this object (the object first,
            # so that no reader of an inbox, which names only the recipient, takes it).
            models.Index(
                fields=["target_type", "target_id", "recipient"], name="notification_fold"
            ),
        ]

    def __str__(self) -> str:
        return self.sentence


class Preference(models.Model):
    """How a member hears of one kind (a missing row: the kind's default)."""

    member = models.ForeignKey("people.Membership", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="preference_unique"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="preference_kind"),
            models.CheckConstraint(
                condition=Q(delivery__in=Delivery.values), name="preference_delivery"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.delivery}"


class DigestRun(models.Model):
    """When a member's last digest of a cadence (hourly or daily) was sent."""

    member = models.ForeignKey("people.Membership", on_delete=models.CASCADE, related_name="+")
    cadence = models.CharField(max_length=16)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "cadence"], name="digest_run_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cadence} digest at {self.sent_at:%Y-%m-%d %H:%M}"
