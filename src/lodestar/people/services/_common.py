"""Input checks and the history helper shared by the people services."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from lodestar.core.errors import Invalid
from lodestar.core.history import history_record
from lodestar.core.models import HistoryEntry
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.handles import HANDLE_RULE
from lodestar.people.handles import is_valid as is_valid_handle
from lodestar.people.models import (
    Membership,
    Role,
    User,
)
from lodestar.people.policy import (
    Actor,
)

Action = HistoryEntry.Action

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
_SLUG_RULE = "use 1 to 50 lowercase letters, digits and dashes, starting and ending with one"
NAME_MAX = 100
JOB_TITLE_MAX = 100


# -- input checks (each names the field to fix) ------------------------------------------------


def _email(value: str, field: str = "email") -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid.field(
            field, "must be an email address like ada@example.com", code=Code.EMAIL_INVALID
        ) from exc
    return email


def _role(value: str, field: str = "role") -> Role:
    if value not in Role.values:
        raise Invalid.field(
            field, f"must be one of {', '.join(Role.values)}", code=Code.ROLE_INVALID
        )
    return Role(value)


def _name(value: str, field: str = "name", code: str = Code.NAME_INVALID) -> str:
    name = (value or "").strip()
    if not name:
        raise Invalid.field(field, "must not be empty", code=code)
    if len(name) > NAME_MAX:
        raise Invalid.field(field, f"must be at most {NAME_MAX} characters", code=code)
    return name


def _job_title(value: str) -> str:
    title = (value or "").strip()
    if len(title) > JOB_TITLE_MAX:
        raise Invalid.field(
            "job_title",
            f"must be at most {JOB_TITLE_MAX} characters",
            code=Code.JOB_TITLE_INVALID,
        )
    return title


def _handle(value: str) -> str:
    handle = (value or "").strip().removeprefix("@").lower()
    if not is_valid_handle(handle):
        raise Invalid.field("handle", HANDLE_RULE, code=Code.HANDLE_INVALID)
    return handle


def _slug(value: str, code: str) -> str:
    slug = (value or "").strip()
    if not _SLUG.match(slug):
        raise Invalid.field("slug", _SLUG_RULE, code=code)
    return slug


def _same_workspace(actor: Actor, member: Membership, field: str = "member") -> None:
    if member.workspace_id != actor.workspace_id:
        raise Invalid.field(field, "is not a member of this workspace", code=Code.NOT_A_MEMBER)


def _record(
    actor_user: User | None,
    workspace_id: int,
    obj: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    label: str = "",
) -> None:
    history_record(
        actor=actor_user,
        workspace_id=workspace_id,
        obj=obj,
        action=action,
        changes=changes,
        label=label,
    )


def record_on_memberships(user: User, changes: dict[str, Any]) -> None:
    """Record a change of ``user``'s account (which belongs to no workspace) on each of their
    memberships, so every workspace they belong to has it in its history."""
    for membership in Membership.objects.filter(user=user).select_related("user", "workspace"):
        _record(user, membership.workspace_id, membership, Action.UPDATED, changes)
