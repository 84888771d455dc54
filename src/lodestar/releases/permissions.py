"""The releases context's permissions.

Deciding what goes live and when is the product owner's accountability (and the product
manager's discipline, see DESIGN.md), so two permissions:

- **change a release** (create it, edit its name, description and target date, add, remove and
  drop items, write the notes, tick the product's own checks): the product's owner, the
  developers of the teams that work from the product (they know what is in it), and workspace
  admins and owners;
- **decide a release** (move it between planned, in progress and cancelled, take it live,
  force it live past unmet checks with a reason, and keep the product's own checklist): the
  product's owner and workspace admins and owners only.

A job title grants nothing: a Product Manager decides releases by wearing the product owner hat
or holding the admin role, as everywhere else in the policy. A viewer never writes.
"""

from __future__ import annotations

from enum import StrEnum

from lodestar.people.policy import MANAGERS, PermissionRule
from lodestar.releases.errors import ReleaseErrorCode as Code


class ReleasePermission(StrEnum):
    CHANGE_RELEASE = "change_release"
    DECIDE_RELEASE = "decide_release"


PERMISSIONS = [
    PermissionRule(
        ReleasePermission.CHANGE_RELEASE,
        MANAGERS,
        "Only the product's owner, the developers of its teams and workspace admins change "
        "its releases.",
        Code.FORBIDDEN_CHANGE_RELEASE,
        product_owner_hat=True,
        developer_hat=True,
    ),
    PermissionRule(
        ReleasePermission.DECIDE_RELEASE,
        MANAGERS,
        "Only the product's owner or a workspace admin decides when a release goes live, "
        "changes its state or keeps the product's release checklist.",
        Code.FORBIDDEN_DECIDE_RELEASE,
        product_owner_hat=True,
    ),
]
