"""Database-specific details, kept in one place so the same models and migrations run on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.base import ModelState
from django.db.models.lookups import In

from lodestar.core.ranking import MAX_KEY_LENGTH

# The collation under which text compares byte by byte, per database vendor. SQLite's default
# (BINARY) already does; PostgreSQL's default follows the cluster's locale (en_US.UTF-8 puts
# "a" before "B"), so columns that must sort like Python strings ask for "C" there.
BINARY_COLLATIONS: dict[str, str] = {"postgresql": "C"}

_M = TypeVar("_M", bound=models.Model)

if TYPE_CHECKING:
    _CharField = models.CharField[str, str]
else:
    _CharField = models.CharField


def is_postgresql(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql"


class InIds(In):  # type: ignore[type-arg]
    """``column__in_ids=ids``: ``IN`` for a collection of whole numbers (ids), registered on the
    integer fields and the foreign keys (``CoreConfig.ready``). The ids go as one parameter,
    whatever their number: PostgreSQL is sent one array, ``= ANY(%s)``, SQLite one JSON array
    read by ``json_each``. Nothing to prepare and to parse per id (a trace's step names up to
    200), and the statement's text does not change with the ids (``Statements`` keeps it).
    Elsewhere it is ``IN``. Not for a subquery: ``__in`` is."""

    lookup_name = "in_ids"

    def get_prep_lookup(self) -> Any:
        if isinstance(self.rhs, IdsSlot):
            return self.rhs
        if not isinstance(self.rhs, list | set | frozenset | tuple):
            raise TypeError(f"in_ids takes a collection of ids, not {type(self.rhs).__name__}")
        return [int(value) for value in self.rhs if value is not None]

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        if isinstance(self.rhs, IdsSlot):
            raise TypeError("an IdsSlot stands for one array: PostgreSQL and SQLite only")
        return super().as_sql(compiler, connection)

    def as_postgresql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*params, ids_param(connection, self.rhs))

    def as_sqlite(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - a column; ids a parameter
        return sql, (*params, ids_param(connection, self.rhs))


def ids_param(connection: BaseDatabaseWrapper, ids: Any) -> Any:
    """The one parameter ``in_ids`` sends for ``ids``: an array on PostgreSQL, a JSON array
    on SQLite (read by ``json_each``); an ``IdsSlot`` as it is, for ``Statements``."""
    if isinstance(ids, IdsSlot):
        return ids
    if is_postgresql(connection):
        return list(ids)
    return json.dumps(sorted(ids))


class IdsSlot:
    """Where the ids of one ``in_ids`` lookup go in a statement ``Statements`` keeps: the query
    is built once with slots for its ids, and each run puts its own ids in them."""

    def __init__(self, name: Any) -> None:
        self.name = name

    def __bool__(self) -> bool:  # it stands for ids: never an empty collection
        return True

    def __repr__(self) -> str:
        return f"IdsSlot({self.name!r})"


class Statements:
    """Statements whose text does not change with the ids they are run for, compiled once.

    A trace (``coverage.trace_walk``) runs the same few ``UNION ALL`` statements over and over
    with other ids: building and compiling them through the ORM costs more than the database
    takes to run them. ``rows(key, build, ids)`` calls ``build`` with an ``IdsSlot`` for each
    entry of ``ids`` the first time ``key`` is seen, keeps the compiled SQL with the slots'
    places among its parameters (``in_ids`` sends each as one parameter there), and from then on
    only puts the ids in and runs it. ``key`` must name everything but the ids that the
    statement depends on (the workspace, the steps), since the other parameters are kept too.
    ``build`` returns the query (None: nothing to run) and what the caller needs to read its
    rows (kept with the statement).

    On a database where ``in_ids`` is ``IN`` with a placeholder per id (neither PostgreSQL nor
    SQLite), the text changes with the ids: ``build`` is called with the ids themselves and its
    query run, every time.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._kept: dict[Any, tuple[str, tuple[Any, ...], Any]] = {}
        self._lock = threading.Lock()

    def rows(
        self,
        key: Any,
        build: Any,
        ids: Mapping[Any, Iterable[int]],
        using: str = "default",
    ) -> tuple[list[tuple[Any, ...]], Any]:
        connection = connections[using]
        if connection.vendor not in ("postgresql", "sqlite"):
            query, meta = build({name: sorted(values) for name, values in ids.items()})
            return (list(query.using(using)) if query is not None else []), meta
        kept = self._kept.get((using, key))
        if kept is None:
            query, meta = build({name: IdsSlot(name) for name in ids})
            sql, params = (
                query.query.get_compiler(using).as_sql() if query is not None else ("", ())
            )
            kept = (sql, tuple(params), meta)
            with self._lock:
                if len(self._kept) >= self.size:  # the oldest goes
                    self._kept.pop(next(iter(self._kept)))
                self._kept[using, key] = kept
        sql, params, meta = kept
        if not sql:  # nothing to run
            return [], meta
        bound = [
            ids_param(connection, ids[p.name]) if isinstance(p, IdsSlot) else p for p in params
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            return cursor.fetchall(), meta


def register_lookups() -> None:
    """What ``CoreConfig.ready`` installs: ``in_ids`` on ids and the foreign keys to them."""
    for field in (models.IntegerField, models.ForeignKey):
        field.register_lookup(InIds)


class RankField(_CharField):
    """A fractional rank key (``core.ranking``): ordering by it is Python's string order.

    The collation is chosen per connection when the column is created, not fixed in the
    migration, so one migration gives a byte-ordered column on every database. Index it with
    ``Meta.indexes`` (with its scope first, e.g. ``["product", "rank"]``).
    """

    description = "Fractional rank key (byte-ordered text)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_KEY_LENGTH)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        params: dict[str, Any] = super().db_parameters(connection)
        if not params.get("collation"):
            params["collation"] = BINARY_COLLATIONS.get(connection.vendor)
        return params


# -- one-statement bulk updates ----------------------------------------------------------------

# Rows per statement on PostgreSQL, where the values travel as one array per column (two
# parameters or ten, whatever the row count): the bound is memory, not a parameter limit.
POSTGRESQL_BATCH = 20_000
# SQLite's compiled-in limit of parameters per statement when the connection cannot say
# (SQLITE_MAX_VARIABLE_NUMBER: 999 before 3.32, 32766 since; Debian builds allow 250000).
SQLITE_DEFAULT_MAX_PARAMS = 999
# Rows per statement on SQLite below that limit: measured on 100,000 ranks, statements of
# 100,000 rows were no faster than of 2,000, and a smaller statement is parsed faster.
SQLITE_BATCH = 2000


def _update_fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    """The concrete, non-key fields named ``names``, or a ValueError naming the bad one."""
    if isinstance(names, str) or not names:
        raise ValueError("fields must be a non-empty list of field names")
    fields: list[models.Field[Any, Any]] = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise ValueError(f"{model.__name__} has no field named {name!r}") from None
        if not isinstance(field, models.Field) or not field.concrete or field.many_to_many:
            raise ValueError(f"{model.__name__}.{name} is not a column that can be updated")
        if field.primary_key:
            raise ValueError(f"{model.__name__}.{name} is the primary key: rows are found by it")
        if field in fields:
            raise ValueError(f"{model.__name__}.{name} is named twice")
        fields.append(field)
    return fields


def _sqlite_max_params(connection: BaseDatabaseWrapper) -> int:
    connection.ensure_connection()
    raw = connection.connection
    getlimit = getattr(raw, "getlimit", None)  # Python 3.11+
    if getlimit is None:  # pragma: no cover - Python 3.10 and older
        return SQLITE_DEFAULT_MAX_PARAMS
    return int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def _db_rows(
    rows: Iterable[models.Model | Sequence[Any]],
    pk: models.Field[Any, Any],
    fields: list[models.Field[Any, Any]],
    connection: BaseDatabaseWrapper,
) -> list[tuple[Any, ...]]:
    """Each row as ``(pk, value, ...)`` converted for the database as a save converts it."""
    width = len(fields) + 1
    out: list[tuple[Any, ...]] = []
    seen: set[Any] = set()
    for index, row in enumerate(rows):
        if isinstance(row, models.Model):
            values: Sequence[Any] = [row.pk, *(getattr(row, f.attname) for f in fields)]
        else:
            values = row
            if isinstance(values, str | bytes) or len(values) != width:
                raise ValueError(
                    f"rows[{index}] must be (pk, {', '.join(f.name for f in fields)}): "
                    f"{width} values"
                )
        if values[0] is None:
            raise ValueError(f"rows[{index}] has no primary key")
        if values[0] in seen:
            # One statement gives each row one value: which of two would win is undefined.
            raise ValueError(f"rows[{index}] repeats the primary key {values[0]!r}")
        seen.add(values[0])
        for value in values:
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"rows[{index}] holds an expression; give plain values")
        out.append(
            (
                pk.get_db_prep_value(values[0], connection, prepared=False),
                *(
                    field.get_db_prep_save(
                        value.pk if isinstance(value, models.Model) else value, connection
                    )
                    for field, value in zip(fields, values[1:], strict=True)
                ),
            )
        )
    return out


