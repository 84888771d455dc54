"""What the Taiga, Trello, GitHub and Linear readers share: loading the file (JSON or CSV)
with a clear error when it cannot be read at all, dates, the people a file names, and the
words that say what a status or a label means.

A file that cannot be read at all raises ``core.errors.Invalid`` (code
``import_file_invalid``) saying where it broke and what to do; a bad record is the reader's to
put in ``Bundle.unreadable``, for which these helpers raise ``ValueError`` with a message
meant for the report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from lodestar.backlog.hierarchy import ALLOWED_PARENTS
from lodestar.core.errors import FieldError, Invalid
from lodestar.interop.errors import InteropErrorCode
from lodestar.interop.imports.bundle import Bundle, Category, Kind, SourceItem, SourcePerson

WHERE_TITLE_LENGTH = 60


SHOWN_VALUE_LENGTH = 40


def shown(value: object) -> str:
    """A bad value as a report quotes it: its repr, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= SHOWN_VALUE_LENGTH else text[: SHOWN_VALUE_LENGTH - 1] + "…"


def invalid_file(message: str, *, column: str = "") -> Invalid:
    """The error for a file that cannot be read at all."""
    errors = [FieldError(column, message)] if column else None
    return Invalid(message, code=InteropErrorCode.IMPORT_FILE_INVALID, errors=errors)


def decode_text(data: bytes, *, what: str) -> str:
    """The file's text (UTF-8, a byte-order mark dropped), or ``Invalid`` saying it is not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise invalid_file(
            f"The file is not text in UTF-8: byte {error.start + 1} cannot be read. Expected "
            f"{what}; export it again from the tool, or save it as UTF-8."
        ) from None


def load_json(data: bytes, *, what: str, arrays_in_a_row: bool = False) -> Any:
    """The file's JSON, or ``Invalid`` naming the line and column where it broke (and saying
    so when the file was cut short, the usual way an export arrives broken).

    ``arrays_in_a_row``: a file of several JSON arrays one after the other (what a paginated
    API client writes, page after page) reads as one array."""
    text = decode_text(data, what=what)
    if not text.strip():
        raise invalid_file(f"The file is empty: expected {what}.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if arrays_in_a_row and error.msg == "Extra data":
            return _arrays_in_a_row(text, what=what)
        raise _broken(text, error, what=what) from None
    except RecursionError:
        raise invalid_file(
            f"The file nests arrays or objects too deeply to be read: expected {what}."
        ) from None


def _arrays_in_a_row(text: str, *, what: str) -> list[Any]:
    decoder = json.JSONDecoder()
    values: list[Any] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return values
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise _broken(text, error, what=what) from None
        if not isinstance(value, list):
            raise invalid_file(
                f"The file holds several JSON values one after the other, and not all are "
                f"arrays: expected {what}."
            )
        values.extend(value)


def _broken(text: str, error: json.JSONDecodeError, *, what: str) -> Invalid:
    end = text.rstrip()
    if error.pos >= len(end) or error.msg.startswith("Unterminated string"):
        line = end.count("\n") + 1
        column = len(end) - (end.rfind("\n") + 1) + 1
        return invalid_file(
            f"The file ends too early, at line {line}, column {column}: "
            f"{what} must be complete. It was probably cut short while it was saved or "
            "uploaded; export it again."
        )
    return invalid_file(
        f"The file is not valid JSON: it breaks at line {error.lineno}, column "
        f"{error.colno} ({error.msg}). Expected {what}; export it again from the tool."
    )


@dataclass(frozen=True)
class CsvRow:
    line: int  # the line of the file the record starts on (the header is line 1)
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


def load_csv(data: bytes, *, what: str, required: Iterable[str]) -> tuple[list[str], list[CsvRow]]:
    """The header and the records of a CSV file, each with the line it starts on; ``Invalid``
    naming the key columns the header lacks."""
    text = decode_text(data, what=what)
    if not text.strip():
        raise invalid_file(f"The file is empty: expected {what}.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip() for name in next(reader)]
        rows: list[CsvRow] = []
        start = reader.line_num + 1
        for record in reader:
            if any(value.strip() for value in record):
                padded = record + [""] * (len(header) - len(record))
                rows.append(CsvRow(start, dict(zip(header, padded, strict=False))))
            start = reader.line_num + 1
    except csv.Error as error:
        why = (
            "a quoted value is never closed (was the file cut short?)"
            if "unexpected end of data" in str(error)
            else str(error)
        )
        raise invalid_file(
            f"The file is not a readable CSV at line {reader.line_num}: {why}. "
            f"Expected {what}; export it again from the tool."
        ) from None
    missing = [column for column in required if column not in header]
    if missing:
        names = ", ".join(f"`{column}`" for column in missing)
        raise Invalid(
            f"The file has no column {names}: expected {what}, whose first line names the "
            f"columns (it has {', '.join(header[:8]) or 'none'}"
            f"{', …' if len(header) > 8 else ''}). Export it again with every column.",
            code=InteropErrorCode.IMPORT_FILE_INVALID,
            errors=[FieldError(column, "This column is missing.") for column in missing],
        )
    return header, rows


def time_zone(name: str | None) -> dt.tzinfo:
    """The zone dates without an offset are read in (``ReadOptions.timezone``; UTC when
    none), or ``Invalid`` naming the zone that does not exist."""
    if not name:
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid.field(
            "timezone",
            f"There is no time zone {shown(name)}: give an IANA name such as Europe/Berlin.",
            code=InteropErrorCode.IMPORT_FILE_INVALID,
        ) from None


# JavaScript's Date.toString(), as some exports write it:
# "Tue Jan 09 2024 14:22:31 GMT+0100 (Central European Standard Time)".
_JS_DATE = re.compile(
    r"^[A-Z][a-z]{2} (?P<date>[A-Z][a-z]{2} \d{2} \d{4} \d{2}:\d{2}:\d{2}) "
    r"GMT(?P<offset>[+-]\d{4})(?: \(.*\))?$"
)


def parse_datetime(value: str | None, *, zone: dt.tzinfo = dt.UTC) -> dt.datetime | None:
    """An ISO 8601 date and time (or date) as an aware datetime; one without an offset is in
    ``zone``. Empty -> None; anything else raises ``ValueError`` saying what it got."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    match = _JS_DATE.match(text)
    try:
        if match:
            moment = dt.datetime.strptime(
                f"{match['date']} {match['offset']}", "%b %d %Y %H:%M:%S %z"
            )
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{shown(text)} is not a date and time (expected ISO 8601)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def parse_date(value: str | None, *, zone: dt.tzinfo = dt.UTC) -> dt.date | None:
    """A calendar date from an ISO date or date and time (the latter read in its own offset,
    so ``2026-03-01T23:00:00-05:00`` is the 1st); empty -> None; else ``ValueError``."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{shown(text)} is not a date (expected YYYY-MM-DD)") from None
    moment = parse_datetime(text, zone=zone)
    return moment.date() if moment else None


def sprint_state(
    start: dt.date | None, end: dt.date | None, *, closed: bool | None = None
) -> Literal["planned", "active", "closed"]:
    """A sprint's state from what the file says: closed when it says so (or, when it does
    not say, when its end has passed), active when today is within its dates, else planned."""
    today = dt.datetime.now(dt.UTC).date()
    if closed or (closed is None and end is not None and end < today):
        return "closed"
    if start is not None and start <= today and (end is None or today <= end):
        return "active"
    return "planned"


def parse_decimal(value: object) -> Decimal | None:
    """A number of story points; empty -> None; anything else raises ``ValueError``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{shown(value)} is not a number")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{shown(value)} is not a number") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{shown(value)} is not a number of points")
    return number


