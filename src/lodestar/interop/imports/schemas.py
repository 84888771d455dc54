"""The imports API's shapes: a run with its progress, and its report."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from lodestar.interop.imports.models import ImportRun


class ImportIn(Schema):
    """The options of an import, sent as form fields beside the file."""

    source: Literal["jira", "taiga", "trello", "github", "linear"] = Field(
        description="The tool the file comes from"
    )
    product: str = Field(max_length=10, description="The product's key")
    team: str | None = Field(
        default=None, max_length=50, description="A team's slug: its sprints are imported too"
    )
    dry_run: bool = Field(default=False, description="Report only; write nothing")
    date_format: str | None = Field(
        default=None, max_length=40, description='How the file writes dates ("dd/MMM/yy h:mm a")'
    )
    points_field: str | None = Field(
        default=None, max_length=100, description="The column holding story points"
    )
    timezone: str | None = Field(
        default=None, max_length=64, description="The time zone of dates without one (IANA)"
    )
    status_map: list[str] = Field(
        default_factory=list,
        max_length=100,
        description='A status and ours: "In Review=in_progress"; repeat the field for several',
    )
    invite: bool = Field(default=False, description="Email the invitations made for new people")


class ImportUnreadableOut(Schema):
    where: str = Field(description="The place in the file: a line, a key, a card")
    column: str = Field(description="The column or field, as the file spells it; may be empty")
    message: str


class ImportProblemOut(Schema):
    where: str
    message: str


class ImportStatusNeededOut(Schema):
    raw: str = Field(description="The status as the file spells it")
    count: int = Field(description="How many items have it")


class ImportRunReportOut(Schema):
    source: str
    dry_run: bool
    ok: bool = Field(description="False: refused or failed, and nothing was written")
    created: dict[str, int] = Field(description="Per kind: item, comment, release, sprint, …")
    updated: dict[str, int]
    skipped: dict[str, int] = Field(description="Unchanged since the last import, or left out")
    unreadable: list[ImportUnreadableOut] = Field(description="What the reader could not read")
    problems: list[ImportProblemOut] = Field(description="What refused the import, by place")
    statuses: list[ImportStatusNeededOut] = Field(
        description="Statuses with no category: map each with status_map"
    )
    notes: list[str]
    errors: list[str]

    @staticmethod
    def of(report: dict[str, Any]) -> ImportRunReportOut:
        empty: dict[str, Any] = {
            "source": "",
            "dry_run": False,
            "ok": False,
            "created": {},
            "updated": {},
            "skipped": {},
            "unreadable": [],
            "problems": [],
            "statuses": [],
            "notes": [],
            "errors": [],
        }
        return ImportRunReportOut.model_validate({**empty, **report})


class ImportRunOut(Schema):
    id: int
    source: str
    product: str = Field(description="The product's key")
    team: str | None = Field(description="The team's slug, when sprints were imported for it")
    file_name: str
    size: int = Field(description="The file's size in bytes")
    dry_run: bool
    state: str = Field(description="queued, running, done or failed")
    progress_done: int = Field(description="Items written so far")
    progress_total: int = Field(description="Items in the file (0 until it is read)")
    options: dict[str, Any]
    created_by: str | None = Field(description="Who started it, by email")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def of(run: ImportRun) -> ImportRunOut:
        return ImportRunOut(
            id=run.pk,
            source=run.source,
            product=run.product.key,
            team=run.team.slug if run.team is not None else None,
            file_name=run.file_name,
            size=run.size,
            dry_run=run.dry_run,
            state=run.state,
            progress_done=run.progress_done,
            progress_total=run.progress_total,
            options=run.options or {},
            created_by=run.created_by.email if run.created_by is not None else None,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
        )
