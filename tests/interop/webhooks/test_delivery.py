"""From events to deliveries (in the worker, never in the request), sending them, the retry
schedule, giving up, disabling after repeated failures with a notification to the workspace's
admins, redelivery, the test event and the sweep."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.core import events
from lodestar.core.errors import Conflict
from lodestar.core.models import HistoryEntry
from lodestar.interop.webhooks import services
from lodestar.interop.webhooks.delivery import (
    BACKOFF,
    DISABLE_AFTER_FAILURES,
    attempt,
    deliver_due,
    purge_old,
)
from lodestar.interop.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from lodestar.notifications.models import Notification
from lodestar.people.models import Role
from lodestar.strategy import services as strategy
from tests.conftest import Persona, _member
from tests.interop.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(db: None) -> Callable[[], int]:
    """The worker's outbox pump, its cursors placed before the test's changes."""
    events.deliver_pending()
    return events.deliver_pending


def hook(owner: Persona, url: str, kinds: list[str] | None = None) -> Webhook:
    return services.webhook_create(actor=owner.actor, url=url, events=kinds or ["*"])


def queued(webhook: Webhook, kind: str = "item.updated", at: dt.datetime | None = None) -> Any:
    now = at or timezone.now()
    return WebhookDelivery.objects.create(
        workspace_id=webhook.workspace_id,
        webhook=webhook,
        event_id="evt_1",
        kind=kind,
        payload={"id": "evt_1", "kind": kind},
        next_attempt_at=now,
        created_at=now,
    )


def test_events_become_deliveries_in_the_worker_for_the_webhooks_that_hear_them(
    owner: Persona, outsider: Persona, deliver: Callable[[], int]
) -> None:
    items = hook(owner, "https://a.example.com/", ["item.*"])
    products = hook(owner, "https://b.example.com/", ["product.created"])
    everything = hook(owner, "https://c.example.com/", ["*"])
    off = hook(owner, "https://d.example.com/", ["*"])
    services.webhook_disable(actor=owner.actor, webhook=off, reason="paused")
    foreign = hook(outsider, "https://e.example.com/", ["*"])
    deliver()  # the webhooks' own events
    WebhookDelivery.objects.all().delete()

    product = strategy.product_create(actor=owner.actor, key="ACME", name="Acme Analytics")
    item = backlog.item_create(actor=owner.actor, product=product, title="Share by link")
    # Nothing in the request that made the change: the pump makes the deliveries.
    assert not WebhookDelivery.objects.exists()
    deliver()

    def kinds(webhook: Webhook) -> list[str]:
        rows = WebhookDelivery.objects.filter(webhook=webhook).order_by("pk")
        return [d.kind for d in rows]

    assert kinds(items) == ["item.created"]
    assert kinds(products) == ["product.created"]
    assert kinds(everything) == ["product.created", "item.created"]
    assert kinds(off) == []
    assert kinds(foreign) == []
    sent = WebhookDelivery.objects.get(webhook=items)
    entry = HistoryEntry.objects.filter(object_id=item.pk, action="created").latest("pk")
    assert sent.state == DeliveryState.PENDING
    assert sent.payload["id"] == f"evt_{entry.pk}"
    assert sent.payload["kind"] == "item.created"
    assert sent.payload["workspace"] == "acme"
    assert sent.payload["object"]["type"] == "item"
    assert sent.payload["object"]["id"] == item.pk
    assert sent.payload["object"]["ref"] == item.key
    assert sent.payload["object"]["url"].endswith(item.key)
    assert sent.payload["actor"] == {"name": owner.user.display_name, "email": owner.email}
    assert sent.payload["data"]["action"] == "created"
    assert sent.payload["occurred_at"].endswith("Z")


def test_a_success_is_logged_with_its_answer(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    webhook = hook(owner, receiver.url)
    delivery = queued(webhook)
    receiver.status = 204
    receiver.body = b""
    done = attempt(delivery.pk)
    assert done is not None
    assert (done.state, done.response_code, done.attempts, done.error) == (
        DeliveryState.SUCCEEDED,
        204,
        1,
        "",
    )
    assert done.delivered_at is not None
    assert done.duration_ms is not None
    assert json.loads(receiver.received[0].body) == {"id": "evt_1", "kind": "item.updated"}
    webhook.refresh_from_db()
    assert (webhook.last_delivery_state, webhook.last_response_code) == ("succeeded", 204)
    # Sent once: a second attempt finds nothing due.
    assert attempt(delivery.pk) is None
    assert len(receiver.received) == 1


def test_failures_are_retried_on_the_backoff_schedule_then_give_up(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    webhook = hook(owner, receiver.url)
    receiver.status = 500
    receiver.body = b"upstream exploded" * 300
    start = timezone.now()
    delivery = queued(webhook, at=start)
    now = start
    waits = []
    for number in range(1, len(BACKOFF) + 2):
        # Not due yet: not sent.
        assert attempt(delivery.pk, now=now - dt.timedelta(seconds=30)) is None or number == 1
        done = attempt(delivery.pk, now=now)
        assert done is not None
        assert done.attempts == number
        assert done.response_code == 500
        assert done.error == "The receiver answered 500."
        assert len(done.response_excerpt) == 2001  # capped, with an ellipsis
        if done.next_attempt_at is not None:
            waits.append(done.next_attempt_at - now)
            assert done.state == DeliveryState.FAILED
            now = done.next_attempt_at
    assert waits == list(BACKOFF)
    assert done.state == DeliveryState.GAVE_UP
    assert len(receiver.received) == len(BACKOFF) + 1
    assert attempt(delivery.pk, now=now + dt.timedelta(days=9)) is None


def test_a_redirect_is_a_failure_that_says_where_it_pointed(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    webhook = hook(owner, receiver.url)
    receiver.status = 302
    receiver.headers = {"Location": "http://10.0.0.1/admin"}
    done = attempt(queued(webhook).pk)
    assert done is not None
    assert done.state == DeliveryState.FAILED
    assert done.error == ("Redirected (302) to http://10.0.0.1/admin; redirects are not followed.")
    assert len(receiver.received) == 1


def test_a_refused_address_is_in_the_delivery_log(
    owner: Persona, resolve: Callable[[dict[str, list[str]]], list[str]]
) -> None:
    resolve({"hooks.example.com": ["10.0.0.1"]})
    webhook = hook(owner, "https://hooks.example.com/in")
    done = attempt(queued(webhook).pk)
    assert done is not None
    assert done.state == DeliveryState.FAILED
    assert done.response_code is None
    assert done.error == "Refused: hooks.example.com resolves to 10.0.0.1, a private address."


def test_fifteen_failures_in_a_row_disable_the_webhook_and_tell_its_admins(
    owner: Persona,
    admin: Persona,
    developer: Persona,
    viewer: Persona,
    receiver: Receiver,
    allow_local: None,
) -> None:
    webhook = hook(owner, receiver.url)
    receiver.status = 503
    waiting = [queued(webhook) for _ in range(DISABLE_AFTER_FAILURES + 2)]
    for delivery in waiting[: DISABLE_AFTER_FAILURES - 1]:
        attempt(delivery.pk)
    webhook.refresh_from_db()
    assert webhook.active
    assert webhook.consecutive_failures == DISABLE_AFTER_FAILURES - 1
    assert not Notification.objects.exists()

    attempt(waiting[DISABLE_AFTER_FAILURES - 1].pk)
    webhook.refresh_from_db()
    assert not webhook.active
    assert webhook.disabled_reason.startswith("Disabled after 15 failed deliveries in a row")
    assert "The receiver answered 503." in webhook.disabled_reason
    # Everything still waiting gives up; nothing more is sent.
    states = set(WebhookDelivery.objects.filter(webhook=webhook).values_list("state", flat=True))
    assert states == {DeliveryState.GAVE_UP}
    assert attempt(waiting[-1].pk) is None
    assert len(receiver.received) == DISABLE_AFTER_FAILURES
    told = Notification.objects.filter(target_type="webhook", target_id=webhook.pk)
    assert sorted(n.recipient_id for n in told) == sorted(
        [owner.membership.pk, admin.membership.pk]
    )
    assert all(n.kind == "status" for n in told)
    assert told[0].sentence == f"Lodestar disabled the webhook to {receiver.url}"
    assert told[0].url.endswith(f"/settings/webhooks/{webhook.pk}")
    entry = HistoryEntry.objects.filter(object_type="interop.webhook", object_id=webhook.pk)
    last = entry.order_by("-pk").first()
    assert last is not None
    assert last.actor_id is None
    assert last.changes["active"] == [True, False]


def test_failing_for_three_days_disables_it_too(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    webhook = hook(owner, receiver.url)
    receiver.status = 500
    now = timezone.now()
    Webhook.objects.filter(pk=webhook.pk).update(
        consecutive_failures=2, failing_since=now - dt.timedelta(days=3, minutes=1)
    )
    attempt(queued(webhook).pk, now=now)
    webhook.refresh_from_db()
    assert not webhook.active
    assert webhook.consecutive_failures == 3


def test_a_success_starts_the_count_again(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    webhook = hook(owner, receiver.url)
    receiver.status = 500
    for _ in range(5):
        attempt(queued(webhook).pk)
    receiver.status = 200
    attempt(queued(webhook).pk)
    webhook.refresh_from_db()
    assert (webhook.consecutive_failures, webhook.failing_since) == (0, None)


def test_a_test_event_is_tried_once_and_does_not_count_toward_disabling(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    webhook = hook(owner, receiver.url)
    receiver.status = 500
    ping = services.webhook_test(actor=owner.actor, webhook=webhook)
    done = attempt(ping.pk)
    assert done is not None
    assert (done.state, done.next_attempt_at, done.attempts) == (DeliveryState.FAILED, None, 1)
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0
    assert webhook.last_delivery_state == DeliveryState.FAILED
    body = json.loads(receiver.received[0].body)
    assert body["kind"] == "ping"
    assert body["object"] == {
        "type": "webhook",
        "id": webhook.pk,
        "label": "",
        "ref": str(webhook.pk),
        "url": None,
    }


def test_redelivery_sends_the_same_event_again_as_a_new_delivery(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    webhook = hook(owner, receiver.url)
    first = attempt(queued(webhook).pk)
    assert first is not None
    again = services.delivery_redeliver(actor=owner.actor, delivery=first)
    assert (again.event_id, again.payload, again.redelivery_of_id) == (
        first.event_id,
        first.payload,
        first.pk,
    )
    assert again.state == DeliveryState.PENDING
    done = attempt(again.pk)
    assert done is not None
    assert done.state == DeliveryState.SUCCEEDED
    one, two = receiver.received
    assert one.body == two.body
    assert one.headers["lodestar-delivery"] != two.headers["lodestar-delivery"]
    services.webhook_disable(actor=owner.actor, webhook=webhook)
    with pytest.raises(Conflict, match="enable it before redelivering"):
        services.delivery_redeliver(actor=owner.actor, delivery=first)


def test_disabling_by_hand_gives_up_what_waits_and_enabling_starts_again(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    webhook = hook(owner, receiver.url)
    waiting = queued(webhook)
    services.webhook_disable(actor=owner.actor, webhook=webhook, reason="Moving the receiver")
    waiting.refresh_from_db()
    assert waiting.state == DeliveryState.GAVE_UP
    assert attempt(waiting.pk) is None
    webhook.refresh_from_db()
    assert webhook.disabled_reason == "Moving the receiver"
    # By hand: nobody is notified of what they did themselves.
    assert not Notification.objects.exists()
    services.webhook_enable(actor=owner.actor, webhook=webhook)
    webhook.refresh_from_db()
    assert (webhook.active, webhook.disabled_reason, webhook.consecutive_failures) == (True, "", 0)
    assert attempt(queued(webhook).pk) is not None
    assert len(receiver.received) == 1


def test_the_hourly_sweep_sends_what_is_due(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    webhook = hook(owner, receiver.url)
    now = timezone.now()
    due = [queued(webhook, at=now - dt.timedelta(minutes=m)) for m in (1, 2)]
    queued(webhook, at=now + dt.timedelta(minutes=5))
    assert deliver_due(now=now) == 2
    assert {d.pk for d in due} == set(
        WebhookDelivery.objects.filter(state=DeliveryState.SUCCEEDED).values_list("pk", flat=True)
    )


def test_a_delivery_is_handed_to_the_worker_when_its_transaction_commits(
    owner: Persona,
    receiver: Receiver,
    allow_local: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    webhook = hook(owner, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        ping = services.webhook_test(actor=owner.actor, webhook=webhook)
        assert receiver.received == []
    # The test settings run tasks at once (the worker's database backend otherwise).
    ping.refresh_from_db()
    assert ping.state == DeliveryState.SUCCEEDED
    assert len(receiver.received) == 1


def test_the_admins_told_are_those_of_its_workspace(
    owner: Persona, outsider: Persona, receiver: Receiver, allow_local: None
) -> None:
    other_admin = _member(outsider.membership.workspace, "ana@globex.test", Role.ADMIN)
    webhook = hook(owner, receiver.url)
    receiver.status = 500
    Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=DISABLE_AFTER_FAILURES - 1)
    attempt(queued(webhook).pk)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {owner.membership.pk}
    assert other_admin.membership.pk not in told


def test_the_log_keeps_thirty_days_of_what_is_done(owner: Persona) -> None:
    webhook = hook(owner, "https://a.example.com/")
    now = timezone.now()
    old = now - dt.timedelta(days=31)
    done = queued(webhook, at=old)
    WebhookDelivery.objects.filter(pk=done.pk).update(
        state=DeliveryState.SUCCEEDED, next_attempt_at=None
    )
    retrying = queued(webhook, at=old)
    WebhookDelivery.objects.filter(pk=retrying.pk).update(
        state=DeliveryState.FAILED, next_attempt_at=now + dt.timedelta(hours=1)
    )
    recent = queued(webhook, at=now - dt.timedelta(days=2))
    assert purge_old(now=now) == 1
    left = set(WebhookDelivery.objects.values_list("pk", flat=True))
    assert left == {retrying.pk, recent.pk}


def test_a_webhook_deleted_while_its_delivery_is_sent_loses_nothing_else(
    owner: Persona, receiver: Receiver, allow_local: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lodestar.interop.webhooks import http

    webhook = hook(owner, receiver.url)
    delivery = queued(webhook)
    real = http.post

    def post_then_delete(*args: Any, **kwargs: Any) -> Any:
        answer = real(*args, **kwargs)
        services.webhook_delete(actor=owner.actor, webhook=webhook)
        return answer

    monkeypatch.setattr(http, "post", post_then_delete)
    assert attempt(delivery.pk) is not None
    assert not WebhookDelivery.objects.exists()


def test_an_event_costs_one_query_without_webhooks_and_a_few_with_ten(
    owner: Persona, outsider: Persona, django_assert_num_queries: Any
) -> None:
    from lodestar.core.events import event_of
    from lodestar.interop.webhooks.delivery import on_event

    product = strategy.product_create(actor=owner.actor, key="ACME", name="Acme Analytics")
    item = backlog.item_create(actor=owner.actor, product=product, title="Share by link")
    entry = HistoryEntry.objects.filter(object_id=item.pk, action="created").latest("pk")
    for n in range(10):
        hook(outsider, f"https://{n}.example.com/")
    with django_assert_num_queries(1):
        assert on_event(event_of(entry)) == []
    for n in range(10):
        hook(owner, f"https://{n}.example.com/")
    with django_assert_num_queries(8) as counted:
        made = on_event(event_of(entry))
    assert len(made) == 10
    statements = [q["sql"].split()[0] for q in counted.captured_queries]
    # The webhooks, the workspace's slug, the actor, the object and its page's workspace;
    # the deliveries in one INSERT (between a savepoint and its release).
    assert statements == ["SELECT"] * 5 + ["SAVEPOINT", "INSERT", "RELEASE"]


def test_with_the_workers_backend_a_retry_waits_for_its_time(
    owner: Persona,
    receiver: Receiver,
    allow_local: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    webhook = hook(owner, receiver.url)
    receiver.status = 500
    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database):  # the library resets its backends on the change
        with django_capture_on_commit_callbacks(execute=True):
            ping = services.webhook_test(actor=owner.actor, webhook=webhook)
        first = DBTaskResult.objects.get()
        assert first.args_kwargs == {"args": [ping.pk], "kwargs": {}}
        assert first.task_path == "lodestar.interop.webhooks.tasks.deliver_webhook"
        DBTaskResult.objects.all().delete()
        delivery = queued(webhook)
        with django_capture_on_commit_callbacks(execute=True):
            done = attempt(delivery.pk)
        assert done is not None
        retry = DBTaskResult.objects.get()
        assert retry.args_kwargs["args"] == [delivery.pk]
        assert retry.run_after == done.next_attempt_at
    # Nothing was sent by enqueuing: the worker sends when it runs the tasks.
    assert len(receiver.received) == 1
