"""One search for every context: what each ``ObjectType`` declares as its ``search`` document
is indexed as services write (``core.search.index``, called by ``core.history``), and found
here, on SQLite (FTS5) and PostgreSQL (``tsvector``) alike (``core.search.backends``).

- ``search(actor=..., text=...)``: a page of hits in the actor's workspace, of the kinds the
  actor may view, newest first or by relevance, each with its title and a snippet as HTML in
  which only the matches are marked (``<mark>``) and everything else is escaped;
- ``similar(workspace_id, text)``: the stored documents that share the most telling words with
  a text, each with its score and the words it shares (for "you may mean this one").
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lodestar.core.actors import Actor
from lodestar.core.errors import Forbidden, Invalid
from lodestar.core.registry import ObjectType, registry
from lodestar.core.search.backends import (
    MARK_END,
    MARK_START,
    Filters,
    Match,
    backend,
    key_floor,
)
from lodestar.core.search.query import Query, parse

__all__ = [
    "MAX_QUERY",
    "Hit",
    "SearchPage",
    "SearchSort",
    "SimilarHit",
    "marked_html",
    "parse",
    "search",
    "searchable_kinds",
    "similar",
]

# The longest query taken (a search box's text, not a document).
MAX_QUERY = 500
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Relevance pages go this deep at most (ranking every match again for each page).
MAX_OFFSET = 1000
MAX_FACET = 200
SIMILAR_LIMIT = 5
SIMILAR_MAX_LIMIT = 50


class SearchSort(StrEnum):
    NEWEST = "newest"
    RELEVANCE = "relevance"


def marked_html(text: str) -> SafeString:
    """``text`` escaped, with the spans between mark characters as ``<mark>``: the only HTML
    a hit carries."""
    out: list[str] = []
    open_ = False
    for index, part in enumerate(text.replace(MARK_END, MARK_START + MARK_END).split(MARK_START)):
        if index > 0:
            if part.startswith(MARK_END):
                part = part[1:]
                if open_:
                    out.append("</mark>")
                    open_ = False
            elif not open_:
                out.append("<mark>")
                open_ = True
        out.append(escape(part))
    if open_:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - every part of the text is escaped above


def _plain(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


@dataclass(frozen=True)
class Hit:
    """One object a search found."""

    kind: str
    label: str
    id: int
    title: str
    title_html: SafeString
    snippet_html: SafeString
    url: str | None
    at: dt.datetime
    score: float | None
    obj: Any


@dataclass(frozen=True)
class SearchPage:
    items: list[Hit]
    next_cursor: str | None
    # The kinds searched (those asked for that the actor may view).
    kinds: list[str]


def searchable_kinds(actor: Actor) -> list[ObjectType]:
    """The kinds that declare a search document and that ``actor`` may view, by name."""
    kinds = []
    for object_type in registry().searchable():
        permission = object_type.permissions.get("view")
        if permission is None:
            continue
        try:
            registry().require(actor, permission)
        except Forbidden:
            continue
        kinds.append(object_type)
    return kinds


def _cursor(sort: SearchSort, value: int) -> str:
    raw = json.dumps([sort.value, value], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_cursor(cursor: str, sort: SearchSort) -> int:
    problem = Invalid.field("cursor", "is not a cursor this search gave out")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise problem from exc
    if (
        not isinstance(values, list)
        or len(values) != 2
        or values[0] != sort.value
        or not isinstance(values[1], int)
        or isinstance(values[1], bool)
        or values[1] < 0
    ):
        raise problem
    return values[1]


def _check_text(text: str) -> Query:
    if not text.strip():
        raise Invalid.field("q", "is empty: give the words to search for")
    if len(text) > MAX_QUERY:
        raise Invalid.field("q", f"is longer than {MAX_QUERY} characters")
    return parse(text)


def _check_kinds(actor: Actor, kinds: Sequence[str] | None) -> list[str]:
    known = {object_type.name for object_type in registry().searchable()}
    allowed = [object_type.name for object_type in searchable_kinds(actor)]
    if not kinds:
        return allowed
    unknown = [kind for kind in kinds if kind not in known]
    if unknown:
        raise Invalid.field(
            "kind",
            f"names no kind of object that search knows: {', '.join(sorted(set(unknown)))} "
            f"(known: {', '.join(sorted(known))})",
        )
    return [kind for kind in allowed if kind in kinds]


def _check_facets(facets: Mapping[str, str | None]) -> dict[str, str]:
    checked: dict[str, str] = {}
    for name, value in facets.items():
        if value is None:
            continue
        if not value.strip():
            raise Invalid.field(name, "is empty")
        if len(value) > MAX_FACET:
            raise Invalid.field(name, f"is longer than {MAX_FACET} characters")
        checked[name] = value.strip().casefold()
    return checked


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _load(matches: Sequence[Match]) -> dict[tuple[str, int], Any]:
    """The live objects of ``matches``, one query per kind (a match whose object is gone or
    in the trash is left out)."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for match in matches:
        by_kind[match.kind].append(match.object_id)
    found: dict[tuple[str, int], Any] = {}
    for kind, ids in by_kind.items():
        object_type = registry().object_type(kind)
        if object_type is None:
            continue
        qs = object_type.model._default_manager.filter(pk__in=ids)
        if object_type.workspace != "pk":
            qs = qs.select_related(object_type.workspace)
        for obj in qs:
            found[(kind, int(obj.pk))] = obj
    return found


