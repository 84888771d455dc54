"""Which column of a file holds which field: found from obvious headers ("Comment" is the
text, "Company" the customer), and overridden by the person importing (``text=Verbatim``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lodestar.core.errors import Invalid
from lodestar.discovery.errors import DiscoveryErrorCode as Code


@dataclass(frozen=True)
class Field:
    """A field an import fills, the headers that name it, and whether a file must have it."""

    name: str
    label: str
    headers: tuple[str, ...]
    required: bool = False


FEEDBACK_FIELDS: tuple[Field, ...] = (
    Field(
        "text",
        "Text",
        (
            "text", "feedback", "comment", "comments", "body", "message", "description",
            "content", "verbatim", "review", "feedback text",
        ),
        required=True,
    ),
    Field(
        "customer",
        "Customer",
        ("customer", "company", "account", "organization", "organisation", "customer name",
         "company name", "account name"),
    ),
    Field(
        "customer_id",
        "Customer's external id",
        ("customer id", "customer external id", "external id", "crm id", "account id",
         "company id"),
    ),
    Field(
        "email",
        "Contact's email",
        ("email", "e mail", "contact", "contact email", "email address", "customer email"),
    ),
    Field(
        "received_at",
        "Date",
        ("date", "created", "created at", "received", "received at", "received on",
         "submitted", "submitted at", "timestamp"),
    ),
    Field("source", "Source", ("source", "channel")),
    Field("tags", "Tags", ("tags", "tag", "labels", "label")),
    Field("notes", "Notes", ("notes", "internal notes", "note")),
)  # fmt: skip

CUSTOMER_FIELDS: tuple[Field, ...] = (
    Field(
        "name",
        "Name",
        ("name", "customer", "company", "account", "customer name", "company name",
         "account name", "organization", "organisation"),
        required=True,
    ),
    Field("segment", "Segment", ("segment", "tier")),
    Field("plan", "Plan", ("plan", "subscription")),
    Field("arr", "ARR", ("arr", "annual recurring revenue", "annual revenue")),
    Field(
        "external_id",
        "External id",
        ("external id", "id", "crm id", "customer id", "account id", "company id"),
    ),
    Field("notes", "Notes", ("notes", "note", "description")),
)  # fmt: skip


def header_key(header: str) -> str:
    """A header as it is compared: lower case, ``_`` and ``-`` as spaces, spaces collapsed."""
    return " ".join(re.sub(r"[_\-.]+", " ", header).lower().split())


@dataclass(frozen=True)
class ColumnMap:
    """The column index of each mapped field (a field without a column is absent)."""

    columns: dict[str, int]
    headers: list[str]

    def header(self, name: str) -> str:
        return self.headers[self.columns[name]]


def parse_pairs(pairs: Sequence[str], *, separators: str = "=:") -> dict[str, str]:
    """``["text=Comment", "tags="]`` -> ``{"text": "Comment", "tags": ""}``; a pair without a
    separator is refused, naming it."""
    found: dict[str, str] = {}
    for pair in pairs:
        cut = min((i for i in (pair.find(s) for s in separators) if i >= 0), default=-1)
        if cut <= 0:
            raise Invalid.field(
                "map",
                f"“{pair}” is not a mapping; write FIELD=COLUMN, such as text=Comment",
                code=Code.IMPORT_COLUMNS_INVALID,
            )
        found[pair[:cut].strip().lower()] = pair[cut + 1 :].strip()
    return found


def _names(fields: Sequence[Field]) -> str:
    return ", ".join(field.name for field in fields)


def _listed(headers: Sequence[str]) -> str:
    return ", ".join(f"“{header}”" for header in headers if header) or "none"


def resolve(
    fields: Sequence[Field], headers: list[str], overrides: Mapping[str, str] | None = None
) -> ColumnMap:
    """Map ``headers`` to ``fields``: each override (field -> header; an empty header leaves
    the field out), then each remaining field to the first header that names it. A missing
    required field names the headers found and the ones expected."""
    by_name = {field.name: field for field in fields}
    keys = [header_key(header) for header in headers]
    columns: dict[str, int] = {}
    for name, header in (overrides or {}).items():
        if name not in by_name:
            raise Invalid.field(
                "map",
                f"“{name}” is not a field of this import; the fields are {_names(fields)}",
                code=Code.IMPORT_COLUMNS_INVALID,
            )
        if not header:
            columns[name] = -1
            continue
        key = header_key(header)
        if key not in keys:
            raise Invalid.field(
                "map",
                f"{name}: the file has no column “{header}”; its columns are {_listed(headers)}",
                code=Code.IMPORT_COLUMNS_INVALID,
            )
        columns[name] = keys.index(key)
    taken = set(columns.values())
    for field in fields:
        if field.name in columns:
            continue
        for index, key in enumerate(keys):
            if index not in taken and key in field.headers:
                columns[field.name] = index
                taken.add(index)
                break
    columns = {name: index for name, index in columns.items() if index >= 0}
    for field in fields:
        if field.required and field.name not in columns:
            raise Invalid.field(
                "file",
                f"has no column for “{field.name}” (a header such as "
                f"{', '.join(field.headers[:4])}); its columns are {_listed(headers)}. Rename "
                f"the column, or map it: {field.name}=COLUMN",
                code=Code.IMPORT_COLUMNS_INVALID,
            )
    return ColumnMap(columns=columns, headers=headers)
