"""What every context's email needs: header text that cannot add a header, a bare recipient,
and where links in an email start.

Django refuses a newline in a header with ``BadHeaderError``; everything that goes into a header
(a subject made from a name or a title, a recipient) passes through here first, so a worker task
never meets one.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.http import HttpRequest

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