def _postgresql_update(
    table: str,
    pk: models.Field[Any, Any],
    fields: list[models.Field[Any, Any]],
    connection: BaseDatabaseWrapper,
) -> str:
    """``UPDATE ... FROM unnest(arrays)``: one array parameter per column, cast to its type."""
    qn = connection.ops.quote_name
    columns = [pk, *fields]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    sets = ", ".join(f"{qn(field.column)} = v.c{i}" for i, field in enumerate(fields, start=1))
    # Names come from the model's metadata, every value is a parameter.
    return (
        f"UPDATE {qn(table)} SET {sets} FROM unnest({arrays}) AS v({aliases}) "  # noqa: S608
        f"WHERE {qn(table)}.{qn(pk.column)} = v.c0"
    )


def _sqlite_update(
    table: str,
    pk: models.Field[Any, Any],
    fields: list[models.Field[Any, Any]],
    connection: BaseDatabaseWrapper,
    rows: int,
) -> str:
    """``UPDATE ... FROM (VALUES ...)`` (SQLite 3.33+); the values are ``v.column1, ...``."""
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(field.column)} = v.column{i}" for i, field in enumerate(fields, start=2))
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    values = ", ".join([row] * rows)
    return (
        f"UPDATE {qn(table)} SET {sets} FROM (VALUES {values}) AS v "  # noqa: S608
        f"WHERE {qn(table)}.{qn(pk.column)} = v.column1"
    )


