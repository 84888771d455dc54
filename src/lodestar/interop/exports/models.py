"""An export made in the background (the API's and the page's "Export now"), and what a restore
made a workspace from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ExportState(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportRun(models.Model):
    """One export of a workspace: its state and progress while the worker writes it, then the
    file kept in the data directory (``exports/``) until ``expires_at``, when a periodic task
    deletes it (the row stays, saying it expired)."""

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="export_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    rows_done = models.PositiveBigIntegerField(default=0)
    rows_total = models.PositiveBigIntegerField(default=0)
    # The file's name under the data directory's exports/ (empty until written, and after it
    # is deleted).
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ExportState.values), name="export_run_state_valid"
            )
        ]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="export_run_recent")]

    def __str__(self) -> str:
        return f"export {self.pk} of workspace {self.workspace_id}: {self.state}"

    @property
    def downloadable(self) -> bool:
        return self.state == ExportState.DONE and bool(self.file_name)


class WorkspaceRestore(models.Model):
    """A restore that made this workspace: the export it read (its slug, when and by which
    Lodestar it was written) and each table's map from the ids in that file to the ids here, as
    runs (``format.id_runs``). The workspace's next export carries both in its manifest
    (``restored_from``), so that export -> restore -> export compares apart from mapped ids."""

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="restores"
    )
    restored_at = models.DateTimeField(default=timezone.now)
    # The export's manifest facts: slug, name, exported_at, lodestar_version, schema_version.
    source = models.JSONField(default=dict)
    # table label -> [[first id in the file, first id here, how many in a row], ...]
    ids = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"restore of workspace {self.workspace_id} from {self.source.get('slug', '?')}"
