"""The interop context's permissions: imports, exports, restores and webhooks are the
workspace's administration, so owners and admins only (members and viewers are refused)."""

from __future__ import annotations

from enum import StrEnum

from lodestar.interop.errors import InteropErrorCode as Code
from lodestar.people.policy import MANAGERS, PermissionRule


class InteropPermission(StrEnum):
    IMPORT_DATA = "import_data"
    MANAGE_WEBHOOKS = "manage_webhooks"


PERMISSIONS = [
    PermissionRule(
        InteropPermission.IMPORT_DATA,
        MANAGERS,
        "Only workspace owners and admins import files from other tools.",
        Code.FORBIDDEN_IMPORT,
    ),
    PermissionRule(
        InteropPermission.MANAGE_WEBHOOKS,
        MANAGERS,
        "Only workspace owners and admins see and manage webhooks.",
        Code.FORBIDDEN_MANAGE_WEBHOOKS,
    ),
]
