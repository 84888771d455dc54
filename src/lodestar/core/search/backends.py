"""The search index's SQL, once per database: SQLite's FTS5 and PostgreSQL's full-text search.

``backend()`` picks the one for the connection (``core.db.is_postgresql``). Both store the
same rows (``core.models.SearchEntry``) and answer the same questions, in the same shapes:

- ``upsert(rows)`` / ``delete(kind, ids)``: keep the index in step, in one statement per
  batch; ``insert(rows)`` for objects known to have no entry (a rebuild, after deleting
  theirs): no lookup, no conflict handling;
- ``search(...)``: matches of a parsed query, newest first (the primary key is the sort key) or
  by relevance (BM25 on SQLite, ``ts_rank_cd`` on PostgreSQL), with the title and a snippet
  marked with control characters (``MARK_START``/``MARK_END``) where they match;
- ``similar(...)``: the entries that share the most telling words with a text.

Text from the user only ever reaches the SQL as parameters, and only as expressions written
by ``core.search.query`` from parsed terms.
"""

# ruff: noqa: S608 - the SQL here is written from constants and placeholders; user text and
# every value travel as parameters (the module's docstring says how).
from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from django.db import connection as default_connection
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from lodestar.core.db import POSTGRESQL_BATCH, is_postgresql
from lodestar.core.search import query as q

# Around each matching word in titles and snippets; removed from indexed text, so that only a
# match is ever marked (``core.search.results`` turns them into <mark> after escaping).
MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
# Words in a snippet.
SNIPPET_WORDS = 24
# The sort key: the sort date's seconds since the epoch above COUNTER_BITS bits of counter.
COUNTER_BITS = 31
MAX_SECONDS = 2**32 - 1
# ``similar`` keeps the rarest words of a text until their documents add up to this many (a
# word in half the documents says little about any of them, and costs the most to rank).
SIMILAR_POSTINGS = 10_000
SIMILAR_MIN_WORDS = 2
SIMILAR_MAX_WORDS = 12


def seconds_of(moment: dt.datetime) -> int:
    """The sort key's date part of ``moment`` (clamped to what the key can hold)."""
    return min(max(int(moment.timestamp()), 0), MAX_SECONDS)


def key_floor(moment: dt.datetime) -> int:
    """The lowest sort key at ``moment``'s second (for date ranges)."""
    return seconds_of(moment) << COUNTER_BITS


