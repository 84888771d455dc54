"""What an import keeps: which object each record of another tool became (``ExternalRef``), so
importing the same file again updates instead of duplicating, and each import's run
(``ImportRun``): its options, its progress and its report."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from lodestar.core.models import BaseModel


class ExternalRef(models.Model):
    """A record of another tool (``source``, ``external_id``) and the object it became here,
    by the object's registry kind (``item``, ``comment``, ``sprint``, ``release``) and id.

    ``fields`` holds the values the last import wrote, so the next one changes only what
    changed in the source since then (a field edited here and not in the source keeps its
    value here)."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16)
    kind = models.CharField(max_length=64)
    external_id = models.CharField(max_length=255)
    object_id = models.BigIntegerField()
    fields = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source", "kind", "external_id"],
                name="external_ref_unique",
            )
        ]
        indexes = [
            # The other way: which record an object came from.
            models.Index(fields=["workspace", "kind", "object_id"], name="external_ref_object"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id} -> {self.kind}:{self.object_id}"


class ImportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


def empty_report() -> dict[str, Any]:
    return {}


class ImportRun(BaseModel):
    """One import of a file into a product, run by the worker (``tasks.run_import``).

    ``data`` holds the uploaded bytes only until the job has read them. ``report`` is
    ``apply.ImportReport.as_dict()``: created, updated and skipped counts per kind, the
    unreadable rows, the statuses that need a mapping, notes and errors."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=16)
    file_name = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(default=0)
    data = models.BinaryField(default=b"", blank=True)
    options = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=8, choices=ImportState.choices, default=ImportState.QUEUED)
    dry_run = models.BooleanField(default=False)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=empty_report, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="import_run_recent")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.source}, {self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)