def bulk_update_values(
    model: type[models.Model],
    rows: Iterable[models.Model | Sequence[Any]],
    fields: Sequence[str],
    *,
    batch_size: int | None = None,
    using: str | None = None,
) -> int:
    """Set ``fields`` of many rows of ``model``, found by primary key, in one statement per
    batch; returns how many rows were updated.

    A row is a model instance (its values are read from it) or a tuple ``(pk, value, ...)``
    with one value per field, in the order of ``fields``. Values are converted as a save
    converts them (JSON, decimals, dates; a foreign key by id or instance); nothing else of a
    save happens (no ``save()``, no signals, no ``auto_now``). On PostgreSQL each column
    travels as one array cast to the column's type (``UPDATE ... FROM unnest(...)``); on SQLite
    as ``UPDATE ... FROM (VALUES ...)``, batched under the connection's parameter limit.
    ``batch_size`` caps the rows per statement. A unique column is checked row by row as it is
    written: give rows new values that no other row holds at that moment.
    """
    connection = connections[using or router.db_for_write(model)]
    if connection.vendor not in {"postgresql", "sqlite"}:  # pragma: no cover
        raise NotImplementedError(f"bulk_update_values does not know {connection.vendor}")
    meta = model._meta
    update = _update_fields(model, fields)
    pk = meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one
    values = _db_rows(rows, pk, update, connection)
    if not values:
        return 0
    if is_postgresql(connection):
        size = POSTGRESQL_BATCH
    else:
        size = max(min(_sqlite_max_params(connection) // (len(update) + 1), SQLITE_BATCH), 1)
    if batch_size is not None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        size = min(size, batch_size)
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(values), size):
            batch = values[start : start + size]
            if is_postgresql(connection):
                sql = _postgresql_update(meta.db_table, pk, update, connection)
                params: list[Any] = [list(column) for column in zip(*batch, strict=True)]
            else:
                sql = _sqlite_update(meta.db_table, pk, update, connection, len(batch))
                params = [value for row in batch for value in row]
            cursor.execute(sql, params)
            written += max(cursor.rowcount, 0)
    return written


def increment(
    model: type[models.Model], *, pk: Any, field: str, by: int = 1, using: str | None = None
) -> int | None:
    """Add ``by`` to ``field`` of one row and return the new value, in one statement
    (``UPDATE ... RETURNING``: PostgreSQL, SQLite 3.35+), or None when no row has that key.

    The UPDATE holds the row's lock (PostgreSQL) or the write lock (SQLite) until commit, so
    concurrent callers queue and each gets numbers of its own.
    """
    connection = connections[using or router.db_for_write(model)]
    column = _update_fields(model, [field])[0]
    pk_field = model._meta.pk
    assert pk_field is not None  # noqa: S101 - every concrete model has one
    qn = connection.ops.quote_name
    table, name = qn(model._meta.db_table), qn(column.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {name} = {name} + %s "  # noqa: S608 - names from the model
            f"WHERE {qn(pk_field.column)} = %s RETURNING {name}",
            [by, pk_field.get_db_prep_value(pk, connection, prepared=False)],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


@contextmanager
def quick_commit(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Run a small write whose loss in a crash does no harm (a rate counter) without waiting
    for the disk at commit.

    On PostgreSQL, outside a transaction, the write runs in one with ``synchronous_commit``
    off: the commit returns before the WAL reaches the disk (a crash may lose the last few
    such commits, never corrupt anything), which saves a disk flush per request. Inside a
    transaction it changes nothing, as the setting would apply to the whole transaction. SQLite
    in WAL mode with ``synchronous=NORMAL`` already commits without waiting for the disk.
    """
    if not is_postgresql(connection) or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


# The page cache an SQLite connection keeps while it writes many rows (in KiB, as the
# negative number PRAGMA cache_size takes): the default 2 MiB is smaller than the index pages
# an import of 100,000 rows touches, and a page pushed out is read back for the next row.
LARGE_WRITE_CACHE_KIB = 64 * 1024


@contextmanager
def large_writes(using: str = "default") -> Iterator[None]:
    """Write many rows with room for the pages they touch: on SQLite the connection's page
    cache grows to ``LARGE_WRITE_CACHE_KIB`` for the duration (measured: 100,000 pieces of
    feedback, their 12 indexes, in 2.6 s instead of 4.6 s) and shrinks back after, so a
    long-lived connection does not keep the memory. PostgreSQL's server manages its own cache:
    nothing changes there."""
    connection = connections[using]
    if is_postgresql(connection):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{LARGE_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a bulk job (an import: its reader and its writes) without Python's cyclic garbage
    collector, which is turned back on after it (if it was on before; a job already inside one
    changes nothing).

    A job that makes hundreds of thousands of objects and keeps them (the file's rows, the
    rows written) sets the collector off every few hundred allocations, and each of its full
    passes walks every object the process holds: measured on an import of 20,000 Jira issues,
    1.8 of its 7.8 s of CPU, for no garbage (the objects are freed by their reference counts
    as they go out of use). Cycles the job makes wait for the next collection after it (the
    same import peaked 18 MB higher: 309 MB instead of 291). The switch is the process's, so
    another thread's cycles wait too while the job runs.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# Rows per INSERT on SQLite for ``bulk_insert`` at most (a statement's size stays moderate).
SQLITE_INSERT_BATCH = 2000


def bulk_insert(model: type[_M], objs: Sequence[_M], *, ignore_conflicts: bool = False) -> list[_M]:
    """``bulk_create`` in as few statements as the database allows; returns ``objs`` (with
    their primary keys, unless ``ignore_conflicts``).

    Django assumes SQLite takes 999 parameters per statement (its limit before 3.32), which
    makes a row of 25 columns cost an INSERT per 39 rows; this asks the connection for its real
    limit (32766 or more) and batches by that. PostgreSQL already inserts in one statement.
    """
    if not objs:
        return []
    manager = model._base_manager
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "sqlite":
        return manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
    columns = sum(1 for field in model._meta.concrete_fields if not field.primary_key) + 1
    limit = _sqlite_max_params(connection)
    features = connection.features
    # The connection's own features object (one per connection, so per thread).
    features.max_query_params = max(limit, 999)
    try:
        return manager.bulk_create(
            objs,
            ignore_conflicts=ignore_conflicts,
            batch_size=max(min(limit // columns, SQLITE_INSERT_BATCH), 1),
        )
    finally:
        del features.max_query_params


def ids_may_commit_out_of_order(connection: BaseDatabaseWrapper) -> bool:
    """Whether a reader may see a row with a higher id before one with a lower id commits.

    PostgreSQL hands out ids from a sequence when a row is inserted, so concurrent transactions
    commit them in any order. SQLite serializes writers (``BEGIN IMMEDIATE``): ids commit in
    order, and a gap is always a write that was rolled back.
    """
    return is_postgresql(connection)


def last_assigned_id(model: type[models.Model], connection: BaseDatabaseWrapper) -> int:
    """The highest id the table's sequence has handed out (committed or not; 0 when none)."""
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if is_postgresql(connection):
            cursor.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, %s)::regclass)",
                [table, column],
            )
        else:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


