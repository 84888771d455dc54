"""Every write of the discovery context: one transaction each, policy enforced, history
recorded (and so every change published as a domain event)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Conflict, Invalid
from lodestar.core.history import changes_since, history_record, snapshot
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.core.search.index import sync_objects
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.models import (
    Contact,
    Customer,
    Feedback,
    FeedbackSource,
    FeedbackState,
    Insight,
    InsightProblem,
    Problem,
    ProblemItem,
    ProblemStatus,
)
from lodestar.discovery.permissions import DiscoveryPermission
from lodestar.discovery.portal_links import ideas_follow_problem
from lodestar.people.models import Membership
from lodestar.people.policy import Actor, Permission, require

Action = HistoryEntry.Action

NAME_MAX = 200
SHORT_MAX = 60
EXTERNAL_ID_MAX = 100
TITLE_MAX = 255
TEXT_MAX = 50_000
QUOTE_MAX = 2_000
NOTES_MAX = 50_000
TAG_MAX = 40
TAGS_MAX = 20
ARR_MAX = Decimal("999999999999.99")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _record(actor: Actor, obj: Any, action: str, changes: dict[str, Any]) -> None:
    history_record(
        actor=actor.user, workspace_id=actor.workspace_id, obj=obj, action=action, changes=changes
    )


def _same_workspace(actor: Actor, field: str, obj: Any) -> None:
    if obj is not None and obj.workspace_id != actor.workspace_id:
        raise Invalid.field(field, "is not in this workspace")


# -- input checks (each names the field to fix) ------------------------------------------------


def _text(value: str | None, field: str, limit: int, code: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Invalid.field(field, "must not be empty", code=code)
    if len(text) > limit:
        raise Invalid.field(
            field, f"must be at most {limit:,} characters (it has {len(text):,})", code=code
        )
    return text


def clean_arr(value: object) -> Decimal | None:
    """ARR as money: a number of at most two decimals, 0 or more; blank or None: unknown."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    message = "must be an amount of money: a number of 0 or more, two decimals at most"
    if isinstance(value, bool):
        raise Invalid.field("arr", message, code=Code.CUSTOMER_ARR_INVALID)
    try:
        text = str(value).strip().replace(",", "").replace("_", "")
        amount = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise Invalid.field("arr", message, code=Code.CUSTOMER_ARR_INVALID) from exc
    if not amount.is_finite() or amount < 0 or amount > ARR_MAX:
        raise Invalid.field("arr", f"{message}, up to {ARR_MAX:,}", code=Code.CUSTOMER_ARR_INVALID)
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid.field("arr", message, code=Code.CUSTOMER_ARR_INVALID)
    return amount.quantize(Decimal("0.01"))


def clean_email(value: str | None, field: str = "email") -> str:
    email = (value or "").strip().lower()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        raise Invalid.field(
            field,
            "must be an email address such as ana@example.com",
            code=Code.CONTACT_EMAIL_INVALID,
        )
    return email


