"""Turning what a request body, a form or a command-line option names into a people object.

An object named in *input* that does not exist (or that the actor may not see) is bad input:
422 naming the field to fix, never a 404 (which ``access.py`` keeps for the object a path
names). The HTTP API, the pages and the CLI all resolve through here.
"""

from __future__ import annotations

from lodestar.core.errors import Invalid
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.models import Membership
from lodestar.people.policy import Actor


def member_ref(actor: Actor, email: str, *, field: str = "member") -> Membership:
    """The member of the actor's workspace with ``email`` (any letter case), with their user;
    a stranger is bad input naming ``field``."""
    membership = (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace_id=actor.workspace_id, user__email=(email or "").strip().lower())
        .first()
    )
    if membership is None:
        raise Invalid.field(
            field, f"{email} is not a member of this workspace", code=Code.NOT_A_MEMBER
        )
    return membership


def member_ref_or_none(actor: Actor, email: str | None, *, field: str) -> Membership | None:
    """``member_ref``, where None means nobody."""
    if email is None:
        return None
    return member_ref(actor, email, field=field)