# -- inserting many rows fast -------------------------------------------------------------------

# Below this many rows ``insert_rows`` is a ``bulk_insert`` (one statement, ids returned).
INSERT_ROWS_MIN = 20


def reserve_ids(
    model: type[models.Model], count: int, connection: BaseDatabaseWrapper
) -> list[int]:
    """``count`` primary keys for new rows of ``model``, taken from its sequence in one query.

    Call it inside the transaction that inserts the rows. On SQLite that transaction holds the
    write lock from its start (``BEGIN IMMEDIATE``), so the block after the highest id is ours;
    on PostgreSQL the sequence hands the ids out (not always contiguous, never reused).
    """
    if count <= 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("reserve ids inside the transaction that inserts the rows")
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if is_postgresql(connection):
            # The sequence is named once (a scalar subquery), not looked up for every id:
            # measured, 7 µs an id against 1. The ids come back as their range when they are
            # one (no other session took any meanwhile: nearly always), else as an array.
            cursor.execute(
                "SELECT min(id), max(id), CASE WHEN max(id) - min(id) + 1 = count(*) THEN NULL "
                "ELSE array_agg(id ORDER BY id) END FROM (SELECT nextval((SELECT "
                "pg_get_serial_sequence(%s, %s)::regclass)) AS id FROM generate_series(1, %s)) s",
                [table, column, count],
            )
            low, high, scattered = cursor.fetchone()
            if scattered is not None:
                return [int(value) for value in scattered]
            return list(range(int(low), int(high) + 1))
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608 - a table name from the model, quoted
            f"coalesce((SELECT max({connection.ops.quote_name(column)}) FROM {quoted}), 0))",
            [table],
        )
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))


