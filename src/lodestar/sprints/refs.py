"""Turning a sprint named in input (a body, an option) into a sprint: an unknown one is bad
input, a 422 naming the field (``access.py`` keeps the 404 for the sprint a path names)."""

from __future__ import annotations

from lodestar.core.errors import Invalid, NotFound
from lodestar.people.policy import Actor
from lodestar.sprints.access import access_sprint
from lodestar.sprints.models import Sprint


def sprint_ref(actor: Actor, ref: int | str, *, field: str = "sprint") -> Sprint:
    try:
        return access_sprint(actor, ref)
    except NotFound as exc:
        raise Invalid.field(field, f"no sprint {ref} in this workspace") from exc


def sprint_ref_or_none(actor: Actor, ref: int | str | None, *, field: str) -> Sprint | None:
    if ref is None or str(ref).strip() == "":
        return None
    return sprint_ref(actor, ref, field=field)
