"""Reads of exports."""

from __future__ import annotations

from django.db.models import QuerySet

from lodestar.interop.exports.models import ExportRun
from lodestar.interop.exports.permissions import ExportPermission
from lodestar.people.policy import Actor, require


def export_list(*, actor: Actor) -> QuerySet[ExportRun]:
    """The workspace's exports, newest first (owners and admins)."""
    require(actor, ExportPermission.EXPORT_WORKSPACE)
    return (
        ExportRun.objects.filter(workspace_id=actor.workspace_id)
        .select_related("requested_by")
        .order_by("-created_at", "-id")
    )