# Column types whose Python values the driver takes as they are (the conversion is skipped for
# exactly these value types; anything else goes through the field's own conversion).
_AS_IS: dict[str, tuple[type, ...]] = {
    "CharField": (str,),
    "TextField": (str,),
    "SlugField": (str,),
    "EmailField": (str,),
    "IntegerField": (int,),
    "BigIntegerField": (int,),
    "PositiveIntegerField": (int,),
    "PositiveSmallIntegerField": (int,),
    "SmallIntegerField": (int,),
    "ForeignKey": (int,),
    "OneToOneField": (int,),
    "BooleanField": (bool,),
}


# Column types whose values are hashable, and equal values convert alike (an aware datetime
# and the same instant in another zone are one instant to the database), so that a column's
# distinct values are converted once each (``_converted``).
_DISTINCT = frozenset({"DateTimeField", "DateField", "TimeField", "DecimalField", "UUIDField"})


# Value types that are immutable and hashable, and often repeat down a column (a batch's
# ``created_at``, the dates of an import): each distinct value is converted once per call.
_REPEATING = frozenset({dt.datetime, dt.date, dt.time, Decimal, uuid.UUID})


def _converted(
    field: models.Field[Any, Any], connection: BaseDatabaseWrapper, values: list[Any]
) -> list[Any]:
    """A column of ``field``'s Python values as a save writes them (``_converter``), a value
    the driver takes as it is passed without a call (most of a bulk write's values)."""
    convert = _converter(field, connection)
    internal = field.get_internal_type()
    kinds = _AS_IS.get(internal)
    if kinds is None:
        if internal in _DISTINCT:
            try:
                # Each distinct value converted once, then looked up: a column of dates
                # repeats them (a batch's ``now``, an import's days).
                done = {value: convert(value) for value in set(values)}
            except TypeError:  # an unhashable value, which the conversion refuses below
                pass
            else:
                return [done[value] for value in values]
        return [convert(value) for value in values]
    return [value if value is None or type(value) in kinds else convert(value) for value in values]


