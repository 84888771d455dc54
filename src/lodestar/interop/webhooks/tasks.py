"""Background work of webhooks: sending a delivery, and the hourly sweep of due ones."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Send one delivery if it is still due; returns its state after ("" if not sent)."""
    from lodestar.interop.webhooks.delivery import attempt

    delivery = attempt(delivery_id)
    return delivery.state if delivery is not None else ""


@task()
def deliver_due_webhooks() -> int:
    """Hourly: send the deliveries that are due and that no task is sending."""
    from lodestar.interop.webhooks.delivery import deliver_due

    return deliver_due()
