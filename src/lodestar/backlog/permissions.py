"""The backlog context's permissions, declared for ``people/policy.py`` to collect."""

from __future__ import annotations

from enum import StrEnum

from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.prioritization.errors import PrioritizationErrorCode
from lodestar.people.policy import MANAGERS, PermissionRule


class BacklogPermission(StrEnum):
    ORDER_BACKLOG = "order_backlog"
    EDIT_SCORECARD = "edit_scorecard"


PERMISSIONS = [
    # Admins are the fallback when a team's product owner is away or the hat is vacant.
    PermissionRule(
        BacklogPermission.ORDER_BACKLOG,
        MANAGERS,
        "Only the team's product owner (or a workspace admin) orders the Product Backlog.",
        Code.FORBIDDEN_ORDER_BACKLOG,
        product_owner_hat=True,
    ),
    PermissionRule(
        BacklogPermission.EDIT_SCORECARD,
        MANAGERS,
        "Only the product owner of a team on this product, or a workspace owner or admin, "
        "changes its scorecard.",
        PrioritizationErrorCode.FORBIDDEN_SCORECARD,
        product_owner_hat=True,
    ),
]