def _converter(field: models.Field[Any, Any], connection: BaseDatabaseWrapper) -> Any:
    """The database value of one of ``field``'s Python values, as a save would write it."""
    kinds = _AS_IS.get(field.get_internal_type(), ())
    seen: dict[Any, Any] = {}
    prepare = field.get_db_prep_save

    def convert(value: Any) -> Any:
        kind = type(value)
        if value is None or kind in kinds:
            return value
        if kind in _REPEATING:
            # Keyed by type too: equal values of two types (a date and a datetime never
            # compare equal, but Decimal("1") and 1 would) must not share a conversion, and
            # an aware datetime also by its zone, which the conversion may keep.
            key = (kind, value, getattr(value, "tzinfo", None))
            try:
                return seen[key]
            except KeyError:
                seen[key] = converted = prepare(value, connection)
                return converted
        if (kind is list or kind is dict) and not value:
            # An empty list or object (a JSON column's most common value in a bulk write):
            # converted once; the converted value is a text or the driver's wrapper, which no
            # row changes.
            try:
                return seen[kind]
            except KeyError:
                seen[kind] = converted = prepare(value, connection)
                return converted
        return prepare(value, connection)

    return convert


@functools.cache
def _unsaved_fields(model: type[models.Model]) -> tuple[str, frozenset[str]]:
    """The primary key's attribute name and every other concrete field's."""
    pk = model._meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one
    names = frozenset(f.attname for f in model._meta.concrete_fields if not f.primary_key)
    return pk.attname, names


def unsaved(model: type[_M], values: dict[str, Any], cached: dict[str, Any] | None = None) -> _M:
    """A new, unsaved object of ``model`` holding ``values`` (every concrete field but the
    primary key, by attribute name: a foreign key by id, ``product_id``), for ``insert_rows``.

    What the model's constructor makes, without it: no field's default, descriptor or check,
    no ``pre_init``/``post_init`` signal (nothing here listens to them). For the thousands of
    objects of a bulk write, whose constructor (about 30 fields set one by one, a related
    object's id read for each foreign key) cost more than inserting them. ``cached`` gives
    related objects the caller holds (``{"product": product}``), as the constructor keeps a
    related object it is given, so that reading them makes no query.
    """
    pk, names = _unsaved_fields(model)
    if values.keys() != names:
        missing = sorted(names - values.keys())
        extra = sorted(values.keys() - names)
        raise ValueError(f"{model.__name__} values: missing {missing}, unknown {extra}")
    obj = model.__new__(model)
    state = obj.__dict__
    state.update(values)
    state[pk] = None
    obj._state = ModelState()
    if cached:
        obj._state.fields_cache.update(cached)
    return obj


def insert_rows(model: type[_M], objs: Sequence[_M]) -> list[_M]:
    """Insert new, unsaved ``objs``; returns them, saved. Their ids are reserved in one query
    (``reserve_ids``); then SQLite runs one prepared ``INSERT`` for every row (``executemany``)
    and PostgreSQL one ``COPY ... FROM STDIN``.

    The rows go in as ``bulk_create`` would write them (each field's ``pre_save`` and database
    value), without building one statement text per batch, which is most of ``bulk_create``'s
    time for thousands of rows. No signals are sent (none are used for domain rules).
    """
    alias = router.db_for_write(model)
    connection = connections[alias]
    if len(objs) < INSERT_ROWS_MIN:
        # A few rows: one INSERT ... RETURNING costs less than reserving ids first.
        return bulk_insert(model, objs)
    meta = model._meta
    pk = meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    ids = reserve_ids(model, len(objs), connection)
    auto = [
        field
        for field in fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    for obj, pk_value in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, pk_value)
        for field in auto:
            field.pre_save(obj, True)
    states = [obj.__dict__ for obj in objs]
    columns = [
        _converted(field, connection, [state[field.attname] for state in states])
        for field in fields
    ]
    _write_rows(model, connection, [pk, *fields], list(zip(ids, *columns, strict=True)))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return list(objs)


