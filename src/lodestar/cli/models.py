"""State kept by the ``lodestar`` processes themselves (not by any workspace)."""

from __future__ import annotations

from django.db import models


class PeriodicTaskRun(models.Model):
    """When a periodic task was last enqueued, so every worker (and a restart) agrees it is due."""

    task_path = models.CharField(max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.task_path} (last enqueued {self.last_enqueued_at})"
