"""Changing one's email address, confirmed from the new address.

``email_change_request`` checks the current password and the new address, then emails a
signed link (``TimestampSigner``, ``EMAIL_CHANGE_MAX_AGE_SECONDS``) to the new address and a
notice to the old one. Only following the link changes the address (``email_change_confirm``).
The link names the account, the old and the new address: once the address has changed it no
longer matches, so a link works once. An address that belongs to another account "cannot be
used", whichever account that is. Open invitations stay addressed as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from lodestar.core import ratelimit
from lodestar.core.errors import Invalid, RateLimited
from lodestar.people.emails import enqueue, render_email
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.models import User
from lodestar.people.services._common import _email, record_on_memberships

_SALT = "lodestar.people.email_change"


@dataclass(frozen=True)
class EmailChange:
    """What a confirmation link asks: ``user`` moves from ``old`` to ``new``."""

    user: User
    old: str
    new: str


def _unusable(field: str = "email") -> Invalid:
    return Invalid.field(field, "that address cannot be used", code=Code.EMAIL_UNUSABLE)


def _used() -> Invalid:
    return Invalid.field(
        "token",
        "this confirmation link has already been used or a newer change was made",
        code=Code.EMAIL_CHANGE_USED,
    )


def _check_new_address(user: User, new: str) -> None:
    if new == user.email:
        raise Invalid.field("email", "is already your address", code=Code.EMAIL_UNCHANGED)
    if User.objects.filter(email=new).exclude(pk=user.pk).exists():
        raise _unusable()


def email_change_request(*, user: User, password: str, new_email: str, site: str) -> str:
    """Email a confirmation link to ``new_email`` and a notice to the current address; returns
    the new address (cleaned). Nothing changes until the link is followed. Every attempt
    counts against the account's limit before the password is checked, so the form cannot be
    used to guess the password (the count is its own statement, kept when the request is
    refused)."""
    count = ratelimit.hit(
        f"email-change:user:{user.pk}", window=settings.EMAIL_CHANGE_RATE_LIMIT_WINDOW_SECONDS
    )
    if count.count > settings.EMAIL_CHANGE_RATE_LIMIT_PER_USER:
        seconds = count.seconds_left(ratelimit.now())
        minutes = max(1, -(-seconds // 60))
        raise RateLimited(
            f"Too many email change attempts; try again in {minutes} minute"
            f"{'' if minutes == 1 else 's'}.",
            retry_after=seconds,
        )
    with transaction.atomic():
        return _email_change_send(user=user, password=password, new_email=new_email, site=site)


def _email_change_send(*, user: User, password: str, new_email: str, site: str) -> str:
    errors: list[Invalid] = []
    if not user.check_password(password or ""):
        errors.append(
            Invalid.field("password", "is not your current password", code=Code.PASSWORD_WRONG)
        )
    try:
        new = _email(new_email)
        _check_new_address(user, new)
    except Invalid as error:
        errors.append(error)
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise Invalid.fields(
            [field for error in errors for field in error.errors], code=errors[0].code
        )
    token = signing.TimestampSigner(salt=_SALT).sign_object(
        {"user": user.pk, "old": user.email, "new": new}
    )
    hours = settings.EMAIL_CHANGE_MAX_AGE_SECONDS // 3600
    context = {
        "name": user.display_name,
        "old": user.email,
        "new": new,
        "link": f"{site}{reverse('people:email_change_confirm', args=[token])}",
        "hours": hours,
        "site": site,
    }
    enqueue(
        render_email(
            "email_change_confirm",
            to=new,
            subject="Confirm your new Lodestar email address",
            context=context,
        )
    )
    enqueue(
        render_email(
            "email_change_notice",
            to=user.email,
            subject="Your Lodestar email address is about to change",
            context=context,
        )
    )
    return new


def email_change_read(*, token: str) -> EmailChange:
    """What a confirmation link asks, while it can still be followed; else ``Invalid``
    naming why (invalid, expired, used)."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        data = signer.unsign_object(token, max_age=settings.EMAIL_CHANGE_MAX_AGE_SECONDS)
    except signing.SignatureExpired as error:
        raise Invalid.field(
            "token",
            "this confirmation link has expired; ask for the change again",
            code=Code.EMAIL_CHANGE_EXPIRED,
        ) from error
    except signing.BadSignature as error:
        raise Invalid.field(
            "token",
            "this confirmation link is not valid; copy the whole link from the email",
            code=Code.EMAIL_CHANGE_INVALID,
        ) from error
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    old, new = str(data.get("old", "")), str(data.get("new", ""))
    if user is None or user.email != old:
        raise _used()
    return EmailChange(user=user, old=old, new=new)


@transaction.atomic
def email_change_confirm(*, token: str) -> EmailChange:
    """Change the address a confirmation link names. Recorded in each of the account's
    workspaces' history; open invitations keep the address they were sent to."""
    change = email_change_read(token=token)
    user = User.objects.select_for_update().get(pk=change.user.pk)
    if user.email != change.old:
        raise _used()
    if User.objects.filter(email=change.new).exclude(pk=user.pk).exists():
        raise _unusable("token")
    user.email = change.new
    user.save(update_fields=["email"])
    record_on_memberships(user, {"email": [change.old, change.new]})
    return EmailChange(user=user, old=change.old, new=change.new)
