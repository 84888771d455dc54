"""The discovery API's uploads: a CSV file of customers or of feedback, imported (or, with
``?dry_run=true``, only checked). The body is the file itself (``text/csv``; see
``api/parser.py``); the answer is the import's report."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from lodestar.api.auth import actor as request_actor
from lodestar.api.parser import upload_body
from lodestar.api.schemas import WRITE_ERRORS
from lodestar.discovery.imports import (
    ImportReport,
    customers_import,
    feedback_import,
    parse_pairs,
)
from lodestar.discovery.schemas import Source
from lodestar.strategy.refs import product_ref_or_none

router = Router(tags=["discovery imports"])

WS = "/{workspace_slug}"
MAP_HELP = (
    "FIELD:COLUMN (or FIELD=COLUMN): read FIELD from the column with this header; FIELD: "
    "leaves the field out. Repeat for several."
)


class RowErrorOut(Schema):
    line: int = Field(description="The physical line of the file the row starts on (1: header)")
    column: str = Field(description="The column's header as in the file; empty: the whole row")
    message: str


class ImportReportOut(Schema):
    kind: Literal["customers", "feedback"]
    dry_run: bool
    ok: bool
    rows: int
    created: int
    updated: int
    skipped: int = Field(description="Rows already there: imported before, or repeated")
    customers_created: int
    contacts_created: int
    mapping: dict[str, str] = Field(description="Each field and the header it is read from")
    headers: list[str] = Field(description="The file's header line, column by column")
    delimiter: str
    errors: list[RowErrorOut] = Field(description="The bad rows, the first 200 in file order")
    error_count: int

    @staticmethod
    def of(report: ImportReport) -> ImportReportOut:
        return ImportReportOut.model_validate(report.as_dict())


class ImportQuery(Schema):
    dry_run: bool = Field(default=False, description="Only report; write nothing")
    map: list[str] = Field(default_factory=list, max_length=20, description=MAP_HELP)
    create_customers: bool = Field(
        default=True, description="false: a row naming an unknown customer is refused"
    )


class FeedbackImportQuery(ImportQuery):
    date_format: Literal["dd/mm/yyyy", "mm/dd/yyyy"] | None = Field(
        default=None, description="How to read dates such as 03/04/2026 (default: the column)"
    )
    source: Source | None = Field(default=None, description="For rows without one")
    product: str | None = Field(default=None, max_length=10, description="A product key")


def _map(pairs: list[str]) -> dict[str, str]:
    return parse_pairs(pairs, separators=":=")


UPLOAD = {"requestBody": upload_body()}
# 413 and 415 come from the layer before the handler (api/parser.py), declared by api/document.py.
ANSWERS = {200: ImportReportOut, **WRITE_ERRORS}


@router.post(
    WS + "/customers/import",
    response=ANSWERS,
    operation_id="customer_import",
    openapi_extra=UPLOAD,
)
def import_customers(
    request: HttpRequest, workspace_slug: str, options: Query[ImportQuery]
) -> ImportReportOut:
    """Import customers from a CSV file: matched by external id, then by name (any case), and
    updated; unknown ones added. A bad row refuses the import (422 naming each line); a dry run
    answers the report with the bad rows in it."""
    actor = request_actor(request, workspace_slug)
    report = customers_import(
        actor=actor,
        data=request.body,
        mapping=_map(options.map),
        dry_run=options.dry_run,
        create_customers=options.create_customers,
    )
    return ImportReportOut.of(report)


@router.post(
    WS + "/feedback/import",
    response=ANSWERS,
    operation_id="feedback_import",
    openapi_extra=UPLOAD,
)
def import_feedback(
    request: HttpRequest, workspace_slug: str, options: Query[FeedbackImportQuery]
) -> ImportReportOut:
    """Import feedback from a CSV file; a row imported before is skipped. A bad row refuses
    the import (422 naming each line); a dry run answers the report with the bad rows in it."""
    actor = request_actor(request, workspace_slug)
    report = feedback_import(
        actor=actor,
        data=request.body,
        mapping=_map(options.map),
        dry_run=options.dry_run,
        date_format=options.date_format,
        create_customers=options.create_customers,
        source=options.source,
        product=product_ref_or_none(actor, options.product),
    )
    return ImportReportOut.of(report)
