"""Template helpers of the shared layout: the workspace navigation, the switcher, initials."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from lodestar.people import navigation, policy, selectors
from lodestar.people.models import Membership

register = template.Library()


@register.simple_tag(takes_context=True)
def workspace_nav(context: template.Context) -> list[navigation.NavLink]:
    """The sidebar links of the current workspace (none outside a workspace)."""
    workspace = context.get("workspace")
    request = context.get("request")
    if workspace is None or request is None:
        return []
    actor = getattr(request, "actor", None)
    return navigation.links(
        workspace.slug, request.path, actor=actor, full_path=request.get_full_path()
    )


@register.simple_tag(takes_context=True)
def may(context: template.Context, permission: str) -> bool:
    """Whether the member the page is for holds ``permission`` (the policy decides; outside
    a workspace, nobody does)."""
    actor = getattr(context.get("request"), "actor", None)
    return actor is not None and policy.can(actor, permission)


@register.simple_tag(takes_context=True)
def pending_invitation_count(context: template.Context) -> int:
    """How many invitations wait for the signed-in user's answer (one indexed count)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return selectors.invitations_for_user(user=user).count()


@register.simple_tag(takes_context=True)
def user_memberships(context: template.Context) -> list[Membership]:
    """The signed-in user's workspaces, for the switcher."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user)
        .select_related("workspace")
        .order_by("workspace__name", "workspace__slug")
    )


@register.filter
def initials(value: Any) -> str:
    """Two letters for an avatar: from a full name, else from the email's local part."""
    text = str(value or "").strip()
    if "@" in text:
        text = text.split("@", 1)[0].replace(".", " ").replace("_", " ").replace("-", " ")
    words = [word for word in text.split() if word[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[-1][0]).upper()


@register.filter
def ago(value: dt.datetime | None) -> str:
    """Say "just now" for the last minute, else "3 hours ago" (the largest two units)."""
    if value is None:
        return ""
    if (timezone.now() - value).total_seconds() < 60:
        return "just now"
    return f"{timesince(value)} ago"
