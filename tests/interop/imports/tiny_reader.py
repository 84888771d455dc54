"""A tiny reader for the importer's tests (the real readers are tested on their own): a CSV of
``key,title,kind,status,parent`` (status as ``Raw`` or ``Raw:category``), or JSON
``{"items": [...]}`` with the same fields."""

from __future__ import annotations

import csv
import io
import json

from lodestar.core.errors import Invalid
from lodestar.interop.imports.bundle import Bundle, ReadOptions, SourceItem, SourceStatus

PATH = "tests.interop.imports.tiny_reader:read"


def _item(row: dict[str, str], where: str) -> SourceItem:
    raw, _, category = (row.get("status") or "").partition(":")
    return SourceItem(
        external_id=row["key"],
        where=where,
        title=row.get("title") or "",
        kind=row.get("kind") or "story",  # type: ignore[arg-type]
        status=SourceStatus(raw, category or None),  # type: ignore[arg-type]
        parent=row.get("parent") or None,
    )


def read(data: bytes, options: ReadOptions) -> Bundle:
    text = data.decode("utf-8")
    if text.lstrip().startswith("{"):
        try:
            rows = json.loads(text)["items"]
        except ValueError as error:
            raise Invalid(f"The file is not complete JSON: {error}; export it again.") from error
        return Bundle(source="jira", items=[_item(row, f"item {row['key']}") for row in rows])
    reader = csv.DictReader(io.StringIO(text))
    if "key" not in (reader.fieldnames or []):
        raise Invalid("The file has no column 'key': export it with every field.")
    return Bundle(
        source="jira",
        items=[_item(row, f"line {n}") for n, row in enumerate(reader, start=2)],
        notes=[f"read by the tiny reader ({options.date_format or 'dates detected'})"],
    )