def clean_tags(values: Sequence[str] | None) -> list[str]:
    """Tags in lower case, spaces collapsed, each once, in the order given."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise Invalid.field("tags", "must be a list of words", code=Code.FEEDBACK_TAGS_INVALID)
    tags: list[str] = []
    for index, raw in enumerate(values):
        if not isinstance(raw, str):
            raise Invalid.field(f"tags[{index}]", "must be text", code=Code.FEEDBACK_TAGS_INVALID)
        tag = " ".join(raw.split()).lower()
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise Invalid.field(
                f"tags[{index}]",
                f"must be at most {TAG_MAX} characters",
                code=Code.FEEDBACK_TAGS_INVALID,
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise Invalid.field(
            "tags", f"must be at most {TAGS_MAX} tags", code=Code.FEEDBACK_TAGS_INVALID
        )
    return tags


def clean_source(value: str | None) -> str:
    source = (value or FeedbackSource.OTHER).strip().lower()
    if source not in FeedbackSource.values:
        raise Invalid.field(
            "source",
            f"must be one of {', '.join(FeedbackSource.values)}",
            code=Code.FEEDBACK_SOURCE_INVALID,
        )
    return source


def clean_received_at(value: dt.datetime | dt.date | None) -> dt.datetime:
    """When the feedback was heard: a date is that day at noon in the server's zone (today
    before noon: now); never in the future (a minute of clock skew allowed)."""
    now = timezone.now()
    if value is None:
        return now
    if not isinstance(value, dt.datetime):
        value = timezone.make_aware(dt.datetime.combine(value, dt.time(12)))
        if value > now and value.date() == timezone.localdate(now):
            value = now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + dt.timedelta(minutes=1):
        raise Invalid.field(
            "received_at", "must not be in the future", code=Code.FEEDBACK_DATE_INVALID
        )
    if value.year < 1990:
        raise Invalid.field(
            "received_at", "must be a date after 1990", code=Code.FEEDBACK_DATE_INVALID
        )
    return value


def _choice(value: str, choices: type[Any], field: str, code: str) -> str:
    if value not in choices.values:
        raise Invalid.field(field, f"must be one of {', '.join(choices.values)}", code=code)
    return value


# -- customers ---------------------------------------------------------------------------------


def _customer_name_free(actor: Actor, name: str, *, exclude: int | None = None) -> None:
    rows = Customer.objects.filter(workspace_id=actor.workspace_id, name__iexact=name)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    if rows.exists():
        raise Invalid.field(
            "name", f"{name} is already a customer in this workspace", code=Code.CUSTOMER_NAME_TAKEN
        )


def _external_id_free(actor: Actor, external_id: str, *, exclude: int | None = None) -> None:
    if not external_id:
        return
    rows = Customer.all_objects.filter(workspace_id=actor.workspace_id, external_id=external_id)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    if rows.exists():
        raise Invalid.field(
            "external_id",
            f"{external_id} is already the external id of a customer in this workspace",
            code=Code.CUSTOMER_EXTERNAL_ID_TAKEN,
        )


def _save_unique(obj: Any, field: str, message: str, code: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a concurrent write took the name first
        raise Invalid.field(field, message, code=code) from exc


@transaction.atomic
def customer_create(
    *,
    actor: Actor,
    name: str,
    segment: str = "",
    plan: str = "",
    arr: object = None,
    external_id: str = "",
    notes: str = "",
) -> Customer:
    require(actor, Permission.EDIT_CONTENT)
    customer = Customer(
        workspace_id=actor.workspace_id,
        name=_text(name, "name", NAME_MAX, Code.CUSTOMER_NAME_INVALID, required=True),
        segment=_text(segment, "segment", SHORT_MAX, Code.CUSTOMER_NAME_INVALID, required=False),
        plan=_text(plan, "plan", SHORT_MAX, Code.CUSTOMER_NAME_INVALID, required=False),
        arr=clean_arr(arr),
        external_id=_text(
            external_id, "external_id", EXTERNAL_ID_MAX, Code.CUSTOMER_NAME_INVALID, required=False
        ),
        notes=_text(notes, "notes", NOTES_MAX, Code.CUSTOMER_NAME_INVALID, required=False),
    )
    _customer_name_free(actor, customer.name)
    _external_id_free(actor, customer.external_id)
    _save_unique(
        customer,
        "name",
        f"{customer.name} is already a customer in this workspace",
        Code.CUSTOMER_NAME_TAKEN,
    )
    _record(actor, customer, Action.CREATED, {"name": customer.name})
    return customer


_CUSTOMER_FIELDS = ["name", "segment", "plan", "arr", "external_id", "notes"]


@transaction.atomic
def customer_update(
    *,
    actor: Actor,
    customer: Customer,
    name: str | None = None,
    segment: str | None = None,
    plan: str | None = None,
    arr: object = ...,
    external_id: str | None = None,
    notes: str | None = None,
    expected_version: int | None = None,
) -> Customer:
    """Change a customer; ``None`` (``...`` for ``arr``, where None clears it) leaves a field
    as it is. A rename keeps every piece of feedback: feedback points at the customer's row."""
    require(actor, Permission.EDIT_CONTENT)
    check_version(customer, expected_version)
    before = snapshot(customer, _CUSTOMER_FIELDS)
    if name is not None:
        customer.name = _text(name, "name", NAME_MAX, Code.CUSTOMER_NAME_INVALID, required=True)
        _customer_name_free(actor, customer.name, exclude=customer.pk)
    if segment is not None:
        customer.segment = _text(
            segment, "segment", SHORT_MAX, Code.CUSTOMER_NAME_INVALID, required=False
        )
    if plan is not None:
        customer.plan = _text(plan, "plan", SHORT_MAX, Code.CUSTOMER_NAME_INVALID, required=False)
    if arr is not ...:
        customer.arr = clean_arr(arr)
    if external_id is not None:
        customer.external_id = _text(
            external_id, "external_id", EXTERNAL_ID_MAX, Code.CUSTOMER_NAME_INVALID, required=False
        )
        _external_id_free(actor, customer.external_id, exclude=customer.pk)
    if notes is not None:
        customer.notes = _text(
            notes, "notes", NOTES_MAX, Code.CUSTOMER_NAME_INVALID, required=False
        )
    changes = changes_since(customer, before)
    if changes:
        try:
            with transaction.atomic():
                bump(customer, list(changes))
        except IntegrityError as exc:
            raise Invalid.field(
                "name",
                f"{customer.name} is already a customer in this workspace",
                code=Code.CUSTOMER_NAME_TAKEN,
            ) from exc
        _record(actor, customer, Action.UPDATED, changes)
        if "segment" in changes:
            # Search narrows feedback by its customer's segment: the facets follow.
            _refresh_search_of_customer(customer)
    return customer


