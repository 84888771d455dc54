"""The backlog context's permissions, declared for ``people/policy.py`` to collect.

**Saved views** are reading aids: everyone in the workspace, viewers included, may save a
personal view (seen by its owner alone, changed and deleted by its owner alone). Sharing a view
with the workspace is writing for others, so viewers may not; a shared view is changed or
deleted by its creator or a workspace owner or admin.
"""

from __future__ import annotations

from enum import StrEnum

from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.prioritization.errors import PrioritizationErrorCode
from lodestar.backlog.saved_views.errors import SavedViewErrorCode
from lodestar.people.policy import EVERYONE, MANAGERS, WRITERS, PermissionRule


class BacklogPermission(StrEnum):
    ORDER_BACKLOG = "order_backlog"
    EDIT_SCORECARD = "edit_scorecard"
    SCORE_VALUE = "score_value"
    SCORE_EFFORT = "score_effort"
    SAVE_VIEW = "save_view"
    SHARE_VIEW = "share_view"
    MANAGE_SHARED_VIEWS = "manage_shared_views"


PERMISSIONS = [
    # Admins are the fallback when a team's product owner is away or the hat is vacant.
    PermissionRule(
        BacklogPermission.ORDER_BACKLOG,
        MANAGERS,
        "Only the product's product owner (or a workspace admin) orders the Product Backlog.",
        Code.FORBIDDEN_ORDER_BACKLOG,
        product_owner_hat=True,
    ),
    PermissionRule(
        BacklogPermission.EDIT_SCORECARD,
        MANAGERS,
        "Only the product's product owner, or a workspace owner or admin, changes its scorecard.",
        PrioritizationErrorCode.FORBIDDEN_SCORECARD,
        product_owner_hat=True,
    ),
    # Business value is the product owner's call; the size of the work is the developers'
    # (the product owner may record the number the developers gave). Admins stand in.
    PermissionRule(
        BacklogPermission.SCORE_VALUE,
        MANAGERS,
        "Business value is the product owner's call: only the product's product owner (or a "
        "workspace admin) sets reach, impact, confidence, value or a scorecard's criteria.",
        PrioritizationErrorCode.FORBIDDEN_SCORE_VALUE,
        product_owner_hat=True,
    ),
    PermissionRule(
        BacklogPermission.SCORE_EFFORT,
        MANAGERS,
        "Effort is the developers' call: only a developer of a team on this product, its "
        "product owner recording their number, or a workspace admin sets effort, job size or "
        "ease.",
        PrioritizationErrorCode.FORBIDDEN_SCORE_EFFORT,
        product_owner_hat=True,
        developer_hat=True,
    ),
    # Saved views (see the module's docstring).
    PermissionRule(
        BacklogPermission.SAVE_VIEW,
        EVERYONE,
        "You are not a member of this workspace.",
        SavedViewErrorCode.FORBIDDEN_SAVE_VIEW,
    ),
    PermissionRule(
        BacklogPermission.SHARE_VIEW,
        WRITERS,
        "Viewers may save personal views but not share them with the workspace.",
        SavedViewErrorCode.FORBIDDEN_SHARE_VIEW,
    ),
    PermissionRule(
        BacklogPermission.MANAGE_SHARED_VIEWS,
        MANAGERS,
        "Only the member who created a shared view, or a workspace owner or admin, changes or "
        "deletes it.",
        SavedViewErrorCode.FORBIDDEN_MANAGE_SHARED_VIEWS,
    ),
]
