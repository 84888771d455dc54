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
