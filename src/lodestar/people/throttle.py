"""Sign-in throttling that slows guessing without locking the account's owner out.

Failed sign-ins are counted in the database (``core.ratelimit``), so every web process and
machine sees the same counts, with one atomic statement per counter:

- per account and address pair: the first ``LOGIN_THROTTLE_FREE_FAILURES`` cost nothing, then
  each further failure makes the pair wait twice as long as the one before (1 s, 2 s, 4 s, ...,
  at most ``LOGIN_THROTTLE_MAX_DELAY_SECONDS``), counted from that failure. Guessing from one
  address slows that address only: the owner signing in from anywhere else is not held back.
- per address, whatever the account (``LOGIN_THROTTLE_ADDRESS_FAILURES`` per window): one
  address spraying guesses over many accounts waits for its window to end.
- everywhere (``LOGIN_THROTTLE_GLOBAL_FAILURES`` per window): an attack spread over many
  addresses makes browsers that are not a known device wait for the window to end.

A *known device* is a browser that has signed in to the account before: a signed, long-lived
cookie names the accounts signed in on it, each with a random device id. On a known device,
only that device's own failures count (with the same growing delays); nobody else's failures,
at any address, ever hold it back.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from lodestar.core import ratelimit
from lodestar.core.errors import RateLimited

_SALT = "lodestar.people.throttle.device"
# Accounts remembered per browser (the most recent ones).
_DEVICE_ACCOUNTS = 5
_GLOBAL_KEY = "signin:all"


def _account(email: str) -> str:
    return ratelimit.digest(email.strip().lower())


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: the account (a digest of its email), where it comes from, and the
    device id when the browser is a known device of that account."""

    account: str
    address: str
    device: str | None
    # What the browser's device cookie held: every account it is a known device of.
    remembered: tuple[tuple[str, str], ...] = ()

    @property
    def pair_key(self) -> str:
        return f"signin:pair:{self.account}:{ratelimit.digest(self.address)}"

    @property
    def address_key(self) -> str:
        return f"signin:address:{ratelimit.digest(self.address)}"

    @property
    def device_key(self) -> str:
        return f"signin:device:{self.device}"


def _remembered(request: HttpRequest) -> tuple[tuple[str, str], ...]:
    """The (account, device id) pairs of the browser's device cookie; none when it is missing,
    forged or too old."""
    value = request.COOKIES.get(settings.LOGIN_DEVICE_COOKIE_NAME)
    if not value:
        return ()
    try:
        data = signing.loads(value, salt=_SALT, max_age=settings.LOGIN_DEVICE_COOKIE_DAYS * 86400)
    except signing.BadSignature:
        return ()
    if not isinstance(data, list):
        return ()
    return tuple(
        (str(entry[0]), str(entry[1]))
        for entry in data
        if isinstance(entry, list) and len(entry) == 2
    )


def attempt(request: HttpRequest, email: str) -> Attempt:
    """The attempt ``request`` makes to sign in as ``email``."""
    account = _account(email)
    remembered = _remembered(request)
    device = next((device for known, device in remembered if known == account), None)
    return Attempt(
        account=account,
        address=ratelimit.client_address(request),
        device=device,
        remembered=remembered,
    )


def delay_after(failures: int) -> int:
    """Seconds a pair (or a known device) waits after its ``failures``-th failure."""
    free = settings.LOGIN_THROTTLE_FREE_FAILURES
    if failures < free:
        return 0
    # 2 ** n grows past any cap quickly; the exponent is bounded to keep the number small.
    return int(min(2 ** min(failures - free, 32), settings.LOGIN_THROTTLE_MAX_DELAY_SECONDS))


def _in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def _refuse(seconds: int, why: str) -> RateLimited:
    return RateLimited(f"{why} Try again in {_in_words(seconds)}.", retry_after=seconds)


def check(attempt: Attempt) -> None:
    """Raise ``RateLimited``, saying how long to wait, while ``attempt`` must wait."""
    now = ratelimit.now()
    if attempt.device is not None:
        counts = ratelimit.read([attempt.device_key], at=now)
        _check_delay(counts.get(attempt.device_key), now)
        return
    keys = [attempt.pair_key, attempt.address_key, _GLOBAL_KEY]
    counts = ratelimit.read(keys, at=now)
    _check_delay(counts.get(attempt.pair_key), now)
    address = counts.get(attempt.address_key)
    if address is not None and address.count >= settings.LOGIN_THROTTLE_ADDRESS_FAILURES:
        raise _refuse(address.seconds_left(now), "Too many failed sign-ins from your network.")
    everywhere = counts.get(_GLOBAL_KEY)
    if everywhere is not None and everywhere.count >= settings.LOGIN_THROTTLE_GLOBAL_FAILURES:
        raise _refuse(
            everywhere.seconds_left(now),
            "Sign-in is slowed down for browsers not used with this account before, because "
            "of many failed sign-ins.",
        )


def _check_delay(count: ratelimit.Count | None, now: float) -> None:
    if count is None:
        return
    wait_until = count.hit_at + delay_after(count.count)
    if wait_until > now:
        seconds = max(1, int(-(-(wait_until - now) // 1)))
        raise _refuse(seconds, "Too many failed sign-ins for this account.")


def record_failure(attempt: Attempt) -> None:
    """Count a failed attempt: against the known device alone, or else against the pair, the
    address and the global ceiling."""
    if attempt.device is not None:
        ratelimit.hit(
            attempt.device_key, window=settings.LOGIN_THROTTLE_FORGET_SECONDS, sliding=True
        )
        return
    ratelimit.hit(attempt.pair_key, window=settings.LOGIN_THROTTLE_FORGET_SECONDS, sliding=True)
    ratelimit.hit(attempt.address_key, window=settings.LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS)
    ratelimit.hit(_GLOBAL_KEY, window=settings.LOGIN_THROTTLE_GLOBAL_WINDOW_SECONDS)


def record_success(attempt: Attempt, response: HttpResponse) -> None:
    """Forget the failures of this pair (and device), and make the browser a known device of
    the account on ``response`` (its device id is kept when it already was one)."""
    ratelimit.forget([attempt.pair_key, *([attempt.device_key] if attempt.device else [])])
    device = attempt.device or secrets.token_urlsafe(18)
    others = [
        [account, known] for account, known in attempt.remembered if account != attempt.account
    ]
    # The account signed in now comes first; the oldest fall off beyond the limit.
    entries = [[attempt.account, device], *others][:_DEVICE_ACCOUNTS]
    response.set_cookie(
        settings.LOGIN_DEVICE_COOKIE_NAME,
        signing.dumps(entries, salt=_SALT),
        max_age=settings.LOGIN_DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
