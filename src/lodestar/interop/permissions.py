"""The interop context's permissions. Webhooks (and imports, exports and restores) are the
workspace's administration: owners and admins only."""

from __future__ import annotations

from enum import StrEnum

from lodestar.interop.errors import InteropErrorCode as Code
from lodestar.people.policy import MANAGERS, PermissionRule


class InteropPermission(StrEnum):
    MANAGE_WEBHOOKS = "manage_webhooks"


PERMISSIONS = [
    PermissionRule(
        InteropPermission.MANAGE_WEBHOOKS,
        MANAGERS,
        "Only workspace owners and admins see and manage webhooks.",
        Code.FORBIDDEN_MANAGE_WEBHOOKS,
    ),
]
