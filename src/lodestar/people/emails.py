"""The emails of the people context: password reset, invitations, email change.

Each message is rendered here (a plain text part and an HTML alternative, from
``people/templates/people/email/``) and handed to ``people.tasks.send_email``, enqueued inside
the caller's transaction: the worker sends it, never the request. Everything that goes into a
header (the subject, the recipient) passes through ``header_text`` or ``clean_recipient``, so no
name, title or workspace name can add a header: Django refuses a newline in a header with
``BadHeaderError``, and the task must never meet one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string

SUBJECT_MAX = 150
# Characters that end or fold a header line, and the rest of the control characters.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


def header_text(value: str, limit: int = SUBJECT_MAX) -> str:
    """``value`` as one safe header line: control characters (CR, LF, tabs, the Unicode line
    and paragraph separators) become spaces, runs of spaces one, and it is cut at ``limit``."""
    text = unicodedata.normalize("NFC", str(value or ""))
    text = " ".join(_CONTROL.sub(" ", text).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def clean_recipient(address: str) -> str:
    """A recipient fit for a ``To`` header: one bare address without control characters or
    separators, else an empty string (nothing is sent)."""
    text = str(address or "").strip()
    if not text or _CONTROL.search(text) or any(mark in text for mark in ',;"<>\\ '):
        return ""
    return text


def site_url(request: HttpRequest | None = None) -> str:
    """Where links in emails start (scheme and host): ``LODESTAR_BASE_URL``, else the address
    the request came to, else the local server's default address."""
    if settings.BASE_URL:
        return str(settings.BASE_URL)
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return "http://127.0.0.1:8000"


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