def _refresh_search_of_customer(customer: Customer) -> None:
    """Write again what search knows of ``customer``'s feedback and insights (their facets
    carry the customer and its segment), in the caller's transaction."""
    feedback = Feedback.all_objects.filter(customer=customer).select_related("customer", "product")
    sync_objects((item, Action.UPDATED) for item in feedback)
    insights = Insight.objects.filter(feedback__customer=customer).select_related(
        "feedback__customer", "feedback__product"
    )
    sync_objects((insight, Action.UPDATED) for insight in insights)


@transaction.atomic
def customer_merge(*, actor: Actor, source: Customer, target: Customer) -> Customer:
    """Merge ``source`` into ``target``: its feedback and contacts move to ``target``, blank
    fields of ``target`` take ``source``'s values, and ``source`` goes to the trash marked as
    merged (it cannot be restored). Both customers' histories record it."""
    require(actor, DiscoveryPermission.MERGE_CUSTOMERS)
    for field, obj in (("source", source), ("target", target)):
        _same_workspace(actor, field, obj)
    if source.pk == target.pk:
        raise Invalid.field(
            "target",
            "is the customer being merged; pick another one",
            code=Code.CUSTOMER_MERGE_INVALID,
        )
    locked = {
        c.pk: c
        for c in Customer.all_objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    }
    source, target = locked[source.pk], locked[target.pk]
    for field, obj in (("source", source), ("target", target)):
        if obj.deleted_at is not None:
            raise Invalid.field(
                field, f"{obj.name} is in the trash", code=Code.CUSTOMER_MERGE_INVALID
            )
    moved_feedback = Feedback.all_objects.filter(customer=source).update(customer=target)
    moved_contacts = Contact.objects.filter(customer=source).update(customer=target)
    before = snapshot(target, _CUSTOMER_FIELDS)
    for name in ("segment", "plan", "external_id", "notes"):
        if not getattr(target, name) and getattr(source, name):
            setattr(target, name, getattr(source, name))
    if target.arr is None and source.arr is not None:
        target.arr = source.arr
    # The external id moves with the merge: the source gives it up first.
    if target.external_id == source.external_id and source.external_id:
        Customer.all_objects.filter(pk=source.pk).update(external_id="")
    now = timezone.now()
    Customer.all_objects.filter(pk=source.pk).update(
        deleted_at=now,
        deleted_by=actor.user,
        merged_into=target,
        updated_at=now,
        version=source.version + 1,
    )
    changes = changes_since(target, before)
    if changes:
        bump(target, list(changes))
    # What search knows of the moved feedback (and its insights) names the target now.
    _refresh_search_of_customer(target)
    merged = {
        "merged": [None, source.name],
        "feedback_moved": moved_feedback,
        "contacts_moved": moved_contacts,
    }
    _record(actor, target, Action.UPDATED, {**changes, **merged})
    _record(actor, source, Action.DELETED, {"merged_into": [None, target.name]})
    return target


# -- contacts ------------------------------------------------------------------------------------


def _email_free(actor: Actor, email: str, *, exclude: int | None = None) -> None:
    if not email:
        return
    rows = Contact.objects.filter(workspace_id=actor.workspace_id, email=email)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    if rows.exists():
        raise Invalid.field(
            "email",
            f"{email} is already a contact in this workspace",
            code=Code.CONTACT_EMAIL_TAKEN,
        )


