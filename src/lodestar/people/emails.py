"""The emails of the people context: password reset, invitations, email change.

Each message is rendered here (a plain text part and an HTML alternative, from
``people/templates/people/email/``) and handed to ``people.tasks.send_email``, enqueued inside
the caller's transaction: the worker sends it, never the request. Everything that goes into a
header (the subject, the recipient) passes through ``core.mail``'s ``header_text`` or
``clean_recipient``, so no name, title or workspace name can add a header.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

from lodestar.core.mail import clean_recipient, header_text


@dataclass(frozen=True)
class Email:
    """One rendered message: recipient, subject, plain text and HTML."""

    to: str
    subject: str
    text: str
    html: str


def render_email(template: str, *, to: str, subject: str, context: dict[str, object]) -> Email:
    """Render ``people/email/<template>.txt`` and ``.html`` with ``context``."""
    return Email(
        to=clean_recipient(to),
        subject=header_text(subject),
        text=render_to_string(f"people/email/{template}.txt", context),
        html=render_to_string(f"people/email/{template}.html", context),
    )


def enqueue(message: Email) -> None:
    """Hand ``message`` to the worker (inside the caller's transaction, with the database task
    backend: the message leaves exactly when the change that asked for it commits)."""
    from lodestar.people.tasks import send_email

    if not message.to:
        return
    send_email.enqueue(message.to, message.subject, message.text, message.html)
