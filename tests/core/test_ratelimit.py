"""The database counters behind rate limits and sign-in throttling, and the client address."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from pytest_django.fixtures import Settings as SettingsWrapper

from lodestar.core import ratelimit
from lodestar.core.models import RateCounter
from lodestar.core.tasks import purge_rate_counters

pytestmark = pytest.mark.django_db

T = 1_000_000.0


def test_a_fixed_window_counts_then_starts_again_when_it_ends() -> None:
    first = ratelimit.hit("k", window=60, at=T)
    assert (first.count, first.reset_at, first.hit_at) == (1, T + 60, T)
    second = ratelimit.hit("k", window=60, at=T + 30)
    assert (second.count, second.reset_at, second.hit_at) == (2, T + 60, T + 30)
    assert second.seconds_left(T + 30) == 30
    again = ratelimit.hit("k", window=60, at=T + 60)
    assert (again.count, again.reset_at) == (1, T + 120)


def test_a_sliding_window_moves_its_end_with_each_hit() -> None:
    ratelimit.hit("s", window=60, sliding=True, at=T)
    second = ratelimit.hit("s", window=60, sliding=True, at=T + 50)
    assert (second.count, second.reset_at) == (2, T + 110)
    third = ratelimit.hit("s", window=60, sliding=True, at=T + 100)
    assert third.count == 3
    assert ratelimit.hit("s", window=60, sliding=True, at=T + 200).count == 1


def test_read_leaves_out_ended_and_missing_counters() -> None:
    ratelimit.hit("live", window=60, at=T)
    ratelimit.hit("ended", window=10, at=T)
    counts = ratelimit.read(["live", "ended", "missing"], at=T + 20)
    assert list(counts) == ["live"]
    assert counts["live"].count == 1


def test_forget_drops_counters() -> None:
    ratelimit.hit("a", window=60, at=T)
    ratelimit.hit("b", window=60, at=T)
    ratelimit.forget(["a"])
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["b"]


def test_the_periodic_purge_deletes_ended_counters_only() -> None:
    now = ratelimit.now()
    ratelimit.hit("ended", window=1, at=now - 100)
    ratelimit.hit("live", window=3600, at=now)
    assert purge_rate_counters.call() == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["live"]


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.5"),  # no proxy: the header is the client's, ignored
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),  # what the client wrote itself is ignored
        (2, "6.6.6.6, 192.0.2.1, 10.0.0.9", "192.0.2.1"),
        (2, "192.0.2.1", "10.0.0.5"),  # fewer hops than proxies: the connecting address
        (1, "not-an-address", "10.0.0.5"),
        (1, "", "10.0.0.5"),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings: SettingsWrapper, proxies: int, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_address(request) == expected