@transaction.atomic
def contact_create(
    *,
    actor: Actor,
    customer: Customer | None,
    name: str = "",
    email: str = "",
    title: str = "",
) -> Contact:
    require(actor, Permission.EDIT_CONTENT)
    _same_workspace(actor, "customer", customer)
    contact = Contact(
        workspace_id=actor.workspace_id,
        customer=customer,
        name=_text(name, "name", NAME_MAX, Code.CONTACT_EMAIL_INVALID, required=False),
        email=clean_email(email),
        title=_text(title, "title", 100, Code.CONTACT_EMAIL_INVALID, required=False),
    )
    if not contact.name and not contact.email:
        raise Invalid.field(
            "name", "give a name or an email address", code=Code.CONTACT_EMAIL_INVALID
        )
    _email_free(actor, contact.email)
    _save_unique(
        contact,
        "email",
        f"{contact.email} is already a contact in this workspace",
        Code.CONTACT_EMAIL_TAKEN,
    )
    _record(actor, contact, Action.CREATED, {"name": contact.name, "email": contact.email})
    return contact


_CONTACT_FIELDS = ["customer", "name", "email", "title"]


@transaction.atomic
def contact_update(
    *,
    actor: Actor,
    contact: Contact,
    customer: Customer | Any | None = ...,
    name: str | None = None,
    email: str | None = None,
    title: str | None = None,
    expected_version: int | None = None,
) -> Contact:
    require(actor, Permission.EDIT_CONTENT)
    check_version(contact, expected_version)
    before = snapshot(contact, _CONTACT_FIELDS)
    if customer is not ...:
        _same_workspace(actor, "customer", customer)
        contact.customer = customer
    if name is not None:
        contact.name = _text(name, "name", NAME_MAX, Code.CONTACT_EMAIL_INVALID, required=False)
    if email is not None:
        contact.email = clean_email(email)
        _email_free(actor, contact.email, exclude=contact.pk)
    if title is not None:
        contact.title = _text(title, "title", 100, Code.CONTACT_EMAIL_INVALID, required=False)
    if not contact.name and not contact.email:
        raise Invalid.field(
            "name", "give a name or an email address", code=Code.CONTACT_EMAIL_INVALID
        )
    changes = changes_since(contact, before)
    if changes:
        bump(contact, list(changes))
        _record(actor, contact, Action.UPDATED, changes)
    return contact


# -- feedback ------------------------------------------------------------------------------------


def _check_contact(actor: Actor, customer: Customer | None, contact: Contact | None) -> None:
    _same_workspace(actor, "customer", customer)
    _same_workspace(actor, "contact", contact)
    if (
        customer is not None
        and contact is not None
        and contact.customer_id is not None
        and contact.customer_id != customer.pk
    ):
        raise Invalid.field(
            "contact",
            f"works at another customer than {customer.name}",
            code=Code.CONTACT_NOT_FOUND,
        )


def _participants(
    actor: Actor, members: Sequence[Membership] | None, contacts: Sequence[Contact] | None
) -> None:
    for field, rows in (("members", members or ()), ("contacts", contacts or ())):
        for row in rows:
            _same_workspace(actor, field, row)


@transaction.atomic
def feedback_create(
    *,
    actor: Actor,
    text: str,
    source: str | None = None,
    received_at: dt.datetime | dt.date | None = None,
    customer: Customer | None = None,
    contact: Contact | None = None,
    tags: Sequence[str] | None = None,
    product: Any = None,
    notes: str = "",
    members: Sequence[Membership] | None = None,
    contacts: Sequence[Contact] | None = None,
) -> Feedback:
    """Record what a customer said. The customer is taken from the contact when only the
    contact is given; an interview's participants are members and contacts."""
    require(actor, Permission.EDIT_CONTENT)
    _check_contact(actor, customer, contact)
    _participants(actor, members, contacts)
    _same_workspace(actor, "product", product)
    if customer is None and contact is not None and contact.customer_id is not None:
        customer = contact.customer
    body = _text(text, "text", TEXT_MAX, Code.FEEDBACK_TEXT_INVALID, required=True)
    feedback: Feedback = Feedback.objects.create(
        workspace_id=actor.workspace_id,
        product=product,
        text=body,
        text_html=render_markdown(body),
        source=clean_source(source),
        received_at=clean_received_at(received_at),
        customer=customer,
        contact=contact,
        tags=clean_tags(tags),
        captured_by=actor.user,
        notes=_text(notes, "notes", NOTES_MAX, Code.FEEDBACK_TEXT_INVALID, required=False),
    )
    if members:
        feedback.member_participants.set(members)
    if contacts:
        feedback.contact_participants.set(contacts)
    _record(
        actor,
        feedback,
        Action.CREATED,
        {"source": feedback.source, "customer": customer.pk if customer else None},
    )
    return feedback