class People:
    """The people a file names, each once, by the key its records use; what one record says
    about a person (a name, an email) adds to what another said."""

    def __init__(self) -> None:
        self._people: dict[str, SourcePerson] = {}

    def add(self, key: str | None, *, name: str = "", email: str = "") -> str | None:
        """Remember someone; returns the key records use for them (None for nobody)."""
        key = (key or "").strip()
        if not key:
            return None
        name, email = name.strip(), email.strip().lower()
        known = self._people.get(key)
        if known is None:
            self._people[key] = SourcePerson(key=key, name=name, email=email)
        elif (name and not known.name) or (email and not known.email):
            self._people[key] = SourcePerson(
                key=key, name=known.name or name, email=known.email or email
            )
        return key

    def add_name_or_email(self, value: str | None) -> str | None:
        """A person a file names by a name or an email (Linear's Creator, Assignee): an email
        is their key (and matched to a member), a name is kept as a name."""
        value = (value or "").strip()
        if not value:
            return None
        if "@" in value:
            return self.add(value.lower(), email=value)
        return self.add(value, name=value)

    def __len__(self) -> int:
        return len(self._people)

    def all(self) -> list[SourcePerson]:
        return list(self._people.values())


def words(text: str) -> str:
    """A name in lower case with punctuation as spaces: "In-Review!" -> "in review"."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


_DONE = frozenset(
    {"done", "complete", "completed", "shipped", "closed", "finished", "released", "live"}
)
_IN_PROGRESS = frozenset(
    {
        "doing",
        "in progress",
        "wip",
        "review",
        "in review",
        "code review",
        "testing",
        "in testing",
        "qa",
        "in qa",
        "started",
        "working",
        "working on it",
        "blocked",
        "ready for review",
        "ready for qa",
    }
)
_TODO = frozenset(
    {
        "todo",
        "to do",
        "backlog",
        "next",
        "up next",
        "ready",
        "open",
        "new",
        "triage",
        "icebox",
        "ideas",
        "planned",
        "unstarted",
    }
)
_CANCELLED = frozenset(
    {"cancelled", "canceled", "won t do", "wont do", "duplicate", "rejected", "not planned"}
)


def category_of(name: str) -> Category | None:
    """The category a status's name says (None when the name does not say one)."""
    said = words(name)
    if said in _CANCELLED:
        return "cancelled"
    if said in _DONE:
        return "done"
    if said in _IN_PROGRESS:
        return "in_progress"
    if said in _TODO:
        return "todo"
    return None