@dataclass(frozen=True)
class Row:
    """One entry to store."""

    workspace_id: int
    kind: str
    object_id: int
    title: str
    body: str
    at: dt.datetime
    facets: dict[str, list[str]]


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to, besides its workspace."""

    kinds: Sequence[str]
    facets: dict[str, str]
    # The sort key range (from ``key_floor``): low inclusive, high exclusive.
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Match:
    """One entry a search found."""

    key: int
    kind: str
    object_id: int
    title: str
    snippet: str
    at: dt.datetime
    score: float
    # The words of the entry that matched (``similar`` only), as written there, lowercased.
    shared: tuple[str, ...] = ()


def marked_words(*texts: str) -> tuple[str, ...]:
    """The distinct words between marks in ``texts``, lowercased, in order."""
    words: dict[str, None] = {}
    for text in texts:
        for part in text.split(MARK_START)[1:]:
            word = part.split(MARK_END, 1)[0].strip().lower()
            if word:
                words[word] = None
    return tuple(words)


class Backend(Protocol):
    def upsert(self, rows: Sequence[Row]) -> None: ...

    def insert(self, rows: Sequence[Row]) -> None: ...

    def delete(self, kind: str, object_ids: Sequence[int]) -> None: ...

    def search(
        self,
        workspace_id: int,
        query: q.Query,
        filters: Filters,
        *,
        relevance: bool,
        limit: int,
        before: int | None,
        offset: int,
    ) -> list[Match]: ...

    def similar(
        self,
        workspace_id: int,
        text: str,
        *,
        kinds: Sequence[str],
        limit: int,
        exclude: Sequence[tuple[str, int]],
    ) -> list[Match]: ...


def clean(text: str) -> str:
    """Text as stored: without the mark characters or NULs."""
    return text.replace(MARK_START, "").replace(MARK_END, "").replace("\x00", "")


def _facets_json(facets: dict[str, list[str]]) -> str:
    return json.dumps(facets, sort_keys=True, separators=(",", ":"))


def _dedupe(rows: Sequence[Row]) -> list[Row]:
    """One row per object (the last given): a statement may touch a row only once."""
    return list({(row.kind, row.object_id): row for row in rows}.values())


# -- SQLite ------------------------------------------------------------------------------------


_SQLITE_INSERT = (
    "INSERT INTO core_search_entry (id, workspace_id, kind, object_id, title, body, at, facets) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)
# The FTS rows of new entries, written here rather than by a trigger: one executemany over a
# batch is more than twice as fast. Updates and deletes go through triggers (an update of the
# text, a cascade from a deleted workspace), which keep the FTS table in step whatever writes.
_SQLITE_FTS_INSERT = "INSERT INTO core_search_fts (rowid, title, body) VALUES (%s, %s, %s)"
_SQLITE_UPDATE = (
    "UPDATE core_search_entry SET "
    # The key changes with the date only: an unchanged date keeps its place.
    "id = CASE WHEN at = %s THEN id ELSE %s END, "
    "workspace_id = %s, title = %s, body = %s, at = %s, facets = %s "
    "WHERE kind = %s AND object_id = %s AND (title IS NOT %s OR body IS NOT %s OR at IS NOT %s "
    "OR facets IS NOT %s OR workspace_id IS NOT %s)"
)
# Object ids per statement when looking up which entries exist.
SQLITE_LOOKUP = 500
# Relevance ranks the newest this many matches (ranking all of a million would take seconds);
# ``similar`` considers this many of the documents that share its words.
RELEVANCE_CANDIDATES = 2_000
# PostgreSQL reads each candidate's row (its tsvector) to rank it, where FTS5 reads its index:
# fewer there. The rows read are at most about sqrt(candidates x rows) (see ``_walk``).
PG_RELEVANCE_CANDIDATES = 500
# PostgreSQL reads the row of each document it ranks for ``similar``: fewer of them there.
PG_SIMILAR_POSTINGS = 3_000
# A bound for when even a text's rarest words are common (the words' choice keeps the
# documents that share them under SIMILAR_POSTINGS otherwise).
SIMILAR_CANDIDATES = 10_000


class SqliteBackend:
    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def _existing(self, cursor: Any, rows: Sequence[Row]) -> set[tuple[str, int]]:
        """Which of ``rows`` already have an entry."""
        by_kind: dict[str, list[int]] = {}
        for row in rows:
            by_kind.setdefault(row.kind, []).append(row.object_id)
        found: set[tuple[str, int]] = set()
        for kind, ids in by_kind.items():
            for start in range(0, len(ids), SQLITE_LOOKUP):
                batch = ids[start : start + SQLITE_LOOKUP]
                marks = ", ".join(["%s"] * len(batch))
                cursor.execute(
                    "SELECT object_id FROM core_search_entry WHERE kind = %s "
                    f"AND object_id IN ({marks})",
                    [kind, *batch],
                )
                found.update((kind, int(r[0])) for r in cursor.fetchall())
        return found

    def upsert(self, rows: Sequence[Row]) -> None:
        rows = _dedupe(rows)
        if not rows:
            return
        ops = self.connection.ops
        # One transaction (the caller's, when there is one): the lookup, the counter and the
        # writes see the same rows.
        with (
            transaction.atomic(using=self.connection.alias, savepoint=False),
            self.connection.cursor() as cursor,
        ):
            existing = self._existing(cursor, rows)
            start = self._counter(cursor, len(rows))
            mask = (1 << COUNTER_BITS) - 1
            inserts: list[tuple[Any, ...]] = []
            updates: list[tuple[Any, ...]] = []
            for index, row in enumerate(rows):
                key = (seconds_of(row.at) << COUNTER_BITS) | ((start + index) & mask)
                at = ops.adapt_datetimefield_value(row.at)
                facets = _facets_json(row.facets)
                if (row.kind, row.object_id) in existing:
                    updates.append(
                        (at, key, row.workspace_id, row.title, row.body, at, facets,
                         row.kind, row.object_id,
                         row.title, row.body, at, facets, row.workspace_id)
                    )  # fmt: skip
                else:
                    inserts.append(
                        (key, row.workspace_id, row.kind, row.object_id, row.title, row.body,
                         at, facets)
                    )  # fmt: skip
            if inserts:
                cursor.executemany(_SQLITE_INSERT, inserts)
                cursor.executemany(_SQLITE_FTS_INSERT, [(r[0], r[4], r[5]) for r in inserts])
            if updates:
                cursor.executemany(_SQLITE_UPDATE, updates)

    @staticmethod
    def _counter(cursor: Any, count: int) -> int:
        """The first of ``count`` counter values taken for new entries."""
        # Writers take turns on SQLite, so the counter's block is this transaction's.
        cursor.execute(
            "UPDATE core_search_counter SET value = value + %s WHERE id = 1 RETURNING value",
            [count],
        )
        return int(cursor.fetchone()[0]) - count + 1

    def insert(self, rows: Sequence[Row]) -> None:
        """Store ``rows``, none of which has an entry yet."""
        rows = _dedupe(rows)
        if not rows:
            return
        adapt = self.connection.ops.adapt_datetimefield_value
        mask = (1 << COUNTER_BITS) - 1
        with (
            transaction.atomic(using=self.connection.alias, savepoint=False),
            self.connection.cursor() as cursor,
        ):
            start = self._counter(cursor, len(rows))
            inserts = [
                ((seconds_of(row.at) << COUNTER_BITS) | ((start + index) & mask),
                 row.workspace_id, row.kind, row.object_id, row.title, row.body, adapt(row.at),
                 _facets_json(row.facets))
                for index, row in enumerate(rows)
            ]  # fmt: skip
            cursor.executemany(_SQLITE_INSERT, inserts)
            cursor.executemany(_SQLITE_FTS_INSERT, [(r[0], r[4], r[5]) for r in inserts])

    def delete(self, kind: str, object_ids: Sequence[int]) -> None:
        with self.connection.cursor() as cursor:
            for start in range(0, len(object_ids), 500):
                batch = list(object_ids[start : start + 500])
                marks = ", ".join(["%s"] * len(batch))
                cursor.execute(
                    f"DELETE FROM core_search_entry WHERE kind = %s AND object_id IN ({marks})",
                    [kind, *batch],
                )

    def _where(
        self, workspace_id: int, filters: Filters, before: int | None
    ) -> tuple[list[str], list[Any]]:
        where = ["e.workspace_id = %s"]
        params: list[Any] = [workspace_id]
        where.append("e.kind IN (" + ", ".join(["%s"] * len(filters.kinds)) + ")")
        params.extend(filters.kinds)
        for name, value in sorted(filters.facets.items()):
            # instr() first: a cheap test that turns most rows away before JSON is parsed.
            where.append(
                "instr(e.facets, json_quote(%s)) > 0 AND "
                "EXISTS (SELECT 1 FROM json_each(e.facets, %s) WHERE value = %s)"
            )
            params.extend([value, f'$."{name}"', value])
        # Ranges on the FTS table's rowid, so that FTS5 itself skips what is out of range.
        if filters.low is not None:
            where.append("core_search_fts.rowid >= %s")
            params.append(filters.low)
        if filters.high is not None:
            where.append("core_search_fts.rowid < %s")
            params.append(filters.high)
        if before is not None:
            where.append("core_search_fts.rowid < %s")
            params.append(before)
        return where, params

    def _rows(self, sql: str, params: list[Any], *, shared: bool = False) -> list[Match]:
        convert = self.connection.ops.convert_datetimefield_value  # type: ignore[attr-defined]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        return [
            Match(
                key=int(row[0]),
                kind=row[1],
                object_id=int(row[2]),
                title=row[3] or "",
                snippet=row[4] or "",
                at=_aware(convert(row[5], None, self.connection)),
                score=-float(row[6]),
                shared=marked_words(row[3] or "", row[7] or "") if shared else (),
            )
            for row in found
        ]

    def search(
        self,
        workspace_id: int,
        query: q.Query,
        filters: Filters,
        *,
        relevance: bool,
        limit: int,
        before: int | None,
        offset: int,
    ) -> list[Match]:
        if not query or not filters.kinds:
            return []
        where, params = self._where(workspace_id, filters, None if relevance else before)
        expression = q.fts5_expression(query)
        if relevance:
            where, params = self._newest(expression, where, params, RELEVANCE_CANDIDATES)
            return self._ranked(expression, where, params, limit=limit, offset=offset)
        # CROSS JOIN keeps the FTS table outermost: it yields matches in rowid (date) order
        # and the LIMIT stops it after the page, however many documents match (the snippets
        # are made for the page's rows only: no sorting).
        sql = (
            "SELECT e.id, e.kind, e.object_id, "
            "highlight(core_search_fts, 0, char(2), char(3)), "
            f"snippet(core_search_fts, 1, char(2), char(3), '{ELLIPSIS}', {SNIPPET_WORDS}), "
            "e.at, rank "
            "FROM core_search_fts CROSS JOIN core_search_entry e "
            "WHERE e.id = core_search_fts.rowid AND core_search_fts MATCH %s AND "
            + " AND ".join(where)
            + " ORDER BY core_search_fts.rowid DESC LIMIT %s OFFSET %s"
        )
        return self._rows(sql, [expression, *params, limit, offset])

    def _ranked(
        self,
        expression: str,
        where: list[str],
        params: list[Any],
        *,
        limit: int,
        offset: int,
        shared: bool = False,
    ) -> list[Match]:
        """The page of matches by BM25 (the ``rank`` the migration configured), in two steps:
        the keys in order first, then titles and snippets for those keys alone (SQLite would
        otherwise make a snippet for every candidate before sorting them)."""
        sql = (
            "SELECT core_search_fts.rowid, rank FROM core_search_fts "
            "CROSS JOIN core_search_entry e "
            "WHERE e.id = core_search_fts.rowid AND core_search_fts MATCH %s AND "
            + " AND ".join(where)
            + " ORDER BY rank, core_search_fts.rowid DESC LIMIT %s OFFSET %s"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [expression, *params, limit, offset])
            ranked = [(int(key), float(score)) for key, score in cursor.fetchall()]
        if not ranked:
            return []
        keys = [key for key, _ in ranked]
        marks = ", ".join(["%s"] * len(keys))
        # The range lets FTS5 seek to the page's keys (it does not for IN alone); the scores
        # come from the first step (asking for ``rank`` again would rank every match).
        sql = (
            "SELECT e.id, e.kind, e.object_id, "
            "highlight(core_search_fts, 0, char(2), char(3)), "
            f"snippet(core_search_fts, 1, char(2), char(3), '{ELLIPSIS}', {SNIPPET_WORDS}), "
            "e.at, 0"
            + (", highlight(core_search_fts, 1, char(2), char(3)) " if shared else " ")
            + "FROM core_search_fts CROSS JOIN core_search_entry e "
            "WHERE e.id = core_search_fts.rowid AND core_search_fts MATCH %s "
            "AND core_search_fts.rowid >= %s AND core_search_fts.rowid <= %s "
            f"AND core_search_fts.rowid IN ({marks})"
        )
        found = {
            match.key: match
            for match in self._rows(sql, [expression, min(keys), max(keys), *keys], shared=shared)
        }
        return [replace(found[key], score=-score) for key, score in ranked if key in found]

    def _newest(
        self, expression: str, where: list[str], params: list[Any], count: int
    ) -> tuple[list[str], list[Any]]:
        """``where`` narrowed to the newest ``count`` matches (unchanged when fewer match):
        their lowest key, found by walking the matches newest first, bounds the rowids that
        FTS5 then ranks."""
        sql = (
            "SELECT core_search_fts.rowid FROM core_search_fts CROSS JOIN core_search_entry e "
            "WHERE e.id = core_search_fts.rowid AND core_search_fts MATCH %s AND "
            + " AND ".join(where)
            + " ORDER BY core_search_fts.rowid DESC LIMIT 1 OFFSET %s"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [expression, *params, count - 1])
            found = cursor.fetchone()
        if found is None:
            return where, params
        return [*where, "core_search_fts.rowid >= %s"], [*params, int(found[0])]

    def _telling_words(self, text: str) -> list[str]:
        """The words of ``text`` as the index stems them, the rarest first, until they cover
        ``SIMILAR_POSTINGS`` documents (always the ``SIMILAR_MIN_WORDS`` rarest)."""
        words = q.significant_words(text)
        if not words:
            return []
        with self.connection.cursor() as cursor:
            # The index's own tokenizer stems the words: a scratch FTS5 table in this
            # connection's temporary schema (never written to the database file).
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_scratch USING fts5(t, "
                "tokenize='porter unicode61 remove_diacritics 2')"
            )
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_scratch_vocab "
                "USING fts5vocab(temp, search_scratch, row)"
            )
            cursor.execute("DELETE FROM temp.search_scratch")
            cursor.execute("INSERT INTO temp.search_scratch (t) VALUES (%s)", [" ".join(words)])
            cursor.execute("SELECT term FROM temp.search_scratch_vocab")
            stems = [row[0] for row in cursor.fetchall()]
            cursor.execute("DELETE FROM temp.search_scratch")
            if not stems:
                return []
            # How many documents hold each stem, counted up to just over SIMILAR_POSTINGS
            # (beyond, a word is too common to choose anyway; the fts5vocab table would count
            # every document of a common word, hundreds of milliseconds over a million).
            values = ", ".join(["(%s, %s)"] * len(stems))
            cursor.execute(
                "SELECT v.column1, (SELECT count(*) FROM (SELECT 1 FROM core_search_fts "
                "WHERE core_search_fts MATCH v.column2 LIMIT %s)) "
                f"FROM (VALUES {values}) AS v",
                [
                    SIMILAR_POSTINGS + 1,
                    *(part for stem in stems for part in (stem, q.fts5_any([stem]))),
                ],
            )
            counts = {str(term): int(count) for term, count in cursor.fetchall()}
        return _rarest(stems, counts)

    def similar(
        self,
        workspace_id: int,
        text: str,
        *,
        kinds: Sequence[str],
        limit: int,
        exclude: Sequence[tuple[str, int]],
    ) -> list[Match]:
        words = self._telling_words(text)
        if not words or not kinds:
            return []
        where, params = self._where(workspace_id, Filters(kinds=kinds, facets={}), None)
        for kind, object_id in exclude:
            where.append("NOT (e.kind = %s AND e.object_id = %s)")
            params.extend([kind, object_id])
        # Stems as the index holds them (porter leaves a stem as it is).
        expression = q.fts5_any(words)
        where, params = self._newest(expression, where, params, SIMILAR_CANDIDATES)
        return self._ranked(expression, where, params, limit=limit, offset=0, shared=True)


def _rarest(
    words: list[str], counts: dict[str, int], postings: int = SIMILAR_POSTINGS
) -> list[str]:
    """``words`` that occur in the index, rarest first, as many as ``SIMILAR_POSTINGS``
    allows (at least ``SIMILAR_MIN_WORDS``, at most ``SIMILAR_MAX_WORDS``)."""
    order = {word: index for index, word in reversed(list(enumerate(words)))}
    present = sorted((counts[w], order[w], w) for w in set(words) if counts.get(w))
    chosen: list[str] = []
    total = 0
    for count, _, word in present:
        if len(chosen) >= SIMILAR_MAX_WORDS:
            break
        if len(chosen) >= SIMILAR_MIN_WORDS and total + count > postings:
            break
        chosen.append(word)
        total += count
    return chosen


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


# -- PostgreSQL --------------------------------------------------------------------------------

_PG_UPSERT = (
    "INSERT INTO core_search_entry (id, workspace_id, kind, object_id, title, body, at, facets) "
    f"SELECT (least(greatest(floor(extract(epoch FROM v.at))::bigint, 0), {MAX_SECONDS}) "
    f"<< {COUNTER_BITS}) | (nextval('core_search_entry_seq') %% {2**COUNTER_BITS}), "
    "v.workspace_id, v.kind, v.object_id, v.title, v.body, v.at, v.facets::jsonb "
    "FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[], %s::text[], %s::text[], "
    "%s::timestamptz[], %s::text[]) AS v(workspace_id, kind, object_id, title, body, at, facets) "
    "ON CONFLICT (kind, object_id) DO UPDATE SET "
    "id = CASE WHEN core_search_entry.at = excluded.at THEN core_search_entry.id "
    "ELSE excluded.id END, "
    "workspace_id = excluded.workspace_id, title = excluded.title, body = excluded.body, "
    "at = excluded.at, facets = excluded.facets "
    "WHERE (core_search_entry.workspace_id, core_search_entry.title, core_search_entry.body, "
    "core_search_entry.at, core_search_entry.facets) IS DISTINCT FROM "
    "(excluded.workspace_id, excluded.title, excluded.body, excluded.at, excluded.facets)"
)
_PG_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=8, "
    f'MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
)
# How long the lexeme frequencies read from the planner's statistics are kept.
STATS_SECONDS = 600.0


class PostgresBackend:
    _stats: tuple[float, dict[str, float]] | None = None

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def upsert(self, rows: Sequence[Row]) -> None:
        rows = _dedupe(rows)
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), POSTGRESQL_BATCH):
                batch = rows[start : start + POSTGRESQL_BATCH]
                cursor.execute(
                    _PG_UPSERT,
                    [
                        [row.workspace_id for row in batch],
                        [row.kind for row in batch],
                        [row.object_id for row in batch],
                        [row.title for row in batch],
                        [row.body for row in batch],
                        [row.at for row in batch],
                        [_facets_json(row.facets) for row in batch],
                    ],
                )

    def insert(self, rows: Sequence[Row]) -> None:
        """Store ``rows``, none of which has an entry yet: their counters taken from the
        sequence in one query, the rows written by ``COPY`` (the ``tsvector`` is computed by
        the server as each row arrives)."""
        rows = _dedupe(rows)
        if not rows:
            return
        mask = (1 << COUNTER_BITS) - 1
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval('core_search_entry_seq') FROM generate_series(1, %s)", [len(rows)]
            )
            counters = [int(r[0]) for r in cursor.fetchall()]
            copy_sql = (
                "COPY core_search_entry (id, workspace_id, kind, object_id, title, body, at, "
                "facets) FROM STDIN"
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for row, counter in zip(rows, counters, strict=True):
                    copy.write_row(
                        ((seconds_of(row.at) << COUNTER_BITS) | (counter & mask),
                         row.workspace_id, row.kind, row.object_id, row.title, row.body,
                         _aware(row.at), _facets_json(row.facets))
                    )  # fmt: skip

    def delete(self, kind: str, object_ids: Sequence[int]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM core_search_entry WHERE kind = %s AND object_id = ANY(%s::bigint[])",
                [kind, list(object_ids)],
            )

    def _where(
        self, workspace_id: int, filters: Filters, before: int | None
    ) -> tuple[list[str], list[Any]]:
        where = ["e.workspace_id = %s", "e.kind = ANY(%s::varchar[])"]
        params: list[Any] = [workspace_id, list(filters.kinds)]
        for name, value in sorted(filters.facets.items()):
            where.append("e.facets @> %s::jsonb")
            params.append(json.dumps({name: [value]}))
        if filters.low is not None:
            where.append("e.id >= %s")
            params.append(filters.low)
        if filters.high is not None:
            where.append("e.id < %s")
            params.append(filters.high)
        if before is not None:
            where.append("e.id < %s")
            params.append(before)
        return where, params

    def _run(
        self,
        tsquery: str,
        tsquery_params: list[Any],
        where: list[str],
        params: list[Any],
        *,
        order: str,
        limit: int,
        offset: int,
        shared: bool = False,
        candidates: int | None = None,
        walk: bool = True,
    ) -> list[Match]:
        """The newest ``candidates`` matches (all, when None: the page's rows when newest
        first), then the page of them in ``order``, then its headlines (``ts_headline``
        re-reads each text: only for the page)."""
        # The match is written out in the WHERE (not read from the query CTE): the planner
        # sees the words, estimates how many rows hold them, and picks the GIN index for rare
        # ones or the walk down the keys, newest first, for common ones.
        sql = (
            "WITH query AS (SELECT " + tsquery + " AS tsq), "
            "candidates AS (SELECT e.id, e.kind, e.object_id, e.title, e.body, e.at, e.tsv "
            "FROM core_search_entry e "
            "WHERE e.tsv @@ ("
            + tsquery
            + ") AND "
            + " AND ".join(where)
            # "e.id + 0" orders by the key without the key's index: all matches from the GIN
            # index, then the newest of them (``walk`` False, for few matches).
            + (" ORDER BY e.id DESC " if walk else " ORDER BY e.id + 0 DESC ")
            + "LIMIT %s), "
            "page AS (SELECT c.id, c.kind, c.object_id, c.title, c.body, c.at, "
            "ts_rank_cd(c.tsv, query.tsq) AS score FROM candidates c, query "
            f"ORDER BY {order} LIMIT %s OFFSET %s) "
            "SELECT page.id, page.kind, page.object_id, "
            f"ts_headline('english', page.title, query.tsq, 'HighlightAll=true, "
            f"StartSel={MARK_START}, StopSel={MARK_END}'), "
            f"ts_headline('english', page.body, query.tsq, '{_PG_HEADLINE}'), "
            "page.at, page.score"
            + (
                ", ts_headline('english', page.body, query.tsq, "
                f"'HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}')"
                if shared
                else ", NULL"
            )
            + " FROM page, query ORDER BY "
            + order
        )
        params = [*params, candidates if candidates is not None else limit + offset]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*tsquery_params, *tsquery_params, *params, limit, offset])
            found = cursor.fetchall()
        return [
            Match(
                key=int(row[0]),
                kind=row[1],
                object_id=int(row[2]),
                title=row[3] or "",
                snippet=row[4] or "",
                at=row[5],
                score=float(row[6]),
                shared=marked_words(row[3] or "", row[7] or "") if shared else (),
            )
            for row in found
        ]

    def search(
        self,
        workspace_id: int,
        query: q.Query,
        filters: Filters,
        *,
        relevance: bool,
        limit: int,
        before: int | None,
        offset: int,
    ) -> list[Match]:
        if not query or not filters.kinds:
            return []
        tsquery, tsquery_params = q.tsquery_sql(query)
        where, params = self._where(workspace_id, filters, None if relevance else before)
        order = "score DESC, id DESC" if relevance else "id DESC"
        candidates = PG_RELEVANCE_CANDIDATES if relevance else limit + offset
        walk = self._walk(query, candidates)
        return self._run(
            tsquery,
            tsquery_params,
            where,
            params,
            order=order,
            limit=limit,
            offset=offset,
            candidates=candidates,
            walk=walk,
        )

    def _walk(self, query: q.Query, candidates: int) -> bool:
        """Whether to walk the keys newest first, testing each row, rather than take every
        match from the GIN index and sort them: the walk reads about ``candidates /
        share`` rows, the index ``share x rows``, so it wins when the share of rows that match
        is over the square root of ``candidates / rows``. The share is estimated from the
        planner's statistics of the commonest lexemes (ANALYZE); a word they do not list is
        rarer than all of them. A query of prefixes alone is left to the planner."""
        words = [term.words for term in query.terms if not term.prefix]
        if not words:
            return True
        frequencies = self._frequencies()
        if not frequencies:
            return True
        rare = min(frequencies.values()) / 2
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT lexeme FROM unnest(%s::text[]) AS w(word), "
                "unnest(tsvector_to_array(to_tsvector('english', w.word))) AS lexeme",
                [[word for group in words for word in group]],
            )
            lexemes = [row[0] for row in cursor.fetchall()]
        share = 1.0
        for lexeme in lexemes:
            share *= frequencies.get(lexeme, rare)
        return share * share >= candidates / max(self._rows_estimate(), 1)

    def _rows_estimate(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE relname = 'core_search_entry'"
            )
            found = cursor.fetchone()
        return max(int(found[0]) if found else 0, 0)

    def _frequencies(self) -> dict[str, float]:
        """The share of entries that hold each of the commonest lexemes, from the planner's
        statistics (ANALYZE keeps them for a tsvector column); rarer lexemes are absent."""
        now = time.monotonic()
        cached = PostgresBackend._stats
        if cached is not None and now - cached[0] < STATS_SECONDS:
            return cached[1]
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE tablename = 'core_search_entry' AND attname = 'tsv'"
            )
            row = cursor.fetchone()
        frequencies: dict[str, float] = {}
        if row and row[0]:
            frequencies = dict(zip(row[0], (float(f) for f in row[1]), strict=False))
        PostgresBackend._stats = (now, frequencies)
        return frequencies

    def similar(
        self,
        workspace_id: int,
        text: str,
        *,
        kinds: Sequence[str],
        limit: int,
        exclude: Sequence[tuple[str, int]],
    ) -> list[Match]:
        words = q.significant_words(text)
        if not words or not kinds:
            return []
        with self.connection.cursor() as cursor:
            # Each word's lexeme, in the words' order (the most telling first).
            cursor.execute(
                "SELECT lexeme FROM unnest(%s::text[]) WITH ORDINALITY AS w(word, n), "
                "unnest(tsvector_to_array(to_tsvector('english', w.word))) AS lexeme "
                "ORDER BY w.n",
                [words],
            )
            lexemes = list(dict.fromkeys(row[0] for row in cursor.fetchall()))
        frequencies = self._frequencies()
        total = self._rows_estimate()
        # A lexeme the statistics do not list is rarer than any they do: count it as one.
        counts = {lex: max(int(frequencies.get(lex, 0.0) * total), 1) for lex in lexemes}
        chosen = _rarest(lexemes, counts, PG_SIMILAR_POSTINGS)
        if not chosen:
            return []
        where, params = self._where(workspace_id, Filters(kinds=kinds, facets={}), None)
        for kind, object_id in exclude:
            where.append("NOT (e.kind = %s AND e.object_id = %s)")
            params.extend([kind, object_id])
        # Lexemes as the index holds them, ORed; each quoted as a tsquery string.
        expression = " | ".join(
            "'" + lex.replace("\\", "\\\\").replace("'", "\\'") + "'" for lex in chosen
        )
        return self._run(
            "%s::tsquery",
            [expression],
            where,
            params,
            order="score DESC, id DESC",
            limit=limit,
            offset=0,
            shared=True,
            candidates=SIMILAR_CANDIDATES,
            walk=False,
        )


def backend(connection: BaseDatabaseWrapper | None = None) -> Backend:
    """The search backend for ``connection`` (the default database's when None)."""
    connection = connection or default_connection
    if is_postgresql(connection):
        return PostgresBackend(connection)
    return SqliteBackend(connection)
