"""Fractional rank keys: order, validity, uniqueness and key length under typical move patterns."""

from __future__ import annotations

import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lodestar.core.ranking import (
    DIGITS,
    INTEGER_ZERO,
    MAX_KEY_LENGTH,
    REBALANCE_LENGTH,
    SPREAD,
    is_valid_key,
    key_between,
    keys_between,
    needs_rebalance,
    spread_keys,
)


def _c_order(keys: list[str]) -> list[str]:
    """The order a byte-comparing database (SQLite BINARY, PostgreSQL "C") gives."""
    return sorted(keys, key=lambda k: k.encode("ascii"))


# A sorted list of distinct keys grown by random inserts, used as the ground for the properties.
@st.composite
def key_lists(draw: st.DrawFn, max_inserts: int = 60) -> list[str]:
    keys: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=max_inserts))):
        spot = draw(st.integers(min_value=0, max_value=len(keys)))
        before = keys[spot - 1] if spot > 0 else None
        after = keys[spot] if spot < len(keys) else None
        keys.insert(spot, key_between(before, after))
    return keys


def test_alphabet_is_in_ascii_order() -> None:
    assert list(DIGITS) == sorted(DIGITS)
    assert len(DIGITS) == 62


def test_first_key_and_open_ends() -> None:
    assert key_between(None, None) == INTEGER_ZERO == "a0"
    assert key_between("a0", None) == "a1"
    assert key_between(None, "a0") == "Zz"
    assert key_between("az", None) == "b00"
    assert key_between(None, "a0V") == "a0"
    assert key_between("a0", "a1") == "a0V"


@given(key_lists())
@settings(max_examples=200, deadline=None)
def test_random_inserts_keep_a_strict_valid_order(keys: list[str]) -> None:
    assert keys == _c_order(keys)
    assert len(set(keys)) == len(keys)
    assert all(is_valid_key(k) for k in keys)


@given(key_lists(), st.data())
@settings(max_examples=200, deadline=None)
def test_key_between_lies_strictly_between(keys: list[str], data: st.DataObject) -> None:
    spot = data.draw(st.integers(min_value=0, max_value=len(keys)))
    before = keys[spot - 1] if spot > 0 else None
    after = keys[spot] if spot < len(keys) else None
    new = key_between(before, after)
    assert is_valid_key(new)
    assert before is None or before.encode() < new.encode()
    assert after is None or new.encode() < after.encode()


@given(key_lists(), st.data(), st.integers(min_value=0, max_value=300))
@settings(max_examples=100, deadline=None)
def test_keys_between_gives_n_ordered_distinct_keys(
    keys: list[str], data: st.DataObject, n: int
) -> None:
    spot = data.draw(st.integers(min_value=0, max_value=len(keys)))
    before = keys[spot - 1] if spot > 0 else None
    after = keys[spot] if spot < len(keys) else None
    new = keys_between(before, after, n)
    assert len(new) == n
    assert new == _c_order(new)
    assert len(set(new)) == n
    assert all(is_valid_key(k) for k in new)
    if new:
        assert before is None or before < new[0]
        assert after is None or new[-1] < after


@given(st.text(alphabet=DIGITS + "-_ é", max_size=8))
def test_is_valid_key_agrees_with_key_between(text: str) -> None:
    if is_valid_key(text):
        assert key_between(text, None) > text
        assert key_between(None, text) < text
    else:
        with pytest.raises(ValueError, match="invalid rank key"):
            key_between(text, None)


@pytest.mark.parametrize(
    "bad",
    ["", "a", "a0 ", "a00", "a0-", "b0", "é0", "A" + "0" * 26, "!0"],
)
def test_malformed_keys_are_refused(bad: str) -> None:
    assert not is_valid_key(bad)
    with pytest.raises(ValueError, match="invalid rank key"):
        key_between(bad, None)
    with pytest.raises(ValueError, match="invalid rank key"):
        key_between(None, bad)


def test_non_strings_are_not_keys() -> None:
    assert not is_valid_key(None)
    assert not is_valid_key(42)


@pytest.mark.parametrize(("a", "b"), [("a1", "a1"), ("a1", "a0"), ("b00", "az")])
def test_bounds_out_of_order_are_refused(a: str, b: str) -> None:
    with pytest.raises(ValueError, match="out of order"):
        key_between(a, b)
    with pytest.raises(ValueError, match="out of order"):
        keys_between(a, b, 3)


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        keys_between(None, None, -1)


def test_the_smallest_integer_still_has_room_before_it() -> None:
    smallest_with_fraction = "A" + "0" * 26 + "V"
    before = key_between(None, smallest_with_fraction)
    assert before < smallest_with_fraction
    assert is_valid_key(before)


