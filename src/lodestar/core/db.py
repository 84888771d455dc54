"""Database-specific details, kept in one place so the same models and migrations run on
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from lodestar.core.ranking import MAX_KEY_LENGTH

# The collation under which text compares byte by byte, per database vendor. SQLite's default
# (BINARY) already does; PostgreSQL's default follows the cluster's locale (en_US.UTF-8 puts
# "a" before "B"), so columns that must sort like Python strings ask for "C" there.
BINARY_COLLATIONS: dict[str, str] = {"postgresql": "C"}

if TYPE_CHECKING:
    _CharField = models.CharField[str, str]
else:
    _CharField = models.CharField


def is_postgresql(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql"


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