_FEEDBACK_FIELDS = [
    "text",
    "source",
    "received_at",
    "customer",
    "contact",
    "tags",
    "state",
    "notes",
    "product",
]


def _reanchor(feedback: Feedback) -> None:
    """After the text changed, move each insight's span to where its quote now is (the first
    place at or after the old start, else the first anywhere); a quote no longer in the text
    keeps the insight and loses its span."""
    for insight in Insight.all_objects.filter(feedback=feedback, start__isnull=False):
        start = feedback.text.find(insight.quote, min(insight.start or 0, len(feedback.text)))
        if start < 0:
            start = feedback.text.find(insight.quote)
        if start < 0 or not insight.quote:
            span: tuple[int | None, int | None] = (None, None)
        else:
            span = (start, start + len(insight.quote))
        if span != (insight.start, insight.end):
            Insight.all_objects.filter(pk=insight.pk).update(start=span[0], end=span[1])


@transaction.atomic
def feedback_update(
    *,
    actor: Actor,
    feedback: Feedback,
    text: str | None = None,
    source: str | None = None,
    received_at: dt.datetime | dt.date | None = None,
    customer: Customer | Any | None = ...,
    contact: Contact | Any | None = ...,
    tags: Sequence[str] | None = None,
    state: str | None = None,
    notes: str | None = None,
    expected_version: int | None = None,
) -> Feedback:
    """Change feedback (``None``, or ``...`` for customer and contact, leaves a field as it
    is). Insights keep pointing at their quotes when the text changes."""
    require(actor, Permission.EDIT_CONTENT)
    check_version(feedback, expected_version)
    before = snapshot(feedback, _FEEDBACK_FIELDS)
    if text is not None:
        feedback.text = _text(text, "text", TEXT_MAX, Code.FEEDBACK_TEXT_INVALID, required=True)
        feedback.text_html = render_markdown(feedback.text)
    if source is not None:
        feedback.source = clean_source(source)
    if received_at is not None:
        feedback.received_at = clean_received_at(received_at)
    if customer is not ...:
        feedback.customer = customer
    if contact is not ...:
        feedback.contact = contact
    _check_contact(actor, feedback.customer, feedback.contact)
    if tags is not None:
        feedback.tags = clean_tags(tags)
    if state is not None:
        feedback.state = _choice(state, FeedbackState, "state", Code.FEEDBACK_STATE_INVALID)
    if notes is not None:
        feedback.notes = _text(
            notes, "notes", NOTES_MAX, Code.FEEDBACK_TEXT_INVALID, required=False
        )
    changes = changes_since(feedback, before)
    if changes:
        fields = list(changes)
        if "text" in changes:
            fields.append("text_html")
        bump(feedback, fields)
        if "text" in changes:
            _reanchor(feedback)
            changes["text"] = ["…", "…"]  # the texts are long: the history says it changed
        _record(actor, feedback, Action.UPDATED, changes)
    return feedback


# -- insights ------------------------------------------------------------------------------------


def _span(
    feedback: Feedback, quote: str, start: int | None, end: int | None
) -> tuple[str, int | None, int | None]:
    if start is None and end is None:
        return quote, None, None
    if start is None or end is None:
        raise Invalid.field(
            "end" if end is None else "start",
            "give both start and end, or neither",
            code=Code.INSIGHT_SPAN_INVALID,
        )
    length = len(feedback.text)
    if not 0 <= start < end <= length:
        raise Invalid.field(
            "end",
            f"the span must lie within the feedback's text: 0 <= start < end <= {length}",
            code=Code.INSIGHT_SPAN_INVALID,
        )
    marked = feedback.text[start:end]
    if not quote:
        return marked, start, end
    if quote != marked:
        raise Invalid.field(
            "quote",
            "differs from the text between start and end; send the marked text as the quote, "
            "or leave the quote out",
            code=Code.INSIGHT_SPAN_INVALID,
        )
    return quote, start, end