@pytest.mark.parametrize("runs", [10_000])
def test_appends_and_prepends_grow_logarithmically(runs: int) -> None:
    last: str | None = None
    for _ in range(runs):
        last = key_between(last, None)
    assert last is not None
    # a0..az (62), b00..bzz (3,844), then c000...: 10,000 appends end on four characters.
    assert len(last) == 4
    first: str | None = None
    for _ in range(runs):
        first = key_between(None, first)
    assert first is not None
    assert len(first) == 4


def test_keys_between_spreads_a_large_run_into_short_keys() -> None:
    open_ended = keys_between(None, None, 100_000)
    assert max(len(k) for k in open_ended) == 4
    assert open_ended == _c_order(open_ended)
    bounded = keys_between("a0", "a1", 100_000)
    assert max(len(k) for k in bounded) <= 2 + 4
    assert bounded == _c_order(bounded)
    assert len(set(bounded)) == 100_000


def _insert_at_one_spot(runs: int, *, rebalance: bool) -> tuple[list[str], int, int]:
    """Insert ``runs`` times right after the first item; returns keys, longest key, rebalances."""
    keys = keys_between(None, None, 3)
    longest = 0
    rebalances = 0
    for _ in range(runs):
        new = key_between(keys[0], keys[1])
        keys.insert(1, new)
        longest = max(longest, len(new))
        if rebalance and needs_rebalance(new):
            keys = keys_between(None, None, len(keys))
            rebalances += 1
    return keys, longest, rebalances


def test_ten_thousand_inserts_at_one_spot_grow_linearly_without_rebalance() -> None:
    keys, longest, _ = _insert_at_one_spot(10_000, rebalance=False)
    assert keys == _c_order(keys)
    assert len(set(keys)) == len(keys) == 10_003
    # One character per five or six inserts (each insert halves a base-62 gap): far past the
    # column limit, which is why needs_rebalance exists.
    assert 10_000 // 7 < longest < 10_000 // 5
    assert longest > MAX_KEY_LENGTH
    assert needs_rebalance(keys[1])


def test_ten_thousand_inserts_at_one_spot_stay_short_with_rebalance() -> None:
    keys, longest, rebalances = _insert_at_one_spot(10_000, rebalance=True)
    assert keys == _c_order(keys)
    assert len(set(keys)) == len(keys) == 10_003
    assert longest == REBALANCE_LENGTH + 1
    assert longest < MAX_KEY_LENGTH
    # A rebalance every hundred-odd inserts, not on every insert.
    assert 10_000 // 200 < rebalances < 10_000 // 100


def test_needs_rebalance_threshold() -> None:
    assert not needs_rebalance("a0")
    assert not needs_rebalance("a" + "0" * (REBALANCE_LENGTH - 2) + "1")
    assert needs_rebalance("a" + "0" * REBALANCE_LENGTH + "1")
    assert REBALANCE_LENGTH < MAX_KEY_LENGTH


def test_bisect_on_keys_matches_key_between() -> None:
    keys = keys_between(None, None, 500)
    new = key_between(keys[199], keys[200])
    assert bisect.bisect(keys, new) == 200


@pytest.mark.parametrize("n", [1, 2, 3, 61, 62, 500, 20_000])
def test_spread_keys_are_ascending_valid_and_of_one_length(n: int) -> None:
    keys = spread_keys(n)
    assert len(keys) == n
    assert keys == sorted(keys)
    assert len(set(keys)) == n
    assert all(is_valid_key(key) for key in keys)
    assert len({len(key) for key in keys}) == 1
    # Room between neighbours: items added one after another there keep the length.
    if n > 1:
        low, high = keys[n // 2 - 1], keys[n // 2]
        for _ in range(SPREAD - 1):
            low = key_between(low, high)
            assert len(low) == len(keys[0])


def test_spread_keys_stay_short() -> None:
    assert len(spread_keys(100_000)[0]) == 5
    assert len(spread_keys(1_000)[0]) == 4
    assert spread_keys(0) == []
    with pytest.raises(ValueError, match="negative"):
        spread_keys(-1)


@pytest.mark.parametrize("n", [3, 100, 5_000])
def test_spread_keys_miss_the_keys_to_avoid(n: int) -> None:
    first = spread_keys(n)
    # The same list again (its items shifted, say): a naive choice would hit every key.
    assert not set(spread_keys(n, avoid=first)) & set(first)
    # A few items more change the step: at most one key in SPREAD is hit.
    assert len(set(spread_keys(n + 3, avoid=first)) & set(first)) <= n // SPREAD
    # Keys of other lengths never collide, and junk is ignored.
    assert spread_keys(n, avoid=["a0V", "", "a~", "b0~", "c00~"]) == first
