"""Fractional rank keys: strings whose plain byte order is the order of the items they rank.

A key is an *integer part* followed by an optional *fraction*, over the base-62 alphabet
``0-9A-Za-z`` (ASCII order, so a byte/C comparison of two keys is their order):

- the integer part's first character says how many digits follow: ``a``..``z`` are the
  non-negative integers with 1..26 digits, ``Z``..``A`` the negative ones with 1..26 digits
  (so ``Zz`` < ``a0`` < ``a1`` < ``b00``);
- the fraction never ends in ``0``, so every position has exactly one key.

Appending after the last key or prepending before the first increments or decrements the
integer part, so a run of n appends makes keys of about log62(n) characters. Inserting between
two neighbours takes the midpoint of their fractions; doing that again and again at one spot
adds a character every five or six inserts, so a caller rebalances a neighbourhood when
``needs_rebalance`` says a key grew too long.

The scheme follows the well-known "fractional indexing" algorithm (Evan Wallace's write-up and
David Greenspan's implementation): keys are comparable with ``<`` and never need renumbering
of other rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
_ZERO = DIGITS[0]
_LAST = DIGITS[-1]
_INDEX = {char: i for i, char in enumerate(DIGITS)}

# The first key of an empty list.
INTEGER_ZERO = "a" + _ZERO
# "A" followed by 26 zeros is the smallest integer; it is reserved so that a key before every
# other key always exists (it becomes the integer part of a key with a fraction).
_SMALLEST_INTEGER = "A" + _ZERO * 26

# The longest key a column holds. Keys reach it only after many inserts at one spot without a
# rebalance: each character is five or six such inserts.
MAX_KEY_LENGTH = 48
# Beyond this length a key asks for a rebalance of its neighbourhood; the gap up to
# MAX_KEY_LENGTH leaves room for more than a hundred inserts at one spot while that runs.
REBALANCE_LENGTH = 24
# ``spread_keys`` leaves room for at least this many integers per key, so the next items added
# one after another between two neighbours get keys of the same length.
SPREAD = 16


def _integer_length(head: str) -> int:
    if "a" <= head <= "z":
        return ord(head) - ord("a") + 2
    if "A" <= head <= "Z":
        return ord("Z") - ord(head) + 2
    raise ValueError(f"invalid rank key head {head!r}")


def _integer_part(key: str) -> str:
    length = _integer_length(key[0])
    if length > len(key):
        raise ValueError(f"invalid rank key {key!r}: integer part is cut short")
    return key[:length]


def _validate(key: str) -> None:
    if not key:
        raise ValueError("invalid rank key: empty")
    for char in key:
        if char not in _INDEX:
            raise ValueError(f"invalid rank key {key!r}: {char!r} is not a base-62 digit")
    if key == _SMALLEST_INTEGER:
        raise ValueError(f"invalid rank key {key!r}: reserved")
    integer = _integer_part(key)
    if key[len(integer) :].endswith(_ZERO):
        raise ValueError(f"invalid rank key {key!r}: fraction ends in 0")


def is_valid_key(key: object) -> bool:
    """Whether ``key`` is a well-formed rank key (any length)."""
    if not isinstance(key, str):
        return False
    try:
        _validate(key)
    except ValueError:
        return False
    return True


def needs_rebalance(key: str) -> bool:
    """Whether ``key`` grew long enough that its neighbourhood should get fresh, short keys."""
    return len(key) > REBALANCE_LENGTH


def _midpoint(a: str, b: str | None) -> str:
    """A fraction strictly between fractions ``a`` and ``b`` (``b`` None: the open end).

    ``a`` may be empty (the lowest fraction); neither ends in 0, and a < b. Iterative, since a
    key that grew at one spot can be longer than Python's recursion limit.
    """
    out: list[str] = []
    while True:
        if b is not None:
            # Keep the common prefix (with ``a`` padded by zeros) and continue past it.
            n = 0
            while (a[n] if n < len(a) else _ZERO) == b[n]:
                n += 1
            if n > 0:
                out.append(b[:n])
                a, b = a[n:], b[n:]
        digit_a = _INDEX[a[0]] if a else 0
        digit_b = _INDEX[b[0]] if b is not None else BASE
        if digit_b - digit_a > 1:
            out.append(DIGITS[(digit_a + digit_b + 1) // 2])
            return "".join(out)
        # Adjacent first digits: if b has more digits, its first digit alone lies between.
        if b is not None and len(b) > 1:
            out.append(b[:1])
            return "".join(out)
        # Otherwise keep a's first digit and look between the rest of a and the top.
        out.append(DIGITS[digit_a])
        a, b = a[1:], None


def _increment_integer(x: str) -> str | None:
    head, digits = x[0], list(x[1:])
    for i in range(len(digits) - 1, -1, -1):
        d = _INDEX[digits[i]] + 1
        if d < BASE:
            digits[i] = DIGITS[d]
            return head + "".join(digits)
        digits[i] = _ZERO
    # Every digit carried: the next integer needs one more digit (or crosses to positive).
    if head == "Z":
        return "a" + _ZERO
    if head == "z":
        return None
    new_head = chr(ord(head) + 1)
    if new_head > "a":
        digits.append(_ZERO)
    else:
        digits.pop()
    return new_head + "".join(digits)


def _decrement_integer(x: str) -> str | None:
    head, digits = x[0], list(x[1:])
    for i in range(len(digits) - 1, -1, -1):
        d = _INDEX[digits[i]] - 1
        if d >= 0:
            digits[i] = DIGITS[d]
            return head + "".join(digits)
        digits[i] = _LAST
    if head == "a":
        return "Z" + _LAST
    if head == "A":
        return None
    new_head = chr(ord(head) - 1)
    if new_head < "Z":
        digits.append(_LAST)
    else:
        digits.pop()
    return new_head + "".join(digits)


def key_between(a: str | None, b: str | None) -> str:
    """A key strictly between ``a`` and ``b``; None is the open start or end.

    Raises ``ValueError`` when a key is malformed or ``a >= b``.
    """
    if a is not None:
        _validate(a)
    if b is not None:
        _validate(b)
    if a is not None and b is not None and a >= b:
        raise ValueError(f"rank keys out of order: {a!r} >= {b!r}")
    if a is None:
        if b is None:
            return INTEGER_ZERO
        int_b = _integer_part(b)
        frac_b = b[len(int_b) :]
        if int_b == _SMALLEST_INTEGER:
            return int_b + _midpoint("", frac_b)
        if int_b < b:
            # b has a fraction, so its bare integer part sorts just before it.
            return int_b
        lower = _decrement_integer(int_b)
        if lower is None:  # pragma: no cover - needs 62**26 prepends
            raise ValueError("no rank key exists before the smallest key")
        return lower
    int_a = _integer_part(a)
    frac_a = a[len(int_a) :]
    if b is None:
        higher = _increment_integer(int_a)
        return int_a + _midpoint(frac_a, None) if higher is None else higher
    int_b = _integer_part(b)
    frac_b = b[len(int_b) :]
    if int_a == int_b:
        return int_a + _midpoint(frac_a, frac_b)
    higher = _increment_integer(int_a)
    if higher is None:  # pragma: no cover - int_a < int_b, so int_a is not the largest
        raise ValueError("no integer follows the largest key")
    if higher < b:
        return higher
    return int_a + _midpoint(frac_a, None)


def keys_between(a: str | None, b: str | None, n: int) -> list[str]:
    """``n`` ascending keys strictly between ``a`` and ``b``, spread so that each stays short.

    Between two bounds the keys bisect the gap (about log62(n) extra characters); towards an
    open end they step through consecutive integers.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return []
    if n == 1:
        return [key_between(a, b)]
    if b is None:
        keys = [key_between(a, None)]
        for _ in range(n - 1):
            keys.append(key_between(keys[-1], None))
        return keys
    if a is None:
        keys = [key_between(None, b)]
        for _ in range(n - 1):
            keys.append(key_between(None, keys[-1]))
        keys.reverse()
        return keys
    middle = n // 2
    pivot = key_between(a, b)
    return [*keys_between(a, pivot, middle), pivot, *keys_between(pivot, b, n - middle - 1)]