@transaction.atomic
def insight_create(
    *,
    actor: Actor,
    feedback: Feedback,
    quote: str = "",
    start: int | None = None,
    end: int | None = None,
    problems: Sequence[Problem] = (),
    note: str = "",
) -> Insight:
    """An insight from ``feedback``: a quote, or the span ``start``..``end`` of its text (the
    quote is then that text), linked to ``problems``. New feedback becomes triaged."""
    require(actor, Permission.EDIT_CONTENT)
    _same_workspace(actor, "feedback", feedback)
    for index, problem in enumerate(problems):
        _same_workspace(actor, f"problems[{index}]", problem)
    text = (quote or "").strip() if start is None else (quote or "")
    text, start, end = _span(feedback, text, start, end)
    if not text.strip():
        raise Invalid.field(
            "quote",
            "must not be empty: give a quote or a span of the text",
            code=Code.INSIGHT_QUOTE_INVALID,
        )
    if len(text) > QUOTE_MAX:
        raise Invalid.field(
            "quote",
            f"must be at most {QUOTE_MAX:,} characters (it has {len(text):,})",
            code=Code.INSIGHT_QUOTE_INVALID,
        )
    insight: Insight = Insight.objects.create(
        workspace_id=actor.workspace_id,
        feedback=feedback,
        quote=text,
        start=start,
        end=end,
        note=_text(note, "note", NOTES_MAX, Code.INSIGHT_QUOTE_INVALID, required=False),
        created_by=actor.user,
    )
    InsightProblem.objects.bulk_create(
        [InsightProblem(insight=insight, problem=p) for p in dict.fromkeys(problems)]
    )
    _record(
        actor,
        insight,
        Action.CREATED,
        {"feedback": feedback.pk, "problems": [p.pk for p in problems]},
    )
    if feedback.state == FeedbackState.NEW:
        feedback_update(actor=actor, feedback=feedback, state=FeedbackState.TRIAGED)
    return insight


