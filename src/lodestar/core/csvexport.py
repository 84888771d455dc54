"""Lists as CSV files: streamed, readable by spreadsheets, safe against formula injection.

A list page answers ``?format=csv`` with ``csv_response``: the rows its own selector gives
(same filters, sort and permissions), every page of them, streamed from an iterator so that a
hundred thousand rows never sit in memory at once.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some read a tab
or a carriage return the same way) as a formula, so such a text cell is written with a leading
``'`` (OWASP's rule for CSV injection), also when spaces come first. Numbers of number fields
are written as numbers, so a negative estimate stays a number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from enum import Enum
from itertools import islice
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict, StreamingHttpResponse
from django.utils import timezone

# A cell a spreadsheet could read as a formula starts with one of these (after any spaces).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows written to the buffer before it is sent: fewer, larger chunks cost less than one a row.
ROWS_PER_CHUNK = 500
T = TypeVar("T")


class _Paged(Protocol):
    @property
    def items(self) -> Sequence[Any]: ...
    @property
    def next_cursor(self) -> str | None: ...


P = TypeVar("P", bound=_Paged)
BOM = "\ufeff"
# What a file name keeps of the words it is made of; anything else becomes "-".
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")

# What a row may hold: text, numbers, truths, dates, enums, None, and lists of them (labels);
# anything else is written as its text.
Cell = object


def neutralise(text: str) -> str:
    """``text`` as a cell no spreadsheet runs: prefixed with ``'`` when it starts (after any
    spaces) with a character that begins a formula."""
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _plain_decimal(value: Decimal) -> str:
    # Plain notation: "1E+2" is neither what the page shows nor what a spreadsheet reads.
    return format(value.normalize(), "f")


def _joined(values: Iterable[object]) -> str:
    return neutralise(", ".join(str(part) for part in values))


def _same(value: int | float) -> int | float:
    return value


# The cell of each common type, found by the value's type: a file of 100,000 rows makes a
# million and a half cells, and this one lookup costs less than a chain of isinstance checks.
_BY_TYPE: dict[type, Callable[[Any], str | int | float]] = {
    str: neutralise,
    int: _same,
    float: _same,
    bool: lambda value: "yes" if value else "no",
    type(None): lambda value: "",
    Decimal: _plain_decimal,
    dt.datetime: dt.datetime.isoformat,
    dt.date: dt.date.isoformat,
    list: _joined,
    tuple: _joined,
}


def cell(value: Cell) -> str | int | float:
    """One value as its CSV cell: numbers as numbers, dates in ISO 8601, several values
    joined with ", ", yes/no for a truth, every text neutralised."""
    convert = _BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return _plain_decimal(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return neutralise(str(value.value))
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, list | tuple | set | frozenset):
        return _joined(value)
    return neutralise(str(value))


def export_filename(*parts: str, extension: str = "csv") -> str:
    """A download's name from its parts and today's date: ``ACME-backlog-2026-12-02.csv``.
    Only letters, digits, dots, dashes and underscores are kept (no quote, slash or newline
    can reach the header)."""
    words = [_UNSAFE_IN_NAME.sub("-", part).strip("-.") for part in parts]
    stem = "-".join(word for word in words if word) or "export"
    return f"{stem[:100]}-{timezone.localdate().isoformat()}.{extension}"


def _chunks(header: Sequence[str], rows: Iterable[Iterable[Cell]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([neutralise(name) for name in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Iterable[Cell]]
) -> StreamingHttpResponse:
    """The rows as a CSV download (UTF-8 with a byte order mark, which Excel needs to read
    UTF-8), streamed as ``rows`` yields them; ``rows`` should come from a queryset's
    ``.iterator(chunk_size=...)`` so that a long list is never held whole."""
    safe_name = _UNSAFE_IN_NAME.sub("-", filename)[:120] or "export.csv"
    response = StreamingHttpResponse(_chunks(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["Cache-Control"] = "no-store"
    return response


def batches(rows: Iterable[T], size: int = 1000) -> Iterator[list[T]]:
    """``rows`` in lists of ``size``: for what a file reads once per batch (a row's
    related counts, in one query for the batch) while the rows stream."""
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def every_page(first: P, fetch: Callable[[str], P]) -> Iterator[Any]:
    """The items of ``first`` and of each page after it, for a list whose selector gives a
    page at a time (``fetch(cursor)`` reads the next): the file then has every page, read as
    it is written. ``first`` is read before the answer starts, so a bad filter is refused with
    a status, not halfway through a download."""
    page = first
    while True:
        yield from page.items
        if not page.next_cursor:
            return
        page = fetch(page.next_cursor)


def wants_csv(request: HttpRequest) -> bool:
    """Whether a list page is asked for its CSV file (``GET ...?format=csv``)."""
    return request.method == "GET" and request.GET.get("format") == "csv"


# What a list address holds that is not a filter: its page, the fragment htmx asks for.
_NOT_KEPT = {"cursor", "fragment", "format"}


def csv_url(path: str, query: QueryDict) -> str:
    """The address of a list's CSV file: the list's own path and filters, every page."""
    kept = [(name, value) for name, value in query.lists() if name not in _NOT_KEPT]
    pairs = [(name, item) for name, values in kept for item in values]
    return f"{path}?{urlencode([*pairs, ('format', 'csv')])}"
