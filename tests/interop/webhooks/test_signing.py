"""Signatures: a receiver verifies real deliveries with the example code docs/WEBHOOKS.md gives
(that exact snippet, read from the file), and refuses a changed body, another secret and an
old timestamp."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lodestar.interop.webhooks import services, signing
from lodestar.interop.webhooks.delivery import attempt
from lodestar.interop.webhooks.models import DeliveryState
from tests.conftest import Persona
from tests.interop.webhooks.receiver import Receiver

DOC = Path(__file__).resolve().parents[3] / "docs" / "WEBHOOKS.md"


def documented_verifier() -> Callable[..., bool]:
    """``verify_lodestar_signature`` as docs/WEBHOOKS.md writes it."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    code = next(block for block in blocks if "def verify_lodestar_signature" in block)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    verifier: Callable[..., bool] = namespace["verify_lodestar_signature"]
    return verifier


def test_the_documented_example_verifies_what_lodestar_signs() -> None:
    verify = documented_verifier()
    body = b'{"id":"evt_1","kind":"item.created"}'
    header = signing.signature_header("whsec_test", body)
    assert verify("whsec_test", body, header)
    assert not verify("whsec_other", body, header)
    assert not verify("whsec_test", body + b" ", header)
    old = signing.signature_header("whsec_test", body, int(time.time()) - 600)
    assert not verify("whsec_test", body, old)
    assert verify("whsec_test", body, old, tolerance=900)
    assert not verify("whsec_test", body, "v1=abc")
    assert not verify("whsec_test", body, "t=soon,v1=abc")


def test_the_module_check_agrees_with_the_documented_one() -> None:
    verify = documented_verifier()
    body = '{"title":"Ünïcode ✓"}'.encode()
    at = int(time.time())
    header = signing.signature_header("whsec_x", body, at)
    assert header == f"t={at},v1={signing.sign('whsec_x', body, at)}"
    assert signing.verify("whsec_x", body, header) == verify("whsec_x", body, header) is True
    assert not signing.verify("whsec_x", body, header, now=at + 301)


@pytest.mark.django_db
def test_a_receiver_verifies_a_real_delivery(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    webhook = services.webhook_create(actor=owner.actor, url=receiver.url, events=["*"])
    delivery = services.webhook_test(actor=owner.actor, webhook=webhook)
    sent = attempt(delivery.pk)
    assert sent is not None
    assert sent.state == DeliveryState.SUCCEEDED
    got = receiver.received[0]
    assert documented_verifier()(webhook.secret, got.body, got.headers["lodestar-signature"])
    assert got.headers["lodestar-event"] == "ping"
    assert got.headers["lodestar-delivery"] == str(delivery.pk)
    assert got.headers["user-agent"] == "Lodestar-Webhooks/1"
    assert got.headers["content-type"] == "application/json"
    # A new secret: the receiver holding the old one refuses what comes next.
    old = webhook.secret
    webhook = services.webhook_rotate_secret(actor=owner.actor, webhook=webhook)
    again = services.webhook_test(actor=owner.actor, webhook=webhook)
    attempt(again.pk)
    latest = receiver.received[1]
    assert not documented_verifier()(old, latest.body, latest.headers["lodestar-signature"])
    assert documented_verifier()(webhook.secret, latest.body, latest.headers["lodestar-signature"])
