"""Reading samples out of input: a JSON batch (``[{"at", "value"}]``) or a CSV file (``at,value``
columns). Every bad row is named (its index or line, and its field); duplicate times within the
input are refused, both rows named. No Django: the service writes what this accepts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lodestar.core.errors import FieldError

# The most samples one API batch takes; a CSV file may hold more (``MAX_FILE_SAMPLES``).
MAX_BATCH = 10_000
MAX_FILE_SAMPLES = 100_000
# The largest file of samples taken (the API's upload limit too).
MAX_FILE_BYTES = 25 * 1024 * 1024
# The largest value a sample may have (either sign): a day's sum of many stays finite.
MAX_VALUE = 1e15
# The years a sample's time may fall in: any day of them is a day in every zone.
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
# Errors reported at most (the rest are counted in the detail).
MAX_ERRORS = 200


@dataclass(frozen=True)
class Parsed:
    """Accepted samples (UTC times, finite values) in input order, or the errors found."""

    samples: list[tuple[dt.datetime, float]]
    errors: list[FieldError]
    error_count: int


def parse_time(value: object) -> dt.datetime:
    """An ISO 8601 time with its zone (``2026-03-02T09:00:00+01:00``, ``...Z``), in UTC;
    ValueError with what to fix."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a time like 2026-03-02T09:00:00Z (ISO 8601, with its zone)")
    text = value.strip()
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"'{text[:40]}' is not a time; write it like 2026-03-02T09:00:00Z (ISO 8601)"
        ) from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"'{text[:40]}' has no time zone; add one, such as Z or +01:00")
    if not EARLIEST.year <= at.year <= LATEST.year:
        raise ValueError(f"must be between {EARLIEST.year} and {LATEST.year}")
    return at.astimezone(dt.UTC)


def parse_value(value: object, *, text: bool = False) -> float:
    """A finite number (a JSON number, or a CSV cell's text when ``text``); ValueError."""
    if text and isinstance(value, str):
        cell = value.strip()
        try:
            number = float(cell) if cell and "_" not in cell else None
        except ValueError:
            number = None
        if number is None:
            raise ValueError(f"'{cell[:40]}' is not a number")
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number (not text, true/false or null)")
    else:
        number = float(value)
    if not math.isfinite(number):
        raise ValueError("must be a finite number (not NaN or infinity)")
    if abs(number) > MAX_VALUE:
        raise ValueError(f"must be between -{MAX_VALUE:.0e} and {MAX_VALUE:.0e}")
    return number


class _Collector:
    def __init__(self) -> None:
        self.samples: list[tuple[dt.datetime, float]] = []
        self.errors: list[FieldError] = []
        self.count = 0
        self.seen: dict[dt.datetime, str] = {}

    def error(self, field: str, message: str) -> None:
        self.count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(FieldError(field, message))

    def row(self, name: str, at_raw: object, value_raw: object, *, text: bool) -> None:
        at = value = None
        try:
            at = parse_time(at_raw)
        except ValueError as exc:
            self.error(f"{name}.at", str(exc))
        try:
            value = parse_value(value_raw, text=text)
        except ValueError as exc:
            self.error(f"{name}.value", str(exc))
        if at is None or value is None:
            return
        first = self.seen.get(at)
        if first is not None:
            self.error(f"{name}.at", f"repeats the time of {first} ({at.isoformat()})")
            return
        self.seen[at] = name
        self.samples.append((at, value))

    def parsed(self) -> Parsed:
        if self.count:
            return Parsed([], self.errors, self.count)
        return Parsed(self.samples, [], 0)


def parse_batch(rows: Sequence[object], *, limit: int = MAX_BATCH) -> Parsed:
    """The samples of a JSON batch; fields are named ``samples[3].at``."""
    found = _Collector()
    if len(rows) > limit:
        found.error("samples", f"holds {len(rows):,} samples; send at most {limit:,} per batch")
        return found.parsed()
    if not rows:
        found.error("samples", "is empty; send at least one sample")
        return found.parsed()
    for index, row in enumerate(rows):
        name = f"samples[{index}]"
        if not isinstance(row, dict):
            found.error(name, 'must be an object like {"at": "...", "value": 1.5}')
            continue
        unknown = sorted(set(row) - {"at", "value"})
        for field in unknown:
            found.error(f"{name}.{field}", "is not a field of a sample; remove it")
        if "at" not in row:
            found.error(f"{name}.at", "is required")
        if "value" not in row:
            found.error(f"{name}.value", "is required")
        if "at" in row and "value" in row:
            found.row(name, row["at"], row["value"], text=False)
    return found.parsed()


def _lines(text: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for record in reader:
        yield line, record
        line = reader.line_num + 1


def parse_csv(data: bytes, *, limit: int = MAX_FILE_SAMPLES) -> Parsed:
    """The samples of a CSV file with ``at`` and ``value`` columns (a header line first; other
    columns are ignored); fields are named ``line 4.at`` (the file's line)."""
    found = _Collector()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        found.error("file", "is not UTF-8 text; save it as UTF-8 CSV")
        return found.parsed()
    try:
        records = list(_lines(text))
    except csv.Error as exc:
        found.error("file", f"is not a CSV file ({exc})")
        return found.parsed()
    records = [(line, cells) for line, cells in records if any(cell.strip() for cell in cells)]
    if not records:
        found.error("file", "is empty; it needs a header line 'at,value' and one line per sample")
        return found.parsed()
    _, header = records[0]
    names = [cell.strip().lower() for cell in header]
    if "at" not in names or "value" not in names:
        found.error("file", "needs a header line naming the columns 'at' and 'value'")
        return found.parsed()
    at_column, value_column = names.index("at"), names.index("value")
    rows = records[1:]
    if len(rows) > limit:
        found.error("file", f"holds {len(rows):,} samples; import at most {limit:,} per file")
        return found.parsed()
    if not rows:
        found.error("file", "has a header but no samples")
        return found.parsed()
    width = max(at_column, value_column) + 1
    for line, cells in rows:
        name = f"line {line}"
        if len(cells) < width:
            found.error(name, f"has {len(cells)} columns; the header names {len(names)}")
            continue
        found.row(name, cells[at_column], cells[value_column], text=True)
    return found.parsed()


def parse_json_lines(data: bytes, *, limit: int = MAX_FILE_SAMPLES) -> Parsed:
    """Samples from JSON lines (one ``{"at", "value"}`` object a line); fields ``line 3.at``."""
    import json

    found = _Collector()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        found.error("file", "is not UTF-8 text")
        return found.parsed()
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        found.error("file", "is empty; write one sample a line")
        return found.parsed()
    if len(lines) > limit:
        found.error("file", f"holds {len(lines):,} samples; import at most {limit:,} per file")
        return found.parsed()
    for number, line in lines:
        name = f"line {number}"
        try:
            row = json.loads(line)
        except ValueError:
            found.error(name, 'is not JSON; write {"at": "...", "value": 1.5}')
            continue
        if not isinstance(row, dict) or "at" not in row or "value" not in row:
            found.error(name, 'must be an object like {"at": "...", "value": 1.5}')
            continue
        found.row(name, row["at"], row["value"], text=False)
    return found.parsed()


def row_sentence(error: FieldError) -> str:
    """A bad row as a sentence that keeps the row: "Line 4, at: has no time zone." or
    "samples[3], value: must be a number." (the field alone would not say which row)."""
    row, _, field = error.field.rpartition(".")
    where = f"{row[:1].upper()}{row[1:]}, {field}" if row else error.field.capitalize()
    message = error.message.rstrip()
    return f"{where}: {message}{'' if message.endswith('.') else '.'}"
