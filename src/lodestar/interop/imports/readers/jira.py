"""Jira's exports: the CSV of an issue search ("Export Excel CSV (all fields)") and its XML
(the RSS "XML" export), told apart by their first bytes: XML starts with ``<`` after a
byte-order mark and white space, anything else is read as CSV. No Django."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from lodestar.core.errors import Invalid
from lodestar.interop.errors import InteropErrorCode
from lodestar.interop.imports.bundle import Bundle, ReadOptions

_BOM = b"\xef\xbb\xbf"


def read_jira(data: bytes, options: ReadOptions) -> Bundle:
    """The bundle of a Jira CSV or XML export; ``Invalid`` when the file cannot be read at all
    (no key column, broken XML, an entity declaration, a time zone or date format that does not
    exist)."""
    zone = time_zone(options.timezone)
    start = data[:4096]
    if start.startswith(_BOM):
        start = start[len(_BOM) :]
    if start.lstrip().startswith(b"<"):
        from lodestar.interop.imports.readers.jira_xml import read_jira_xml

        # An XML declaration must come first: white space before it is dropped.
        body = data[len(_BOM) :] if data.startswith(_BOM) else data
        return read_jira_xml(body.lstrip(), options, zone)
    from lodestar.interop.imports.readers.jira_csv import read_jira_csv

    try:
        text = data.decode("utf-8-sig")
        note = ""
    except UnicodeDecodeError as error:
        # Saved again by a spreadsheet on Windows: its code page, said in the notes.
        text = data.decode("cp1252", errors="replace")
        note = f"the file is not UTF-8 (byte {error.start}): read as Windows-1252"
    bundle = read_jira_csv(text, options, zone)
    if note:
        bundle.notes.insert(0, note)
    return bundle


def time_zone(name: str | None) -> dt.tzinfo:
    """The zone dates without an offset are in: ``name`` (IANA), or UTC."""
    if not name:
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid.field(
            "timezone",
            f"{name!r} is not a time zone: give an IANA name such as Europe/Berlin or UTC.",
            code=InteropErrorCode.IMPORT_FILE_INVALID,
        ) from None
