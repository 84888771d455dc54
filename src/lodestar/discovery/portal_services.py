"""The public portal's writes: its setting, and what visitors send (ideas and votes, each
confirmed by an emailed link).

**Visitors** are not signed in, so their writes take no actor: ``portal_submit`` and
``portal_vote_request`` store an unconfirmed row and email a link; ``portal_confirm`` follows
it. The link carries a token signed with the secret key (``django.core.signing``, salted for
the portal) that names the row and expires after ``PORTAL_CONFIRMATION_MAX_AGE_SECONDS``. A
row is confirmed by one conditional update (``confirmed_at IS NULL``), so a link followed twice,
or replayed, confirms nothing more; and a vote is one row per (idea, email), so an address
counts once per idea however many links it asks for. A confirmed idea becomes feedback (source
``portal``) from the contact with that email (found, or created without a customer) and waits
in the moderation queue.

**The team**'s moderation of the queue lives in ``portal_moderation``. Public titles and
descriptions are plain text, shown escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from lodestar.core import ratelimit
from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import DomainError, FieldError, Invalid, NotFound, RateLimited
from lodestar.core.history import changes_since, history_record, snapshot
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.models import Contact, Feedback, FeedbackSource
from lodestar.discovery.permissions import DiscoveryPermission
from lodestar.discovery.portal_models import (
    Portal,
    PortalIdea,
    PortalSubmission,
    PortalVote,
    SubmissionState,
)
from lodestar.discovery.portal_tasks import send_portal_confirmation
from lodestar.discovery.services import clean_email
from lodestar.people.policy import Actor, require

Action = HistoryEntry.Action

PORTAL_TITLE_MAX = 120
INTRO_MAX = 2_000
IDEA_TITLE_MAX = 120
IDEA_DESCRIPTION_MAX = 2_000
EMAIL_MAX = 254

_SALT = "lodestar.discovery.portal.confirm"
IDEA, VOTE = "idea", "vote"

ConfirmUrl = Callable[[str], str]


class LinkExpired(DomainError):
    status = 410
    title = "Gone"
    default_code = Code.PORTAL_LINK_EXPIRED


def _record(actor: Actor | None, workspace_id: int, obj: Any, action: str, changes: Any) -> None:
    history_record(
        actor=actor.user if actor is not None else None,
        workspace_id=workspace_id,
        obj=obj,
        action=action,
        changes=changes,
    )


def _same_workspace(actor: Actor, field: str, obj: Any) -> None:
    if obj.workspace_id != actor.workspace_id:
        raise Invalid.field(field, "is not in this workspace")


def _plain(value: str | None, field: str, limit: int, code: str, *, required: bool) -> str:
    """One field of plain text, stripped; its errors name the field and say what to fix."""
    text = (value or "").strip()
    if required and not text:
        raise Invalid.field(field, "must not be empty", code=code)
    if len(text) > limit:
        raise Invalid.field(
            field, f"must be at most {limit:,} characters (it has {len(text):,})", code=code
        )
    if "\x00" in text:
        raise Invalid.field(field, "must not contain NUL characters", code=code)
    return text


def _one_line(value: str | None, field: str, limit: int, code: str, *, required: bool) -> str:
    return " ".join(_plain(value, field, limit, code, required=required).split())


def _all_fields(checks: list[Callable[[], Any]]) -> list[Any]:
    """Run every field check and refuse once, naming every field that needs fixing."""
    values: list[Any] = []
    errors: list[FieldError] = []
    code = None
    for check in checks:
        try:
            values.append(check())
        except Invalid as error:
            errors.extend(error.errors)
            code = code or error.code
            values.append(None)
    if errors:
        raise Invalid.fields(errors, code=code)
    return values


# -- the setting -------------------------------------------------------------------------------


def portal_of(product: Any) -> Portal:
    """``product``'s portal; an unsaved one (off, titled after the product) when never set."""
    portal = Portal.objects.filter(product=product).first()
    if portal is None:
        portal = Portal(workspace_id=product.workspace_id, product=product, title=product.name)
    return portal


@transaction.atomic
def portal_update(
    *,
    actor: Actor,
    product: Any,
    enabled: bool | None = None,
    title: str | None = None,
    intro: str | None = None,
    expected_version: int | None = None,
) -> Portal:
    """Turn ``product``'s portal on or off, or word it (``None`` leaves a field)."""
    require(actor, DiscoveryPermission.MANAGE_PORTAL, product=product)
    _same_workspace(actor, "product", product)
    portal, created = Portal.objects.select_for_update().get_or_create(
        product=product, defaults={"workspace_id": actor.workspace_id, "title": product.name}
    )
    check_version(portal, expected_version)
    before = snapshot(portal, ["enabled", "title", "intro"])
    new_title, new_intro = _all_fields(
        [
            lambda: (
                None
                if title is None
                else _one_line(
                    title, "title", PORTAL_TITLE_MAX, Code.PORTAL_SETTINGS_INVALID, required=True
                )
            ),
            lambda: (
                None
                if intro is None
                else _plain(intro, "intro", INTRO_MAX, Code.PORTAL_SETTINGS_INVALID, required=False)
            ),
        ]
    )
    if enabled is not None:
        portal.enabled = bool(enabled)
    if new_title is not None:
        portal.title = new_title
    if new_intro is not None:
        portal.intro = new_intro
    changes = changes_since(portal, before)
    if changes:
        bump(portal, list(changes))
    if changes or created:
        _record(
            actor,
            actor.workspace_id,
            portal,
            Action.CREATED if created else Action.UPDATED,
            changes,
        )
    return portal


