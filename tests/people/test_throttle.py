"""Sign-in throttling: growing delays per account and address, a ceiling per address and
overall, and known devices that nobody else's failures hold back."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from lodestar.core import ratelimit
from lodestar.core.models import RateCounter
from lodestar.people import throttle
from tests.conftest import PASSWORD, Persona

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
HOME = "198.51.100.10"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moment = Clock()
    monkeypatch.setattr(ratelimit, "now", lambda: moment.now)
    return moment


@pytest.fixture(autouse=True)
def limits(settings: SettingsWrapper) -> SettingsWrapper:
    settings.LOGIN_THROTTLE_FREE_FAILURES = 3
    settings.LOGIN_THROTTLE_MAX_DELAY_SECONDS = 300
    settings.LOGIN_THROTTLE_FORGET_SECONDS = 3600
    settings.LOGIN_THROTTLE_ADDRESS_FAILURES = 30
    settings.LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS = 900
    settings.LOGIN_THROTTLE_GLOBAL_FAILURES = 300
    settings.LOGIN_THROTTLE_GLOBAL_WINDOW_SECONDS = 60
    return settings


def _sign_in(client: Client, email: str, password: str) -> Any:
    return client.post("/signin", {"email": email, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_pairs_delays_grow_then_stop_at_the_cap(
    developer: Persona, clock: Clock, limits: SettingsWrapper
) -> None:
    limits.LOGIN_THROTTLE_MAX_DELAY_SECONDS = 8
    client = Client(REMOTE_ADDR=ATTACKER)
    assert [_sign_in(client, developer.email, "wrong").status_code for _ in range(2)] == [422, 422]
    waits = []
    for _ in range(6):
        answer = _sign_in(client, developer.email, "wrong")
        assert answer.status_code == 429
        assert b"do not match" in answer.content
        waits.append(int(answer["Retry-After"]))
        # Until the wait is over, even the right password waits, and is not counted.
        early = _sign_in(client, developer.email, PASSWORD)
        assert early.status_code == 429
        assert int(early["Retry-After"]) == waits[-1]
        clock.advance(waits[-1])
    assert waits == [1, 2, 4, 8, 8, 8]
    assert b"Try again in 8 seconds." in answer.content
    assert _sign_in(client, developer.email, PASSWORD).status_code == 302


def test_wrong_guesses_from_one_address_do_not_stop_the_right_password_from_another(
    developer: Persona,
) -> None:
    attacker = Client(REMOTE_ADDR=ATTACKER)
    answers = [_sign_in(attacker, developer.email, "wrong").status_code for _ in range(8)]
    assert answers[-1] == 429
    owner = Client(REMOTE_ADDR=HOME)
    assert _sign_in(owner, developer.email, PASSWORD).status_code == 302
    assert _signed_in(owner)


def test_a_known_device_is_never_held_back_by_someone_elses_failures(
    developer: Persona, limits: SettingsWrapper
) -> None:
    limits.LOGIN_THROTTLE_ADDRESS_FAILURES = 5
    limits.LOGIN_THROTTLE_GLOBAL_FAILURES = 5
    # The owner has signed in with this browser before, on the office network.
    laptop = Client(REMOTE_ADDR=ATTACKER)
    assert _sign_in(laptop, developer.email, PASSWORD).status_code == 302
    assert laptop.cookies["lodestar_device"].value
    laptop.post("/signout")
    # Someone on the same network guesses until every ceiling is reached.
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for email in [developer.email] * 3 + ["a@acme.test", "b@acme.test"]:
        _sign_in(attacker, email, "wrong")
    assert _sign_in(attacker, developer.email, PASSWORD).status_code == 429
    assert _sign_in(Client(REMOTE_ADDR=HOME), developer.email, PASSWORD).status_code == 429
    # The known device signs in at once, from that very address.
    assert _sign_in(laptop, developer.email, PASSWORD).status_code == 302
    assert _signed_in(laptop)


def test_a_known_devices_own_failures_slow_it_down(developer: Persona, clock: Clock) -> None:
    laptop = Client(REMOTE_ADDR=HOME)
    _sign_in(laptop, developer.email, PASSWORD)
    laptop.post("/signout")
    statuses = [_sign_in(laptop, developer.email, "wrong").status_code for _ in range(3)]
    assert statuses == [422, 422, 429]
    assert _sign_in(laptop, developer.email, PASSWORD).status_code == 429
    clock.advance(1)
    assert _sign_in(laptop, developer.email, PASSWORD).status_code == 302


def test_a_device_cookie_counts_for_its_own_account_only(
    developer: Persona, po: Persona, limits: SettingsWrapper
) -> None:
    limits.LOGIN_THROTTLE_ADDRESS_FAILURES = 2
    laptop = Client(REMOTE_ADDR=ATTACKER)
    _sign_in(laptop, developer.email, PASSWORD)
    laptop.post("/signout")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for email in ("a@acme.test", "b@acme.test"):
        _sign_in(attacker, email, "wrong")
    # The laptop is a known device of the developer, not of the product owner.
    assert _sign_in(laptop, po.email, PASSWORD).status_code == 429
    assert _sign_in(laptop, developer.email, PASSWORD).status_code == 302


def test_a_forged_device_cookie_is_ignored(developer: Persona, limits: SettingsWrapper) -> None:
    limits.LOGIN_THROTTLE_ADDRESS_FAILURES = 2
    attacker = Client(REMOTE_ADDR=ATTACKER)
    attacker.cookies["lodestar_device"] = "forged"
    for email in ("a@acme.test", "b@acme.test"):
        _sign_in(attacker, email, "wrong")
    assert _sign_in(attacker, developer.email, PASSWORD).status_code == 429


def test_one_address_spraying_many_accounts_waits_for_its_window(
    developer: Persona, po: Persona, clock: Clock, limits: SettingsWrapper
) -> None:
    limits.LOGIN_THROTTLE_ADDRESS_FAILURES = 3
    attacker = Client(REMOTE_ADDR=ATTACKER)
    spray = [_sign_in(attacker, email, "wrong") for email in ("a@x.test", "b@x.test", "c@x.test")]
    assert [answer.status_code for answer in spray] == [422, 422, 429]
    refused = _sign_in(attacker, po.email, PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert b"Too many failed sign-ins from your network. Try again in 15 minutes." in (
        refused.content
    )
    assert _sign_in(Client(REMOTE_ADDR=HOME), po.email, PASSWORD).status_code == 302
    clock.advance(900)
    assert _sign_in(attacker, developer.email, PASSWORD).status_code == 302


def test_the_global_ceiling_slows_unknown_devices_only(
    developer: Persona, po: Persona, clock: Clock, limits: SettingsWrapper
) -> None:
    laptop = Client(REMOTE_ADDR=HOME)
    _sign_in(laptop, po.email, PASSWORD)
    laptop.post("/signout")
    limits.LOGIN_THROTTLE_GLOBAL_FAILURES = 4
    for n in range(4):  # a distributed attack: one guess per address
        _sign_in(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), f"user{n}@acme.test", "wrong")
    refused = _sign_in(Client(REMOTE_ADDR="192.0.2.200"), developer.email, PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert b"not used with this account before" in refused.content
    assert _sign_in(laptop, po.email, PASSWORD).status_code == 302
    clock.advance(60)
    assert _sign_in(Client(REMOTE_ADDR="192.0.2.200"), developer.email, PASSWORD).status_code == (
        302
    )


def test_success_forgets_the_pairs_failures(developer: Persona) -> None:
    client = Client(REMOTE_ADDR=HOME)
    for _ in range(2):
        _sign_in(client, developer.email, "wrong")
    assert _sign_in(client, developer.email, PASSWORD).status_code == 302
    client.post("/signout")
    client.cookies.pop("lodestar_device")
    assert [_sign_in(client, developer.email, "wrong").status_code for _ in range(3)] == [
        422,
        422,
        429,
    ]


def test_failures_are_counted_in_the_database_without_the_email(developer: Persona) -> None:
    _sign_in(Client(REMOTE_ADDR=ATTACKER), developer.email, "wrong")
    keys = list(RateCounter.objects.values_list("key", flat=True))
    assert len(keys) == 3
    assert all(developer.email not in key and ATTACKER not in key for key in keys)


def test_delays_double_from_one_second_up_to_the_cap() -> None:
    assert [throttle.delay_after(n) for n in range(1, 12)] == [
        0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256,
    ]  # fmt: skip
    assert throttle.delay_after(13) == 300
    assert throttle.delay_after(10_000) == 300
