"""Dates as Jira writes them: in the exporting user's format and language (``12/Mar/26 3:04 PM``,
``12.03.2026 15:04``, ``3/12/26 3:04 PM``, ``2026-03-12 15:04``), read with a Java-style pattern
given by the person importing or found by trying the formats Jira's locales use on every date of
the file. No Django.

A pattern knows the letters ``yy``/``yyyy``, ``M``/``MM`` (number), ``MMM``/``MMMM`` (month name
in English, German, French or Spanish), ``d``, ``H``, ``h`` with ``a`` (AM/PM), ``m``, ``s``,
``S``, ``E`` (day name, skipped), ``Z``/``X`` (offset) and ``'quoted'`` text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

# Month names and their short forms as Jira's English, German, French and Spanish locales
# write them (lower case, without a trailing dot).
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january januar janv janvier ene enero jän jänner",
        "feb february februar févr fév février febrero",
        "mar march mär mrz märz mars marzo",
        "apr april avr avril abr abril",
        "may mai mayo",
        "jun june juni juin junio",
        "jul july juli juil juillet julio",
        "aug august août aou ago agosto",
        "sep sept september septembre septiembre set setiembre",
        "oct october okt oktober octobre octubre",
        "nov november novembre noviembre",
        "dec december dez dezember déc décembre dic diciembre",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_AM = {"am", "a.m.", "vorm.", "vorm", "a. m."}
_PM = {"pm", "p.m.", "nachm.", "nachm", "p. m."}

# The formats Jira's locales write, tried in this order: when several read every date of a
# file (every day is 12 or less), the first wins and the reader says so in its notes. A
# 12-hour clock goes with the month first (en-US), a 24-hour one with the day first.
CANDIDATES: tuple[str, ...] = (
    "d/MMM/yy h:mm a",
    "d/MMM/yy H:mm",
    "d/MMM/yyyy h:mm a",
    "d/MMM/yyyy H:mm",
    "d.M.yyyy H:mm",
    "d.M.yy H:mm",
    "d. MMM yyyy H:mm",
    "M/d/yy h:mm a",
    "d/M/yy h:mm a",
    "d/M/yy H:mm",
    "M/d/yy H:mm",
    "M/d/yyyy h:mm a",
    "d/M/yyyy h:mm a",
    "d/M/yyyy H:mm",
    "M/d/yyyy H:mm",
    "d-MMM-yyyy H:mm",
    "yyyy-MM-dd H:mm",
    "yyyy-MM-dd H:mm:ss",
    "yyyy/MM/dd H:mm",
    "ISO",
)

_TOKEN = re.compile(r"'[^']*'|([A-Za-z])\1*|\s+|.")

_PATTERN_PARTS: dict[str, tuple[str, str]] = {
    # letter run -> (group name, regex)
    "yyyy": ("year", r"\d{4}"),
    "yy": ("year2", r"\d{2}"),
    "MMMM": ("month_name", r"[^\W\d_]+\.?"),
    "MMM": ("month_name", r"[^\W\d_]+\.?"),
    "MM": ("month", r"\d{1,2}"),
    "M": ("month", r"\d{1,2}"),
    "dd": ("day", r"\d{1,2}"),
    "d": ("day", r"\d{1,2}"),
    "HH": ("hour", r"\d{1,2}"),
    "H": ("hour", r"\d{1,2}"),
    "hh": ("hour12", r"\d{1,2}"),
    "h": ("hour12", r"\d{1,2}"),
    "mm": ("minute", r"\d{2}"),
    "m": ("minute", r"\d{1,2}"),
    "ss": ("second", r"\d{2}"),
    "s": ("second", r"\d{1,2}"),
    "a": ("ampm", r"[AaPp]\.?\s?[Mm]\.?|vorm\.?|nachm\.?"),
}


@dataclass(frozen=True)
class DateFormat:
    """A compiled pattern: ``parse`` gives the datetime a value says (aware when the value has
    an offset, else naive) or raises ValueError saying what is wrong."""

    pattern: str
    parse: Callable[[str], dt.datetime]


def compile_format(pattern: str) -> DateFormat:
    """The parser of a Java-style ``pattern``; ValueError naming a letter it does not know."""
    if pattern == "ISO":
        return DateFormat("ISO", _parse_iso)
    parts: list[str] = []
    seen: set[str] = set()
    for match in _TOKEN.finditer(pattern):
        text = match.group(0)
        if text.startswith("'"):
            parts.append(re.escape(text[1:-1]) if text != "''" else "'")
        elif text.isspace():
            parts.append(r"\s+")
        elif match.group(1):
            parts.append(_letters(text, pattern, seen))
        else:
            parts.append(re.escape(text))
    if not {"day", "year", "year2"} & seen or not {"month", "month_name"} & seen:
        raise ValueError(f"the date format {pattern!r} needs a day (d), a month (M) and a year (y)")
    if "hour12" in seen and "ampm" not in seen:
        raise ValueError(f"the date format {pattern!r} has a 12-hour clock (h) without AM/PM (a)")
    regex = re.compile(r"\s*" + "".join(parts) + r"\s*", re.IGNORECASE)
    return DateFormat(pattern, lambda value: _build(regex, value, pattern))


def _letters(token: str, pattern: str, seen: set[str]) -> str:
    letter = token[0]
    if letter == "y":
        token = "yyyy" if len(token) != 2 else "yy"
    elif letter == "M":
        token = token[:4]
    elif letter in "dHhms":
        token = token[:2]
    if letter == "S":
        return r"(?P<fraction>\d+)"
    if letter == "E":
        return r"[^\W\d_]+\.?,?"
    if letter in "ZX":
        return r"(?P<offset>Z|[+-]\d{2}:?\d{2}|[+-]\d{2})"
    part = _PATTERN_PARTS.get(token)
    if part is None:
        raise ValueError(
            f"the date format {pattern!r} uses {token!r}, which is not a date letter this "
            "reader knows (y, M, d, H, h, m, s, S, a, E, Z)"
        )
    name, regex = part
    if name in seen:
        raise ValueError(f"the date format {pattern!r} names {token!r} twice")
    seen.add(name)
    return f"(?P<{name}>{regex})"


def _build(regex: re.Pattern[str], value: str, pattern: str) -> dt.datetime:
    match = regex.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not a date in the format {pattern}")
    parts = match.groupdict()
    if parts.get("year") is not None:
        year = int(parts["year"])
    else:
        short = int(parts.get("year2") or 0)
        year = 2000 + short if short < 70 else 1900 + short
    if parts.get("month_name") is not None:
        month = month_number(parts["month_name"])
        if month is None:
            raise ValueError(f"{parts['month_name']!r} in {value!r} is not a month name")
    else:
        month = int(parts["month"])
    hour = int(parts.get("hour") or 0)
    if parts.get("hour12") is not None:
        hour = int(parts["hour12"])
        marker = parts["ampm"].lower().replace(" ", "")
        if not 1 <= hour <= 12:
            raise ValueError(f"{value!r} has the hour {hour} on a 12-hour clock")
        hour = hour % 12 + (12 if marker in _PM or marker.startswith("p") else 0)
    fraction = (parts.get("fraction") or "0")[:6].ljust(6, "0")
    try:
        at = dt.datetime(  # noqa: DTZ001 - naive on purpose: the file's zone is applied after
            year,
            month,
            int(parts["day"]),
            hour,
            int(parts.get("minute") or 0),
            int(parts.get("second") or 0),
            int(fraction),
        )
    except ValueError:
        raise ValueError(f"the date {value.strip()!r} does not exist") from None
    offset = parts.get("offset")
    if offset:
        at = at.replace(tzinfo=_offset(offset))
    return at


def _offset(text: str) -> dt.tzinfo:
    if text.upper() == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "").ljust(4, "0")
    minutes = int(digits[:2]) * 60 + int(digits[2:4])
    return dt.timezone(sign * dt.timedelta(minutes=minutes))


def _parse_iso(value: str) -> dt.datetime:
    text = value.strip()
    if len(text) < 10 or text[4] != "-":
        raise ValueError(f"{value!r} is not an ISO 8601 date")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date") from None


def month_number(name: str) -> int | None:
    """The month a name or its short form says in one of the languages read, or None."""
    key = name.strip().rstrip(".").lower()
    number = _MONTHS.get(key)
    if number is None and len(key) >= 3:
        # A longer or shorter spelling: the one month whose names all start alike.
        found = {n for word, n in _MONTHS.items() if word.startswith(key) or key.startswith(word)}
        number = found.pop() if len(found) == 1 else None
    return number


@dataclass(frozen=True)
class Detected:
    """The format found for a file's dates (None when it has none, or none fits), and what the
    reader says about it."""

    format: DateFormat | None
    note: str


# How many values every candidate is tried on; after that only the ones still tied are.
_SAMPLE = 2_000


def detect_format(values: Iterable[str], candidates: Sequence[str] = CANDIDATES) -> Detected:
    """The candidate that reads the most of ``values`` (ties broken by reading all of them, then
    by the order of ``candidates``, with a note when the order decided)."""
    distinct = list(dict.fromkeys(value.strip() for value in values if value.strip()))
    if not distinct:
        return Detected(None, "the file has no dates")
    formats = [compile_format(pattern) for pattern in candidates]
    sample = distinct[:_SAMPLE]
    scores = [sum(_reads(fmt, value) for value in sample) for fmt in formats]
    best = max(scores)
    if best == 0:
        return Detected(
            None,
            f"no date format fits dates such as {distinct[0]!r}: give the file's format "
            "(such as dd/MMM/yy h:mm a)",
        )
    tied = [fmt for fmt, score in zip(formats, scores, strict=True) if score == best]
    rest = distinct[_SAMPLE:]
    if len(tied) > 1 and rest:
        counts = [sum(_reads(fmt, value) for value in rest) for fmt in tied]
        top = max(counts)
        tied = [fmt for fmt, count in zip(tied, counts, strict=True) if count == top]
    chosen = tied[0]
    if len(tied) > 1:
        others = ", ".join(fmt.pattern for fmt in tied[1:])
        return Detected(
            chosen,
            f"dates read as {chosen.pattern}; every date also reads as {others}: give the "
            "date format if days and months are the other way round",
        )
    return Detected(chosen, f"dates read as {chosen.pattern}")


def _reads(fmt: DateFormat, value: str) -> bool:
    try:
        fmt.parse(value)
    except ValueError:
        return False
    return True


def aware(at: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """``at`` in ``zone`` when the file did not say its offset."""
    return at if at.tzinfo is not None else at.replace(tzinfo=zone)
