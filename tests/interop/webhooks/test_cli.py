"""``lodestar webhooks ...``: make, list, test, read the log, redeliver, delete; bad input and
refusals as one line."""

from __future__ import annotations

import json

import pytest

from lodestar.interop.webhooks.delivery import attempt
from lodestar.interop.webhooks.models import Webhook
from tests.cli.support import error_line, run
from tests.conftest import Persona
from tests.interop.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db

W = ("-w", "acme")


def test_webhooks_from_the_command_line(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    made = run(
        "webhooks",
        "create",
        *W,
        "--url",
        receiver.url,
        "--event",
        "item.*",
        "--event",
        "sprint.created",
    )
    assert made.exit_code == 0, made.output
    webhook = Webhook.objects.get()
    assert webhook.secret in made.stdout
    assert webhook.events == ["item.*", "sprint.created"]
    listed = json.loads(run("webhooks", "list", *W, "--json").stdout)
    assert [(r["id"], r["active"], r["events"]) for r in listed] == [
        (webhook.pk, True, "item.*, sprint.created")
    ]
    assert webhook.secret not in run("webhooks", "list", *W).stdout
    tested = run("webhooks", "test", str(webhook.pk), *W)
    assert tested.exit_code == 0, tested.output
    ping = webhook.deliveries.get()
    attempt(ping.pk)
    log = json.loads(run("webhooks", "deliveries", str(webhook.pk), *W, "--json").stdout)
    assert [(r["kind"], r["state"], r["response_code"]) for r in log] == [
        ("ping", "succeeded", 200)
    ]
    again = run("webhooks", "redeliver", str(webhook.pk), str(ping.pk), *W)
    assert again.exit_code == 0, again.output
    assert webhook.deliveries.count() == 2
    gone = run("webhooks", "delete", str(webhook.pk), *W)
    assert gone.exit_code == 0, gone.output
    assert not Webhook.objects.exists()


def test_bad_input_and_refusals_are_one_line(owner: Persona, developer: Persona) -> None:
    bad = run("webhooks", "create", *W, "--url", "ftp://x.example.com", "--event", "*")
    assert "Url: must start with http:// or https://." in error_line(bad)
    assert "--event" in error_line(run("webhooks", "create", *W, "--url", "https://x.example.com"))
    member = run("webhooks", "list", *W, "--as", developer.email)
    assert "Only workspace owners and admins see and manage webhooks." in error_line(member)
    assert "No webhook 99" in error_line(run("webhooks", "test", "99", *W))
    assert "--state must be one of" in error_line(
        run("webhooks", "deliveries", "1", *W, "--state", "lost")
    )