def labels_of(names: Iterable[str | None]) -> tuple[str, ...]:
    """Labels, trimmed, each once, in the file's order."""
    seen: set[str] = set()
    kept: list[str] = []
    for name in names:
        label = (name or "").strip()
        if label and label.lower() not in seen:
            seen.add(label.lower())
            kept.append(label)
    return tuple(kept)


def kind_from_labels(labels: Iterable[str]) -> Kind:
    """A label named like a bug (``bug``, ``type: bug``, ``kind/bug``) makes a bug, one named
    like an epic an epic; else a story."""
    said = {words(label) for label in labels}
    last_words = {label.rsplit(" ", 1)[-1] for label in said if label}
    if "bug" in last_words or "bugs" in last_words or "defect" in last_words:
        return "bug"
    if "epic" in last_words:
        return "epic"
    return "story"


def titled(kind: str, title: str, *, number: object = None) -> str:
    """The ``where`` of a record named by its title: ``card #4 "Pay by link"``."""
    short = " ".join(title.split())
    if len(short) > WHERE_TITLE_LENGTH:
        short = short[: WHERE_TITLE_LENGTH - 1] + "…"
    prefix = f"{kind} #{number}" if number not in (None, "") else kind
    return f'{prefix} "{short}"' if short else prefix


def each(value: object) -> Iterator[Any]:
    """The elements of a JSON array (nothing for null or another type)."""
    if isinstance(value, list):
        yield from value


def text_of(value: object) -> str:
    """A JSON string field as text ('' for null or another type)."""
    return value.strip() if isinstance(value, str) else ""


def fit_hierarchy(bundle: Bundle) -> None:
    """Fit the bundle's items to our breakdown (``fitted_kinds``), saying so in a note."""
    bundle.items, changed = fitted_kinds(bundle.items)
    if changed:
        bundle.notes.append(
            f"{changed} item{'s' if changed != 1 else ''} took another kind or parent to fit "
            "the backlog's breakdown "
            "(under an epic a story, under a story or a bug a task; an item under a task "
            "moves to the task's parent)."
        )


def fitted_kinds(items: list[SourceItem]) -> tuple[list[SourceItem], int]:
    """``items`` with kinds and parents that fit our breakdown (an epic holds stories and bugs,
    a story or a bug holds tasks, a task holds nothing), and how many it changed.

    An item under a parent its kind may not sit under takes the kind one level below the
    parent's (under an epic a story, under a story or a bug a task); an item under a task
    moves up to the task's own parent. The source's links are kept otherwise; a parent that
    is not in the file, or parents in a loop, are left for the importer to name."""
    by_id = {item.external_id: item for item in items}
    if len(by_id) != len(items):  # an id twice: the importer names it, nothing to fit
        return items, 0
    settled: dict[str, SourceItem] = {}

    def fit(item: SourceItem) -> SourceItem:
        fitted, visited = item, {item.external_id}
        while fitted.parent is not None and fitted.parent not in visited:
            parent = settled.get(fitted.parent)
            if parent is None:  # not in the file, or in a loop
                break
            visited.add(parent.external_id)
            if parent.kind in ALLOWED_PARENTS[fitted.kind]:
                break
            if parent.kind == "task":
                fitted = replace(fitted, parent=parent.parent)
                continue
            fitted = replace(fitted, kind="story" if parent.kind == "epic" else "task")
            break
        return fitted

    for item in items:
        # The item's line of parents not settled yet, settled from the top down.
        chain: list[SourceItem] = []
        current: SourceItem | None = item
        on_chain: set[str] = set()
        while (
            current is not None
            and current.external_id not in settled
            and current.external_id not in on_chain
        ):
            chain.append(current)
            on_chain.add(current.external_id)
            current = by_id.get(current.parent) if current.parent is not None else None
        if current is not None and current.external_id in on_chain:
            # Parents in a loop: left as they are, for the importer to name.
            loop = chain[[link.external_id for link in chain].index(current.external_id) :]
            settled.update((link.external_id, link) for link in loop)
            chain = chain[: len(chain) - len(loop)]
        for link in reversed(chain):
            settled[link.external_id] = fit(link)
    fitted = [settled[item.external_id] for item in items]
    return fitted, sum(new is not old for new, old in zip(fitted, items, strict=True))
