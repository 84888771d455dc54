"""The exports API's response bodies."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from lodestar.interop.exports.models import ExportRun


class ExportOut(Schema):
    id: int
    state: str = Field(description="queued, running, done or failed")
    rows_done: int = Field(description="Rows written so far")
    rows_total: int = Field(description="Rows to write in all (0 until the export starts)")
    percent: int = Field(description="Progress, 0 to 100")
    size: int = Field(description="The file's size in bytes, when done")
    error: str = Field(description="Why it failed, when it did")
    requested_by: str | None = Field(description="The email of who asked for it")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None = Field(description="When its file is deleted")
    download_url: str | None = Field(description="The API path of the file, while it is kept")

    @classmethod
    def of(cls, run: ExportRun, workspace_slug: str) -> ExportOut:
        return cls(
            id=run.pk,
            state=run.state,
            rows_done=run.rows_done,
            rows_total=run.rows_total,
            percent=percent(run),
            size=run.size,
            error=run.error,
            requested_by=run.requested_by.email if run.requested_by else None,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            expires_at=run.expires_at,
            download_url=reverse(
                "api:export_download",
                kwargs={"workspace_slug": workspace_slug, "run_id": run.pk},
            )
            if run.downloadable
            else None,
        )


def percent(run: ExportRun) -> int:
    if run.state == "done":
        return 100
    if not run.rows_total:
        return 0
    return min(99, run.rows_done * 100 // run.rows_total)
