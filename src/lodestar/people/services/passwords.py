"""Password reset by email (Django's token machinery).

``password_reset_request`` counts the request (per address typed and per client address) and
enqueues ``people.tasks.send_password_reset``, whatever the address: the worker looks the
account up and builds the link, so a request for a known address and one for an unknown
address do the same work and get the same answer. The link is
``/account/reset/<uidb64>/<token>`` with ``default_token_generator``: the token is a hash of
the account's password and last sign-in, so it stops working once the password changes (one
use), and after ``PASSWORD_RESET_TIMEOUT`` seconds.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from lodestar.core import ratelimit
from lodestar.core.errors import Invalid, RateLimited
from lodestar.people.emails import Email, render_email
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.models import User
from lodestar.people.services._common import record_on_memberships


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def password_reset_throttle(*, email: str, client_address: str) -> None:
    """Count one reset request per address typed and per client address; past either limit,
    ``RateLimited`` with the same words whether or not the address has an account."""
    window = settings.PASSWORD_RESET_RATE_LIMIT_WINDOW_SECONDS
    limits = [
        (
            f"reset:client:{ratelimit.digest(client_address)}",
            settings.PASSWORD_RESET_RATE_LIMIT_PER_CLIENT,
        ),
        (
            f"reset:email:{ratelimit.digest(email.strip().lower())}",
            settings.PASSWORD_RESET_RATE_LIMIT_PER_EMAIL,
        ),
    ]
    moment = ratelimit.now()
    for key, limit in limits:
        count = ratelimit.hit(key, window=window, at=moment)
        if count.count > limit:
            seconds = count.seconds_left(moment)
            raise RateLimited(
                "Too many password reset requests for this address or from your network. "
                f"Try again in {_minutes(seconds)}.",
                retry_after=seconds,
            )


def password_reset_request(*, email: str, client_address: str, site: str) -> None:
    """Ask for a reset link to ``email``: counted, then handed to the worker (which sends it
    only when an active account has that address). Raises ``RateLimited`` past the limits.
    The counts are statements of their own, kept when the request is refused."""
    from lodestar.people.tasks import send_password_reset

    address = (email or "").strip().lower()
    password_reset_throttle(email=address, client_address=client_address)
    send_password_reset.enqueue(address, site)


def reset_path(user: User) -> str:
    """The path of a fresh reset link for ``user``."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("people:password_reset_confirm", args=[uid, token])


def password_reset_message(*, email: str, site: str) -> Email | None:
    """The reset email for the active account with ``email``; None when there is none."""
    user = User.objects.filter(email=(email or "").strip().lower(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return None
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    return render_email(
        "password_reset",
        to=user.email,
        subject="Reset your Lodestar password",
        context={
            "name": user.display_name,
            "link": f"{site}{reset_path(user)}",
            "minutes": minutes,
            "site": site,
        },
    )


def password_reset_user(*, uidb64: str, token: str) -> User:
    """The account a reset link names, while its token is valid; else ``Invalid`` saying the
    link is unknown, used or expired (the same words: the token tells no more)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        pk = None
    user = User.objects.filter(pk=pk, is_active=True).first() if pk is not None else None
    if user is None or not default_token_generator.check_token(user, token):
        raise Invalid.field(
            "token",
            "this reset link is invalid, used or expired; ask for a new one",
            code=Code.PASSWORD_RESET_INVALID,
        )
    return user


@transaction.atomic
def password_reset_confirm(*, uidb64: str, token: str, password: str) -> User:
    """Set a new password from a reset link. The password passes the password validators or
    nothing changes. Every session of the account ends (Django's session hash follows the
    password); API tokens stay. Recorded in each of the account's workspaces' history, without
    the token."""
    user = User.objects.select_for_update().get(
        pk=password_reset_user(uidb64=uidb64, token=token).pk
    )
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise Invalid.field("password", " ".join(exc.messages), code=Code.PASSWORD_INVALID) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    record_on_memberships(user, {"password": "reset by email"})
    return user
