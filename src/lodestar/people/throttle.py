"""Sign-in throttling: a fixed window of failed attempts per account and per client address.

Counters live in the ``shared`` cache (the database) so every web process sees the same
counts. The read-then-write is not atomic; a burst of parallel guesses may get a few extra
tries, which is acceptable next to the cost of a locking scheme.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from lodestar.core.errors import RateLimited

_CACHE = "shared"


def _now() -> float:
    """Seconds since the epoch (a seam for tests that cross a window's end)."""
    return time.time()


def client_address(request: HttpRequest) -> str:
    """The connecting address. Proxies' forwarding headers are not trusted here."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _keys(email: str, address: str) -> list[str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [f"signin-fail:email:{digest}", f"signin-fail:addr:{address}"]


def _read(key: str, now: float) -> tuple[int, float]:
    entry: Any = caches[_CACHE].get(key)
    if not isinstance(entry, dict) or entry.get("reset_at", 0) <= now:
        return 0, now + settings.LOGIN_THROTTLE_WINDOW_SECONDS
    return int(entry["count"]), float(entry["reset_at"])


def check(email: str, address: str) -> None:
    """Raise ``RateLimited`` while either the account or the address has used up its tries."""
    now = _now()
    blocked_until = 0.0
    for key in _keys(email, address):
        count, reset_at = _read(key, now)
        if count >= settings.LOGIN_THROTTLE_ATTEMPTS:
            blocked_until = max(blocked_until, reset_at)
    if blocked_until:
        seconds = max(1, math.ceil(blocked_until - now))
        minutes = math.ceil(seconds / 60)
        unit = "minute" if minutes == 1 else "minutes"
        raise RateLimited(
            f"Too many sign-in attempts. Try again in {minutes} {unit}.", retry_after=seconds
        )


def record_failure(email: str, address: str) -> None:
    """Count one failed attempt against the account and the address."""
    now = _now()
    cache = caches[_CACHE]
    for key in _keys(email, address):
        count, reset_at = _read(key, now)
        cache.set(
            key,
            {"count": count + 1, "reset_at": reset_at},
            timeout=max(1, math.ceil(reset_at - now)),
        )


def reset(email: str) -> None:
    """Forget the account's failures after a successful sign-in (the address keeps its count)."""
    caches[_CACHE].delete(_keys(email, "")[0])
