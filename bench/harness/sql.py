"""Counting the SQL a request runs: reads, writes per table (statements and rows), savepoints.

Installed with ``connection.execute_wrapper`` so it costs a regex per statement and can stay on
while requests are timed (unlike ``CaptureQueriesContext``, which forces the debug cursor).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

_WRITE = re.compile(
    r'^\s*(?:WITH\b.*?\)\s*)?(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?',
    re.IGNORECASE | re.DOTALL,
)
_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)\b", re.IGNORECASE)


@dataclass
class Statements:
    """What ran: ``reads`` (SELECTs and the like), ``control`` (BEGIN, savepoints), and
    per table the write statements and the rows they touched."""

    reads: int = 0
    control: int = 0
    write_statements: Counter[str] = field(default_factory=Counter)
    write_rows: Counter[str] = field(default_factory=Counter)
    sql: list[str] = field(default_factory=list)
    keep_sql: bool = False

    @property
    def queries(self) -> int:
        """Statements other than transaction control: what a query budget counts."""
        return self.reads + sum(self.write_statements.values())

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        result = execute(sql, params, many, context)
        if self.keep_sql:
            self.sql.append(sql)
        write = _WRITE.match(sql)
        if write:
            table = write.group(2)
            self.write_statements[table] += 1
            self.write_rows[table] += _rows(sql, context["cursor"].rowcount)
        elif _CONTROL.match(sql):
            self.control += 1
        else:
            self.reads += 1
        return result

    def as_dict(self) -> dict[str, Any]:
        return {
            "queries": self.queries,
            "reads": self.reads,
            "transaction_control": self.control,
            "write_statements": dict(self.write_statements),
            "write_rows": dict(self.write_rows),
        }


def _rows(sql: str, rowcount: int | None) -> int:
    """Rows a write touched. SQLite reports 0 for ``INSERT ... RETURNING`` until the returned
    rows are fetched (after this wrapper), so such an insert counts its VALUES tuples."""
    if rowcount is not None and rowcount > 0:
        return int(rowcount)
    if sql.lstrip()[:6].upper() == "INSERT" and " VALUES " in sql.upper():
        return sql.count("), (") + 1
    return 0


@contextmanager
def counting(keep_sql: bool = False) -> Iterator[Statements]:
    """Count every statement on the default connection inside the block."""
    statements = Statements(keep_sql=keep_sql)
    with connection.execute_wrapper(statements):
        yield statements
