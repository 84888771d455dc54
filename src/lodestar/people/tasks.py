"""Background work of the people context: sending its emails (``people.emails``), the
password reset message, built by the worker so that a request for a known address does the
same work as one for an unknown address, and the warnings of tokens about to expire."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django_tasks import task

from lodestar.core.mail import clean_recipient, header_text

logger = logging.getLogger(__name__)


@task()
def send_email(to: str, subject: str, text: str, html: str) -> int:
    """Send one message (plain text with an HTML alternative); returns how many left (0 or 1).

    The subject and recipient are cleaned again here, so a message enqueued by any caller
    cannot carry a header break; a refused header is logged, never raised."""
    recipient = clean_recipient(to)
    if not recipient:
        logger.warning("An email was not sent: its recipient is not one plain address.")
        return 0
    message = EmailMultiAlternatives(
        subject=header_text(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )
    message.attach_alternative(html, "text/html")
    try:
        return message.send(fail_silently=False)
    except BadHeaderError:
        logger.warning("An email was not sent: a header was refused.")
        return 0


@task()
def warn_expiring_tokens() -> int:
    """Daily: tell the holders of tokens that stop working within a week (once each)."""
    from lodestar.people.services.tokens import tokens_warn_expiring

    return tokens_warn_expiring()


@task()
def send_password_reset(email: str, site: str) -> int:
    """Email a password reset link to the active account with ``email``, if there is one."""
    from lodestar.people.services.passwords import password_reset_message

    message = password_reset_message(email=email, site=site)
    if message is None:
        return 0
    return int(send_email.call(message.to, message.subject, message.text, message.html))