def _hit(match: Match, obj: Any, *, relevance: bool) -> Hit:
    object_type = registry().object_type(match.kind)
    assert object_type is not None  # noqa: S101 - _load only keeps declared kinds
    return Hit(
        kind=match.kind,
        label=object_type.label,
        id=match.object_id,
        title=_plain(match.title),
        title_html=marked_html(match.title),
        snippet_html=marked_html(match.snippet),
        url=object_type.url(obj) if object_type.url is not None else None,
        at=match.at,
        score=round(match.score, 6) if relevance else None,
        obj=obj,
    )


def search(
    *,
    actor: Actor,
    text: str,
    kinds: Sequence[str] | None = None,
    facets: Mapping[str, str | None] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    sort: SearchSort | str = SearchSort.NEWEST,
    limit: int | None = None,
    cursor: str | None = None,
) -> SearchPage:
    """A page of what ``text`` finds in the actor's workspace.

    ``kinds`` narrows to object types by name (an unknown one is a 422 naming it); ``facets``
    to documents whose facet of that name holds the value; ``date_from`` and ``date_to``
    (inclusive days, UTC) to sort dates in that range. Newest first (by each document's
    ``at`` or ``updated_at``) unless ``sort`` is ``relevance``.
    """
    query = _check_text(text)
    try:
        order = SearchSort(sort)
    except ValueError:
        raise Invalid.field("sort", "must be newest or relevance") from None
    size = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= size <= MAX_LIMIT:
        raise Invalid.field("limit", f"must be between 1 and {MAX_LIMIT}")
    if date_from is not None and date_to is not None and date_to < date_from:
        raise Invalid.field("to", "is before from")
    position = _read_cursor(cursor, order) if cursor else None
    searched = _check_kinds(actor, kinds)
    filters = Filters(
        kinds=searched,
        facets=_check_facets(facets or {}),
        low=key_floor(_day_start(date_from)) if date_from else None,
        high=key_floor(_day_start(date_to + dt.timedelta(days=1))) if date_to else None,
    )
    relevance = order is SearchSort.RELEVANCE
    offset = (position or 0) if relevance else 0
    if offset > MAX_OFFSET:
        raise Invalid.field("cursor", f"goes deeper than {MAX_OFFSET} results")
    matches = backend().search(
        actor.workspace_id,
        query,
        filters,
        relevance=relevance,
        limit=size + 1,
        before=None if relevance else position,
        offset=offset,
    )
    more = len(matches) > size
    matches = matches[:size]
    objects = _load(matches)
    hits = [
        _hit(match, objects[(match.kind, match.object_id)], relevance=relevance)
        for match in matches
        if (match.kind, match.object_id) in objects
    ]
    next_cursor = None
    if more and matches:
        next_cursor = _cursor(order, offset + size if relevance else matches[-1].key)
    return SearchPage(items=hits, next_cursor=next_cursor, kinds=searched)


@dataclass(frozen=True)
class SimilarHit:
    """A stored document like a given text: its score and the words they share."""

    kind: str
    label: str
    id: int
    title: str
    snippet_html: SafeString
    url: str | None
    at: dt.datetime
    score: float
    shared: list[str]
    obj: Any


def similar(
    workspace_id: int,
    text: str,
    *,
    kinds: Sequence[str] | None = None,
    limit: int = SIMILAR_LIMIT,
    exclude: Iterable[tuple[str, int]] = (),
) -> list[SimilarHit]:
    """The documents of ``workspace_id`` (of ``kinds``, by name; all searchable kinds when
    None) lexically most like ``text``, best first: its telling words (no stop words, the
    rarest in the index first) ORed and ranked by BM25 (SQLite) or ``ts_rank_cd``
    (PostgreSQL). ``exclude`` leaves out ``(kind, id)`` pairs (the text's own document).

    The caller decides who may see them (it asks for kinds its actor may view)."""
    if not 1 <= limit <= SIMILAR_MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {SIMILAR_MAX_LIMIT}")
    names = list(kinds) if kinds is not None else [t.name for t in registry().searchable()]
    matches = backend().similar(
        workspace_id,
        text[: MAX_QUERY * 40],
        kinds=names,
        limit=limit,
        exclude=list(exclude),
    )
    objects = _load(matches)
    found = []
    for match in matches:
        obj = objects.get((match.kind, match.object_id))
        if obj is None:
            continue
        object_type = registry().object_type(match.kind)
        assert object_type is not None  # noqa: S101 - _load only keeps declared kinds
        found.append(
            SimilarHit(
                kind=match.kind,
                label=object_type.label,
                id=match.object_id,
                title=_plain(match.title),
                snippet_html=marked_html(match.snippet),
                url=object_type.url(obj) if object_type.url is not None else None,
                at=match.at,
                score=round(match.score, 6),
                shared=list(match.shared),
                obj=obj,
            )
        )
    return found