def insert_plain_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[int]:
    """Insert ``rows`` of Python values, one for each of ``fields`` (attribute names: a foreign
    key by id, ``workspace_id``), into new rows of ``model``; returns their ids, in order.

    ``insert_rows`` without a model object per row: the ids are reserved in one query
    (``reserve_ids``, so call it inside the writing transaction), each value is converted as a
    save converts it (JSON, dates, decimals), and the rows go in as ``insert_rows`` writes them.
    Nothing of a save happens beyond that: give every column that has no database default,
    ``auto_now`` ones included. For the many small rows of a bulk write (links, history,
    outbox events, status changes), where building the objects costs more than writing them.
    Fewer than ``INSERT_ROWS_MIN`` rows go in as ``insert_rows`` puts them (one statement).
    """
    meta = model._meta
    pk = meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one
    by_name = {field.attname: field for field in meta.concrete_fields}
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        field = by_name.get(name)
        if field is None:
            raise ValueError(f"{model.__name__} has no column {name!r} (give attribute names)")
        if field.primary_key:
            raise ValueError(f"{model.__name__}.{name} is the primary key: it is reserved here")
        columns.append(field)
    rows = list(rows)
    if not rows:
        return []
    width = len(columns)
    for index, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"rows[{index}] must have {width} values, one for each field")
    if len(rows) < INSERT_ROWS_MIN:
        # A few rows: one INSERT ... RETURNING costs less than reserving ids first.
        objs = bulk_insert(model, [model(**dict(zip(fields, row, strict=True))) for row in rows])
        return [obj.pk for obj in objs]
    connection = connections[router.db_for_write(model)]
    ids = reserve_ids(model, len(rows), connection)
    converted = [
        _converted(field, connection, [row[index] for row in rows])
        for index, field in enumerate(columns)
    ]
    _write_rows(model, connection, [pk, *columns], list(zip(ids, *converted, strict=True)))
    return ids


def _write_rows(
    model: type[models.Model],
    connection: BaseDatabaseWrapper,
    columns: Sequence[models.Field[Any, Any]],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Write ``rows`` (database values, in the order of ``columns``): one ``COPY ... FROM
    STDIN`` on PostgreSQL, one prepared ``INSERT`` run for every row on SQLite."""
    meta = model._meta
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns)
    with connection.cursor() as cursor:
        if is_postgresql(connection):
            # COPY: the rows stream to the server in PostgreSQL's text format, written by
            # psycopg's C code, and the server parses no statement per row (an INSERT of
            # arrays had psycopg quote every value of every array in Python, and measured
            # on 20,000 imported rows that was a third of the import's time).
            sql = f"COPY {quote(meta.db_table)} ({names}) FROM STDIN"
            started = time.monotonic()
            # The driver's own cursor: its errors are made Django's (an IntegrityError for a
            # duplicate key, as an INSERT raises) as Django's cursor makes them.
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            if connection.queries_logged:  # as Django's cursor logs the statements it runs
                took = f"{time.monotonic() - started:.3f}"
                connection.queries_log.append({"sql": f"{sql} -- {len(rows)} rows", "time": took})
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model, quoted
            cursor.executemany(sql, rows)


def insert_values(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Insert ``rows`` of database values (already as the database takes them: a datetime
    through ``connection.ops.adapt_datetimefield_value``, a foreign key as its id) into
    ``fields`` of ``model`` (attribute names), the primary key left to the database; returns
    how many. The path of ``insert_rows`` without building a model object per row, for many
    small rows (metric samples) where building the objects costs more than writing them.
    Call it inside the writing transaction."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    by_name = {field.attname: field for field in meta.concrete_fields}
    columns = [by_name[name] for name in fields]
    _write_rows(model, connection, columns, rows)
    return len(rows)