@transaction.atomic
def insight_update(
    *,
    actor: Actor,
    insight: Insight,
    problems: Sequence[Problem] | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Insight:
    """Relink an insight to ``problems`` (the whole set) or change its note. Its quote and
    span are what was heard: to quote something else, make another insight."""
    require(actor, Permission.EDIT_CONTENT)
    check_version(insight, expected_version)
    changes: dict[str, Any] = {}
    if note is not None:
        clean = _text(note, "note", NOTES_MAX, Code.INSIGHT_QUOTE_INVALID, required=False)
        if clean != insight.note:
            changes["note"] = [insight.note, clean]
            insight.note = clean
    if problems is not None:
        for index, problem in enumerate(problems):
            _same_workspace(actor, f"problems[{index}]", problem)
        before = sorted(
            InsightProblem.objects.filter(insight=insight).values_list("problem_id", flat=True)
        )
        after = sorted({p.pk for p in problems})
        if before != after:
            InsightProblem.objects.filter(insight=insight).exclude(problem_id__in=after).delete()
            InsightProblem.objects.bulk_create(
                [InsightProblem(insight=insight, problem_id=pk) for pk in after if pk not in before]
            )
            changes["problems"] = [before, after]
    if changes:
        bump(insight, [f for f in changes if f != "problems"])
        _record(actor, insight, Action.UPDATED, changes)
    return insight


# -- problems ------------------------------------------------------------------------------------


@transaction.atomic
def problem_create(
    *,
    actor: Actor,
    title: str,
    description: str = "",
    status: str = ProblemStatus.NEW,
    owner: Membership | None = None,
    product: Any = None,
) -> Problem:
    require(actor, Permission.EDIT_CONTENT)
    _same_workspace(actor, "owner", owner)
    _same_workspace(actor, "product", product)
    body = _text(description, "description", TEXT_MAX, Code.PROBLEM_TITLE_INVALID, required=False)
    problem: Problem = Problem.objects.create(
        workspace_id=actor.workspace_id,
        product=product,
        title=_text(title, "title", TITLE_MAX, Code.PROBLEM_TITLE_INVALID, required=True),
        description=body,
        description_html=render_markdown(body),
        status=_choice(status, ProblemStatus, "status", Code.PROBLEM_STATUS_INVALID),
        owner=owner,
    )
    _record(actor, problem, Action.CREATED, {"title": problem.title})
    return problem


_PROBLEM_FIELDS = ["title", "description", "status", "owner", "product"]


@transaction.atomic
def problem_update(
    *,
    actor: Actor,
    problem: Problem,
    title: str | None = None,
    description: str | None = None,
    status: str | None = None,
    owner: Membership | Any | None = ...,
    product: Any = ...,
    expected_version: int | None = None,
) -> Problem:
    require(actor, Permission.EDIT_CONTENT)
    check_version(problem, expected_version)
    before = snapshot(problem, _PROBLEM_FIELDS)
    if title is not None:
        problem.title = _text(title, "title", TITLE_MAX, Code.PROBLEM_TITLE_INVALID, required=True)
    if description is not None:
        problem.description = _text(
            description, "description", TEXT_MAX, Code.PROBLEM_TITLE_INVALID, required=False
        )
        problem.description_html = render_markdown(problem.description)
    if status is not None:
        problem.status = _choice(status, ProblemStatus, "status", Code.PROBLEM_STATUS_INVALID)
    if owner is not ...:
        _same_workspace(actor, "owner", owner)
        problem.owner = owner
    if product is not ...:
        _same_workspace(actor, "product", product)
        problem.product = product
    changes = changes_since(problem, before)
    if changes:
        fields = list(changes)
        if "description" in changes:
            fields.append("description_html")
            changes["description"] = ["…", "…"]
        bump(problem, fields)
        _record(actor, problem, Action.UPDATED, changes)
        if "status" in changes:
            ideas_follow_problem(actor=actor, problem=problem)
    return problem


@transaction.atomic
def problem_items_link(*, actor: Actor, problem: Problem, items: Sequence[Any]) -> list[Any]:
    """Link backlog ``items`` to ``problem`` (those already linked stay as they are); the
    problem's history records the items added. Returns the items newly linked."""
    require(actor, Permission.EDIT_CONTENT)
    for index, item in enumerate(items):
        _same_workspace(actor, f"items[{index}]", item)
    have = set(ProblemItem.objects.filter(problem=problem).values_list("item_id", flat=True))
    new = [item for item in dict.fromkeys(items) if item.pk not in have]
    if new:
        ProblemItem.objects.bulk_create([ProblemItem(problem=problem, item=i) for i in new])
        _record(actor, problem, Action.UPDATED, {"items": [None, [i.key for i in new]]})
    return new


@transaction.atomic
def problem_item_unlink(*, actor: Actor, problem: Problem, item: Any) -> bool:
    """Unlink ``item`` from ``problem``; False when it was not linked."""
    require(actor, Permission.EDIT_CONTENT)
    deleted, _ = ProblemItem.objects.filter(problem=problem, item=item).delete()
    if deleted:
        _record(actor, problem, Action.UPDATED, {"items": [[item.key], None]})
    return bool(deleted)


# -- trash hooks -----------------------------------------------------------------------------------


def refuse_trash_with_feedback(actor: Actor, customer: Customer) -> list[str]:
    """Trash hook: a customer with feedback stays (merge it into another one instead), so
    feedback never loses whom it came from."""
    count = Feedback.objects.filter(customer=customer).count()
    if count:
        raise Conflict(
            f"{customer.name} has {count} piece{'s' if count != 1 else ''} of feedback; merge "
            "the customer into another one instead, or move the feedback first.",
            code=Code.CUSTOMER_HAS_FEEDBACK,
        )
    return []


def customer_on_restore(actor: Actor, customer: Customer) -> list[str]:
    """Restore hook: a merged customer stays merged, and a name taken since stays taken."""
    if customer.merged_into_id is not None:
        raise Conflict(
            f"{customer.name} was merged into another customer; its feedback is there.",
            code=Code.CUSTOMER_MERGED,
        )
    taken = Customer.objects.filter(
        workspace_id=customer.workspace_id, name__iexact=customer.name
    ).exclude(pk=customer.pk)
    if taken.exists():
        raise Conflict(
            f"Another customer is now called {customer.name}; rename it first.",
            code=Code.CUSTOMER_NAME_TAKEN,
        )
    return []