# -- what visitors send --------------------------------------------------------------------------


def portal_throttle(*, address: str, email: str | None = None) -> None:
    """Count one request that may send an email, per client address and (when given) per email
    address; refuse with ``RateLimited`` (429, Retry-After) past either limit."""
    window = settings.PORTAL_RATE_LIMIT_WINDOW_SECONDS
    limits = [(f"portal:client:{ratelimit.digest(address)}", settings.PORTAL_RATE_LIMIT_PER_CLIENT)]
    if email:
        limits.append(
            (f"portal:email:{ratelimit.digest(email)}", settings.PORTAL_RATE_LIMIT_PER_EMAIL)
        )
    moment = ratelimit.now()
    for key, limit in limits:
        count = ratelimit.hit(key, window=window, at=moment)
        if count.count > limit:
            seconds = count.seconds_left(moment)
            minutes = -(-seconds // 60)
            raise RateLimited(
                f"Too many ideas and votes sent from here; try again in {minutes} minute"
                f"{'' if minutes == 1 else 's'}.",
                retry_after=seconds,
            )


def clean_visitor_email(value: str | None) -> str:
    """A visitor's address, lower-case: one plain mailbox (Django's validator refuses lists,
    quoted parts and header tricks), since a link is mailed to it."""
    email = clean_email(
        _plain(value, "email", EMAIL_MAX, Code.CONTACT_EMAIL_INVALID, required=True)
    )
    try:
        validate_email(email)
    except ValidationError as error:
        raise Invalid.field(
            "email",
            "must be an email address such as ana@example.com",
            code=Code.CONTACT_EMAIL_INVALID,
        ) from error
    if any(mark in email for mark in ',;"<>'):
        raise Invalid.field(
            "email",
            "must be one plain address such as ana@example.com",
            code=Code.CONTACT_EMAIL_INVALID,
        )
    return email


def _token(kind: str, pk: int) -> str:
    return signing.dumps([kind, pk], salt=_SALT)


def _send(
    portal: Portal, email: str, kind: str, pk: int, confirm_url: ConfirmUrl, what: str
) -> None:
    link = confirm_url(_token(kind, pk))
    title = " ".join((portal.title or portal.product.name).split())
    body = render_to_string(
        "discovery/portal/email_confirm.txt",
        {"portal_title": title, "what": what, "link": link, "kind": kind},
    )
    subject = f"Confirm your {'idea' if kind == IDEA else 'vote'} for {title}"[:150]
    send_portal_confirmation.enqueue(email, subject, body)


@transaction.atomic
def portal_submit(
    *, portal: Portal, title: str, description: str, email: str, confirm_url: ConfirmUrl
) -> PortalSubmission:
    """A visitor's idea, unconfirmed until the link emailed to ``email`` is followed."""
    if not portal.enabled:
        raise NotFound("This portal is not open.", code=Code.PORTAL_NOT_FOUND)
    clean_title, clean_description, clean_address = _all_fields(
        [
            lambda: _one_line(
                title, "title", IDEA_TITLE_MAX, Code.PORTAL_IDEA_INVALID, required=True
            ),
            lambda: _plain(
                description,
                "description",
                IDEA_DESCRIPTION_MAX,
                Code.PORTAL_IDEA_INVALID,
                required=False,
            ),
            lambda: clean_visitor_email(email),
        ]
    )
    submission: PortalSubmission = PortalSubmission.objects.create(
        workspace_id=portal.workspace_id,
        product_id=portal.product_id,
        title=clean_title,
        description=clean_description,
        email=clean_address,
    )
    # The visitor's own words stay out of the email: the portal must not relay a stranger's
    # text to any address typed in.
    _send(portal, clean_address, IDEA, submission.pk, confirm_url, "")
    return submission


@transaction.atomic
def portal_vote_request(
    *, portal: Portal, idea: PortalIdea, email: str, confirm_url: ConfirmUrl
) -> PortalVote:
    """A visitor's vote for a published idea, counted once the emailed link is followed. An
    address that already voted for the idea gets no second link: its vote counts already."""
    if not portal.enabled or not idea.published or idea.product_id != portal.product_id:
        raise NotFound("No such idea on this portal.", code=Code.PORTAL_IDEA_NOT_FOUND)
    address = clean_visitor_email(email)
    vote, _ = PortalVote.objects.get_or_create(idea=idea, email=address)
    if vote.confirmed_at is None:
        _send(portal, address, VOTE, vote.pk, confirm_url, idea.title)
    return vote


@dataclass(frozen=True)
class Confirmation:
    """What following a link did: ``kind`` (idea or vote), whether this visit ``counted`` (a
    second visit counts nothing), and the idea voted for."""

    kind: str
    counted: bool
    idea: PortalIdea | None = None


def _read_token(token: str) -> tuple[str, int]:
    invalid = NotFound("This confirmation link is not valid.", code=Code.PORTAL_LINK_INVALID)
    try:
        data = signing.loads(
            token, salt=_SALT, max_age=settings.PORTAL_CONFIRMATION_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired as error:
        raise LinkExpired(
            "This confirmation link has expired; send your idea or vote again for a new one."
        ) from error
    except signing.BadSignature as error:
        raise invalid from error
    if (
        not isinstance(data, list)
        or len(data) != 2
        or data[0] not in (IDEA, VOTE)
        or not isinstance(data[1], int)
    ):
        raise invalid
    return str(data[0]), int(data[1])


def read_confirmation(token: str) -> str:
    """What a confirmation token confirms (``idea`` or ``vote``), without confirming it;
    ``NotFound`` for a forged or damaged one, ``LinkExpired`` past its age."""
    return _read_token(token)[0]


@transaction.atomic
def portal_confirm(*, portal: Portal, token: str) -> Confirmation:
    """Follow a confirmation link of ``portal``: count the vote, or put the idea in the
    moderation queue as feedback. Following it again does nothing more."""
    if not portal.enabled:
        raise NotFound("This portal is not open.", code=Code.PORTAL_NOT_FOUND)
    kind, pk = _read_token(token)
    if kind == VOTE:
        return _confirm_vote(portal, pk)
    return _confirm_idea(portal, pk)


def _confirm_vote(portal: Portal, pk: int) -> Confirmation:
    votes = PortalVote.objects.filter(
        pk=pk, idea__product_id=portal.product_id, idea__published=True
    )
    vote = votes.select_related("idea").first()
    if vote is None:
        raise NotFound("This vote is not on this portal.", code=Code.PORTAL_LINK_INVALID)
    # On the vote's own row, with no join: PostgreSQL re-checks ``confirmed_at IS NULL`` on the
    # row a concurrent confirmation just wrote (a join would make it an ``id IN (subquery)``
    # whose answer is not re-read), so of two links followed at once only one counts.
    unconfirmed = PortalVote.objects.filter(pk=vote.pk, confirmed_at__isnull=True)
    counted = unconfirmed.update(confirmed_at=timezone.now()) == 1
    return Confirmation(kind=VOTE, counted=counted, idea=vote.idea)


def _contact_for(workspace_id: int, email: str) -> Contact:
    """The workspace's contact with ``email``, created (without a customer) when unknown."""
    found = Contact.objects.filter(workspace_id=workspace_id, email=email).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            contact: Contact = Contact.objects.create(workspace_id=workspace_id, email=email)
    except IntegrityError:  # created meanwhile by another request
        return Contact.objects.get(workspace_id=workspace_id, email=email)
    _record(None, workspace_id, contact, Action.CREATED, {"email": email, "source": "portal"})
    return contact


def _confirm_idea(portal: Portal, pk: int) -> Confirmation:
    submission = (
        PortalSubmission.objects.select_for_update()
        .filter(pk=pk, product_id=portal.product_id)
        .first()
    )
    if submission is None:
        raise NotFound("This idea is not on this portal.", code=Code.PORTAL_LINK_INVALID)
    if submission.state != SubmissionState.UNCONFIRMED:
        return Confirmation(kind=IDEA, counted=False)
    workspace_id = submission.workspace_id
    contact = _contact_for(workspace_id, submission.email)
    text = submission.title + (f"\n\n{submission.description}" if submission.description else "")
    feedback: Feedback = Feedback.objects.create(
        workspace_id=workspace_id,
        product_id=submission.product_id,
        text=text,
        text_html=render_markdown(text),
        source=FeedbackSource.PORTAL,
        received_at=timezone.now(),
        customer_id=contact.customer_id,
        contact=contact,
    )
    _record(None, workspace_id, feedback, Action.CREATED, {"source": FeedbackSource.PORTAL})
    submission.state = SubmissionState.QUEUED
    submission.confirmed_at = timezone.now()
    submission.feedback = feedback
    bump(submission, ["state", "confirmed_at", "feedback"])
    _record(None, workspace_id, submission, Action.UPDATED, {"state": ["unconfirmed", "queued"]})
    return Confirmation(kind=IDEA, counted=True)


def purge_unconfirmed(*, now: dt.datetime | None = None) -> int:
    """Delete ideas and votes whose confirmation link has expired unfollowed (they can no
    longer count); returns how many rows went."""
    moment = now or timezone.now()
    before = moment - dt.timedelta(seconds=settings.PORTAL_CONFIRMATION_MAX_AGE_SECONDS)
    ideas, _ = PortalSubmission.objects.filter(
        state=SubmissionState.UNCONFIRMED, created_at__lt=before
    ).delete()
    votes, _ = PortalVote.objects.filter(confirmed_at__isnull=True, created_at__lt=before).delete()
    return ideas + votes
