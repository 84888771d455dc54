"""Turning what a request body, a form, a CSV row or a command-line option names into a
customer, contact or problem: an unknown one is bad input, a 422 naming the field (``access.py``
keeps the 404 for the object a path names)."""

from __future__ import annotations

from collections.abc import Sequence

from lodestar.core.errors import Invalid, NotFound
from lodestar.discovery.access import (
    access_contact,
    access_customer,
    access_experiment,
    access_problem,
)
from lodestar.discovery.models import Contact, Customer, Problem
from lodestar.discovery.risk_models import Experiment
from lodestar.people.models import Membership
from lodestar.people.policy import Actor
from lodestar.people.refs import member_ref


def customer_ref(actor: Actor, ref: int | str, *, field: str = "customer") -> Customer:
    """The customer ``ref``: its id, its external id, or its name (any letter case)."""
    text = str(ref).strip()
    live = Customer.objects.filter(workspace_id=actor.workspace_id)
    found = None
    if text.isdigit():
        try:
            found = access_customer(actor, text)
        except NotFound:
            found = None
    if found is None and text:
        found = live.filter(external_id=text).first() or live.filter(name__iexact=text).first()
    if found is None:
        raise Invalid.field(field, f"no customer '{text}' in this workspace")
    return found


def customer_ref_or_none(
    actor: Actor, ref: int | str | None, *, field: str = "customer"
) -> Customer | None:
    if ref is None or str(ref).strip() == "":
        return None
    return customer_ref(actor, ref, field=field)


def contact_ref(actor: Actor, ref: int | str, *, field: str = "contact") -> Contact:
    """The contact ``ref``: its id or its email address."""
    text = str(ref).strip()
    if "@" in text:
        found = Contact.objects.filter(workspace_id=actor.workspace_id, email=text.lower()).first()
        if found is not None:
            return found
    else:
        try:
            return access_contact(actor, text)
        except NotFound:
            pass
    raise Invalid.field(field, f"no contact '{text}' in this workspace")


def contact_ref_or_none(
    actor: Actor, ref: int | str | None, *, field: str = "contact"
) -> Contact | None:
    if ref is None or str(ref).strip() == "":
        return None
    return contact_ref(actor, ref, field=field)


def problem_ref(actor: Actor, ref: int | str, *, field: str = "problem") -> Problem:
    try:
        return access_problem(actor, ref)
    except NotFound as exc:
        raise Invalid.field(field, f"no problem {ref} in this workspace") from exc


def problem_refs(actor: Actor, refs: list[int], *, field: str = "problems") -> list[Problem]:
    """The problems ``refs`` (ids), in one query; the first unknown one is named."""
    ids = list(dict.fromkeys(refs))
    found = {p.pk: p for p in Problem.objects.filter(workspace_id=actor.workspace_id, pk__in=ids)}
    for index, pk in enumerate(ids):
        if pk not in found:
            raise Invalid.field(f"{field}[{index}]", f"no problem {pk} in this workspace")
    return [found[pk] for pk in ids]


def participant_refs(actor: Actor, emails: Sequence[str]) -> tuple[list[Membership], list[Contact]]:
    """An interview's participants: each address is a member's, else a contact's; an unknown
    one is named by its place (``participants[1]``)."""
    members: list[Membership] = []
    contacts: list[Contact] = []
    for index, email in enumerate(emails):
        field = f"participants[{index}]"
        try:
            members.append(member_ref(actor, email, field=field))
        except Invalid:
            try:
                contacts.append(contact_ref(actor, email.strip(), field=field))
            except Invalid:
                raise Invalid.field(
                    field, f"{email} is neither a member nor a contact of this workspace"
                ) from None
    return members, contacts


def experiment_ref(actor: Actor, ref: int | str, *, field: str = "experiment") -> Experiment:
    try:
        return access_experiment(actor, ref)
    except NotFound as exc:
        raise Invalid.field(field, f"no experiment {ref} in this workspace") from exc
