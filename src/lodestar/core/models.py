"""Base models shared by every context, and the change history."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class BaseModel(models.Model):
    """Timestamps and a ``version`` that each write bumps, for optimistic concurrency."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class LiveManager(models.Manager[Any]):
    """Hides rows that are in the trash."""

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class TrashableModel(BaseModel):
    """A model whose deletion moves it to the trash, restorable for the retention period."""

    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects: ClassVar[models.Manager[Any]] = LiveManager()
    all_objects: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None


class HistoryEntry(models.Model):
    """One recorded change: who did what to which object, with each field's before and after."""

    class Action(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        DELETED = "deleted"
        RESTORED = "restored"
        MOVED = "moved"
        PURGED = "purged"

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="history"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    object_label = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "object_type", "object_id", "-created_at"]),
            # Coverage (``coverage/activity.py``) counts each kind of act over a period by
            # person: the entries in time order, with who and which object, from the index.
            models.Index(
                fields=["workspace", "object_type", "action", "created_at", "actor", "object_id"],
                name="history_activity_idx",
            ),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"


class OutboxEvent(models.Model):
    """A domain event for the durable subscribers (webhooks, notifications): one per recorded
    change, written in the transaction that made the change, so it exists exactly when the
    change does. Read in ``id`` order by the worker; purged once every subscriber has it."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=80)
    history = models.ForeignKey(HistoryEntry, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class OutboxCursor(models.Model):
    """How far one durable subscriber has read the outbox (the last event it handled)."""

    subscriber = models.CharField(max_length=100, unique=True)
    position = models.BigIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.subscriber} at {self.position}"


class RateCounter(models.Model):
    """One counter of a rate limit or a sign-in throttle, shared by every process and machine
    that uses this database (``core.ratelimit``).

    Times are seconds since the epoch, not datetimes: the counter is bumped by one
    ``INSERT ... ON CONFLICT DO UPDATE`` whose ``CASE`` compares them, and numbers compare the
    same way on SQLite and PostgreSQL where text timestamps would not.
    """

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField()
    # When the window ends and the count starts again from zero; purged some time after.
    reset_at = models.FloatField(db_index=True)
    # The last time the counter was bumped (the start of a sign-in delay).
    hit_at = models.FloatField()

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class SearchEntry(models.Model):
    """One searchable object in the search index (``core.search``), kept in step by
    ``core.history`` as services write.

    The primary key is the sort key: the sort date's seconds since the epoch in the high bits
    and a counter in the low 31 (``core.search.index.sort_key``), so "newest first" is "highest
    id first", and the full-text index (an FTS5 table over this one on SQLite, whose rowid it
    is; a generated ``tsvector`` with a GIN index on PostgreSQL, both made by the migration)
    returns matches in that order without sorting them.

    Changing this table by a migration needs care on SQLite: Django rebuilds a SQLite table
    to alter it, which drops the triggers that keep the FTS table in step (migration 0005
    creates them); recreate them, and run ``lodestar search reindex``, in such a migration.
    """

    id = models.BigIntegerField(primary_key=True)
    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    # The object type's name (``ObjectType.name``) and the object's primary key.
    kind = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    title = models.TextField()
    body = models.TextField(blank=True)
    at = models.DateTimeField()
    # Filter values: {name: [value, ...]} (``SearchDocument.facets``).
    facets = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "core_search_entry"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="core_search_entry_object")
        ]
        indexes = [models.Index(fields=["workspace", "id"], name="core_search_entry_newest")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title[:40]}"
