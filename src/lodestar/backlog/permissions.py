"""The backlog context's permissions, declared for ``people/policy.py`` to collect."""

from __future__ import annotations

from enum import StrEnum

from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.prioritization.errors import PrioritizationErrorCode
from lodestar.people.policy import MANAGERS, PermissionRule


class BacklogPermission(StrEnum):
    ORDER_BACKLOG = "order_backlog"
    EDIT_SCORECARD = "edit_scorecard"
    SCORE_VALUE = "score_value"
    SCORE_EFFORT = "score_effort"


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
]
