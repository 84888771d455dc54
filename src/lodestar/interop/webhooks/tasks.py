"""Background work of webhooks: sending a delivery, the hourly sweep of due ones, and the
daily purge of the old delivery log."""

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


@task()
def purge_webhook_deliveries() -> int:
    """Daily: delete the delivery log's entries older than 30 days that are done."""
    from lodestar.interop.webhooks.delivery import purge_old

    return purge_old()