def _integer_key(digits: int, value: int) -> str:
    """The non-negative integer ``value`` as a key of exactly ``digits`` digits."""
    out: list[str] = []
    for _ in range(digits):
        value, digit = divmod(value, BASE)
        out.append(DIGITS[digit])
    return chr(ord("a") + digits - 1) + "".join(reversed(out))


def _integer_value(digits: str) -> int | None:
    value = 0
    for char in digits:
        index = _INDEX.get(char)
        if index is None:
            return None
        value = value * BASE + index
    return value


def spread_keys(n: int, avoid: Iterable[str] = ()) -> list[str]:
    """``n`` ascending keys for a whole list: integers of one length, evenly spaced.

    They are the integers of the shortest length that holds ``SPREAD * n`` of them, a constant
    step apart, so items added between two neighbours get keys as short for a while. Of the
    ``step`` ways to shift them, the one that takes fewest of the keys in ``avoid`` (say, the
    keys the list holds now, which a unique column would have to move out of the way first): at
    most one in ``SPREAD`` of them, none when ``avoid`` is an earlier ``spread_keys(n)``.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return []
    digits = 1
    while BASE**digits < SPREAD * n:
        digits += 1
    if digits > 26:  # pragma: no cover - more than 10**45 keys
        raise ValueError("too many keys for one list")
    step = BASE**digits // n
    head = _integer_key(digits, 0)[0]
    taken: Counter[int] = Counter()
    for key in avoid:
        if len(key) == digits + 1 and key[0] == head:
            value = _integer_value(key[1:])
            if value is not None and value < n * step:
                taken[value % step] += 1
    offset = min(range(step), key=lambda shift: (taken[shift], shift))
    return [_integer_key(digits, i * step + offset) for i in range(n)]
