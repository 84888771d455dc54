"""Reading an uploaded CSV file into a header and rows, each row with the physical line it
starts on, or refusing the file as a whole with a sentence that says what to fix.

Accepted: UTF-8 text, with or without a byte order mark; ``,``, ``;`` or tab between cells
(whichever the header line uses most); cells in double quotes may span lines. Refused before
parsing: a file over ``IMPORT_MAX_BYTES``, an empty file, a binary file (a NUL byte), a file in
another encoding (UTF-16, Latin-1), a file with a header and no rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from lodestar.core.errors import Invalid
from lodestar.discovery.errors import DiscoveryErrorCode as Code

# The largest file taken (about 100,000 pieces of feedback of a paragraph each).
IMPORT_MAX_BYTES = 25 * 1024 * 1024
DELIMITERS = (",", ";", "\t")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SAVE_AS = "save it as “CSV UTF-8” and try again"


def _refuse(message: str, *, code: str = Code.IMPORT_FILE_INVALID) -> Invalid:
    return Invalid.field("file", message, code=code)


def too_large(size: int | None = None) -> Invalid:
    """The refusal of a file over the limit (``size``: its size in bytes, when known)."""
    limit = f"{IMPORT_MAX_BYTES // 1024 // 1024} MB"
    told = f"is {size / 1024 / 1024:,.1f} MB" if size else f"is larger than {limit}"
    return _refuse(
        f"{told}; the largest file taken is {limit}: split it into several files",
        code=Code.IMPORT_FILE_TOO_LARGE,
    )


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def read_limited(stream: Readable, *, size: int | None = None) -> bytes:
    """The bytes of ``stream``, refused without reading it all when it is over the limit:
    ``size`` (when known, such as a file's) is checked before reading anything, and no more
    than one byte past the limit is ever read."""
    if size is not None and size > IMPORT_MAX_BYTES:
        raise too_large(size)
    data = stream.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        raise too_large()
    return data


def decode(data: bytes) -> str:
    """The text of the file: UTF-8 with its byte order mark (if any) removed."""
    if len(data) > IMPORT_MAX_BYTES:
        raise too_large(len(data))
    if not data.strip():
        raise _refuse("is empty: give a CSV file with a header line and one row per line")
    if data.startswith(_UTF16_BOMS):
        raise _refuse(f"is UTF-16 text; {_SAVE_AS}")
    if b"\x00" in data:
        raise _refuse("is not a CSV file (it holds binary data, such as a spreadsheet or image)")
    data = data.removeprefix(_UTF8_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _refuse(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02X} on line {line}); {_SAVE_AS}"
        ) from exc


def detect_delimiter(text: str) -> str:
    """The separator the header line uses most: ``,`` (also on a tie), ``;`` or a tab."""
    first = text.split("\n", 1)[0]
    counts = {delimiter: first.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


@dataclass(frozen=True)
class Row:
    """One record of the file: the physical line it starts on (1 is the first line of the
    file) and its cells, one per header (missing trailing cells are empty)."""

    line: int
    cells: list[str]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[Row]
    delimiter: str


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _refuse(f"cannot be read as CSV from line {line}: {exc}") from exc


def headers_of(data: bytes) -> list[str]:
    """The header line of the CSV ``data``, or ``[]`` when it cannot be read (for offering
    columns to map when the file as a whole was refused)."""
    try:
        text = decode(data)
        first = next(
            (cells for _, cells in _records(text, detect_delimiter(text)) if any(cells)), []
        )
    except Invalid:
        return []
    return [header.strip() for header in first]


def parse(data: bytes) -> Table:
    """The header and the rows of the CSV ``data`` (blank lines skipped)."""
    text = decode(data)
    delimiter = detect_delimiter(text)
    records = ((line, cells) for line, cells in _records(text, delimiter) if any(cells))
    first = next(records, None)
    if first is None:
        raise _refuse("is empty: give a CSV file with a header line and one row per line")
    headers = [header.strip() for header in first[1]]
    width = len(headers)
    rows: list[Row] = []
    for line, cells in records:
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            raise _refuse(
                f"line {line} has {len(cells)} cells but the header has {width}; a cell holding "
                f"the separator “{_shown(delimiter)}” must be in double quotes"
            )
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        rows.append(Row(line, cells[:width]))
    if not rows:
        raise _refuse("has a header line and no rows: add one row per line below it")
    return Table(headers=headers, rows=rows, delimiter=delimiter)


def _shown(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else delimiter
