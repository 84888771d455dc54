"""The safe client: every refused address (after resolution, IPv6 forms included), the allowed
networks setting, no DNS rebinding, no redirects followed, the response cap and the timeout.
Names resolve through a table the test sets (``resolve``); nothing leaves the machine."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable

import pytest
from pytest_django.fixtures import Settings

from lodestar.interop.webhooks import http
from tests.interop.webhooks.receiver import Receiver

Resolve = Callable[[dict[str, list[str]]], list[str]]
BODY = b'{"kind":"ping"}'


def post(url: str, **kwargs: float) -> http.Response:
    return http.post(url, BODY, {"Content-Type": "application/json"}, **kwargs)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254, a cloud metadata address"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254, a cloud metadata address"),
        ("http://[::ffff:169.254.169.254]/", "a cloud metadata address"),
        ("http://127.0.0.1:8000/", "127.0.0.1, a loopback address"),
        ("http://[::1]/", "::1, a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "a loopback address (in IPv6 form)"),
        ("http://[::ffff:10.0.0.1]/", "a private address (in IPv6 form)"),
        ("http://[2002:a00:1::]/", "a private address (in IPv6 form)"),
        ("http://[64:ff9b::7f00:1]/", "a loopback address (in IPv6 form)"),
        ("http://10.0.0.1/", "10.0.0.1, a private address"),
        ("http://192.168.1.20/", "a private address"),
        ("http://172.16.5.4/", "a private address"),
        ("http://100.64.0.7/", "a shared (carrier-grade NAT) address"),
        ("http://169.254.10.10/", "a link-local address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://0.0.0.0/", "an unspecified address"),
        ("http://[::]/", "an unspecified address"),
        ("http://240.0.0.1/", "a reserved address"),
        ("http://[fc00::5]/", "a private address"),
    ],
)
def test_addresses_that_are_not_public_are_refused(url: str, reason: str) -> None:
    with pytest.raises(http.Refused) as refused:
        post(url)
    assert reason in refused.value.reason


def test_a_name_is_refused_by_the_address_it_resolves_to(
    resolve: Resolve, caplog: pytest.LogCaptureFixture
) -> None:
    resolve({"hooks.example.com": ["10.0.0.1"], "localhost": ["127.0.0.1", "::1"]})
    with caplog.at_level(logging.WARNING, logger="lodestar.webhooks"):
        with pytest.raises(http.Refused) as refused:
            post("https://hooks.example.com/in")
        assert refused.value.reason == "hooks.example.com resolves to 10.0.0.1, a private address"
        with pytest.raises(http.Refused) as local:
            post("http://localhost:8000/")
    assert local.value.reason == "localhost resolves to 127.0.0.1, a loopback address"
    # Refusals are logged.
    assert "Refused a webhook request to https://hooks.example.com/in" in caplog.text


def test_one_private_address_among_public_ones_refuses_the_name(resolve: Resolve) -> None:
    resolve({"mixed.example.com": ["93.184.216.34", "169.254.169.254"]})
    with pytest.raises(http.Refused) as refused:
        post("http://mixed.example.com/")
    assert "169.254.169.254, a cloud metadata address" in refused.value.reason


def test_an_unknown_name_is_a_failure_not_a_refusal(resolve: Resolve) -> None:
    resolve({})
    with pytest.raises(http.RequestFailed) as failed:
        post("http://nowhere.example.com/")
    assert "could not resolve nowhere.example.com" in failed.value.reason


def test_an_allowed_network_lets_a_private_receiver_in(
    receiver: Receiver, settings: Settings
) -> None:
    with pytest.raises(http.Refused):
        post(receiver.url)
    assert receiver.received == []
    settings.WEBHOOK_ALLOWED_NETWORKS = "10.20.0.0/16, 127.0.0.0/8"
    answer = post(receiver.url)
    assert answer.status == 200
    assert answer.body == b'{"ok":true}'
    assert receiver.received[0].body == BODY
    # Only the named networks: another private range is still refused.
    with pytest.raises(http.Refused):
        post("http://192.168.1.1/")


def test_metadata_addresses_are_refused_even_inside_an_allowed_network(
    settings: Settings,
) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = "169.254.0.0/16,fd00::/8"
    assert http.address_refusal(ipaddress.ip_address("169.254.10.1")) is None
    for address in ("169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254"):
        assert http.address_refusal(ipaddress.ip_address(address)) == "a cloud metadata address"


def test_a_bad_allowed_networks_setting_says_what_to_write(settings: Settings) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = "10.0.0.0/8,office"
    with pytest.raises(Exception, match="'office' is not a network"):
        http.allowed_networks()


def test_it_connects_to_the_address_it_checked_with_the_name_as_host(
    receiver: Receiver, resolve: Resolve, settings: Settings
) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = "127.0.0.1/32"
    port = receiver.url.split(":")[2].split("/")[0]
    asked = resolve({"receiver.test": ["127.0.0.1"]})
    answer = post(f"http://receiver.test:{port}/in?x=1")
    assert answer.status == 200
    assert answer.address == "127.0.0.1"
    # One lookup, checked, then used: nothing a second answer could change (no rebinding).
    assert asked == ["receiver.test"]
    assert receiver.received[0].headers["host"] == f"receiver.test:{port}"
    assert receiver.received[0].path == "/in?x=1"


def test_a_redirect_is_not_followed(receiver: Receiver, settings: Settings) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = "127.0.0.1/32"
    receiver.status = 302
    receiver.headers = {"Location": "http://10.0.0.1/internal"}
    answer = post(receiver.url)
    assert answer.status == 302
    assert answer.headers["location"] == "http://10.0.0.1/internal"
    assert len(receiver.received) == 1


def test_the_answer_is_read_up_to_64_kib(receiver: Receiver, settings: Settings) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = "127.0.0.1/32"
    receiver.body = b"x" * (http.MAX_RESPONSE_BYTES * 3)
    answer = post(receiver.url)
    assert len(answer.body) == http.MAX_RESPONSE_BYTES
    assert answer.truncated
    receiver.body = b"y" * http.MAX_RESPONSE_BYTES
    whole = post(receiver.url)
    assert len(whole.body) == http.MAX_RESPONSE_BYTES
    assert not whole.truncated


def test_a_slow_receiver_times_out(receiver: Receiver, settings: Settings) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = "127.0.0.1/32"
    receiver.delay = 1.0
    with pytest.raises(http.RequestFailed) as failed:
        post(receiver.url, timeout=0.2)
    assert "timed out" in failed.value.reason


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.com/x", "must start with http:// or https://"),
        ("https://user:pw@example.com/", "must not carry a user name or password"),
        ("https://example.com@10.0.0.1/", "must not carry a user name or password"),
        ("https:///path", "must name a host"),
        ("https://example.com:99999/", "is not a valid URL"),
        ("https://exa mple.com/", "without spaces"),
        ("https://example.com/#frag", "must not have a #fragment"),
        ("", "must be an http:// or https:// address"),
    ],
)
def test_urls_are_checked_before_anything_is_resolved(url: str, problem: str) -> None:
    assert problem in (http.url_problem(url) or "")
    with pytest.raises(http.Refused):
        post(url)


def test_a_good_url_has_no_problem() -> None:
    assert http.url_problem("https://hooks.example.com:8443/in?team=1") is None
