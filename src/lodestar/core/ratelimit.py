"""Counters for rate limits and throttles, kept in the database so that every process and
every machine sharing it counts together (a per-process cache would give each worker a limit
of its own).

A counter is one ``RateCounter`` row per key. ``hit`` bumps it with a single statement,
``INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING`` (SQLite 3.35+, PostgreSQL), which is
atomic on both databases: concurrent hits queue on the row (PostgreSQL) or the write lock
(SQLite), and each gets a count of its own. On PostgreSQL its commit does not wait for the
disk (``core.db.quick_commit``): a crash may forget the last few hits, nothing more.

Windows are fixed (they end ``window`` seconds after the first hit) or sliding (each hit moves
the end), and a count starts again from zero once its window has ended. Ended rows are purged
by a periodic task (``core.tasks``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router
from django.http import HttpRequest

from lodestar.core.db import quick_commit
from lodestar.core.models import RateCounter


@dataclass(frozen=True)
class Count:
    """A counter's state: how many hits in its window, when the window ends and when it was
    last hit (seconds since the epoch)."""

    count: int
    reset_at: float
    hit_at: float

    def seconds_left(self, now: float) -> int:
        """Whole seconds until the window ends (at least 1 while it has not)."""
        return max(1, int(-(-(self.reset_at - now) // 1)))


def now() -> float:
    """Seconds since the epoch (a seam for tests that cross a window's end)."""
    return time.time()


def digest(text: str) -> str:
    """A short, stable stand-in for ``text`` in a key (an email never appears in the table)."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def hit(key: str, *, window: float, sliding: bool = False, at: float | None = None) -> Count:
    """Count one hit of ``key`` and return the counter after it, in one statement.

    A new counter, or one whose window has ended, starts at 1 with a window ending ``window``
    seconds from now. Otherwise the count grows by one; a ``sliding`` window also moves its end
    to ``window`` seconds from now.
    """
    moment = now() if at is None else at
    table = RateCounter._meta.db_table
    connection = connections[router.db_for_write(RateCounter)]
    qn = connection.ops.quote_name
    t = qn(table)
    ended = f"{t}.{qn('reset_at')} <= %s"
    reset = (
        "excluded.reset_at"
        if sliding
        else f"CASE WHEN {ended} THEN excluded.reset_at ELSE {t}.{qn('reset_at')} END"
    )
    sql = (
        f"INSERT INTO {t} ({qn('key')}, {qn('count')}, {qn('reset_at')}, {qn('hit_at')}) "  # noqa: S608 - names from the model, quoted
        "VALUES (%s, 1, %s, %s) "
        f"ON CONFLICT ({qn('key')}) DO UPDATE SET "
        f"{qn('count')} = CASE WHEN {ended} THEN 1 ELSE {t}.{qn('count')} + 1 END, "
        f"{qn('reset_at')} = {reset}, "
        f"{qn('hit_at')} = excluded.hit_at "
        f"RETURNING {qn('count')}, {qn('reset_at')}, {qn('hit_at')}"
    )
    params: list[str | float] = [key, moment + window, moment, moment]
    if not sliding:
        params.append(moment)
    with quick_commit(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return Count(count=int(row[0]), reset_at=float(row[1]), hit_at=float(row[2]))


def read(keys: Iterable[str], *, at: float | None = None) -> dict[str, Count]:
    """The live counters among ``keys`` (one query); an ended or missing one is left out."""
    moment = now() if at is None else at
    rows = RateCounter.objects.filter(key__in=list(keys), reset_at__gt=moment).values_list(
        "key", "count", "reset_at", "hit_at"
    )
    return {key: Count(count, reset_at, hit_at) for key, count, reset_at, hit_at in rows}


def forget(keys: Iterable[str]) -> None:
    """Drop the counters ``keys`` (after a successful sign-in, say)."""
    RateCounter.objects.filter(key__in=list(keys)).delete()


def purge(*, at: float | None = None) -> int:
    """Delete the counters whose window has ended; returns how many."""
    moment = now() if at is None else at
    deleted, _ = RateCounter.objects.filter(reset_at__lte=moment).delete()
    return deleted


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent ``request``.

    With ``LODESTAR_TRUSTED_PROXIES`` = N (the number of reverse proxies in front of the
    server, default 0), the Nth address from the right of ``X-Forwarded-For`` is taken: the
    one the outermost trusted proxy saw; addresses further left were written by the client and
    are not trusted. Without proxies, or when the header is missing or not an address, it is
    the connecting address.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
