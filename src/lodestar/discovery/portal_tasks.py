"""Background work of the portal: sending a confirmation email, and forgetting what was never
confirmed.

Enqueued inside the transaction that stores the idea or the vote (the database backend writes
the task's row in it), so an email leaves exactly when its row exists, sent by the worker and
never holding up the visitor's request on a slow mail server."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_portal_confirmation(email: str, subject: str, body: str) -> int:
    """Send one confirmation email; returns how many messages left (1)."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)


@task()
def purge_unconfirmed_portal_requests() -> int:
    """Daily: drop ideas and votes whose confirmation link expired unfollowed."""
    from lodestar.discovery.portal_services import purge_unconfirmed

    return purge_unconfirmed()
