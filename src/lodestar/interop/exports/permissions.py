"""Who may export a workspace: its owners and admins (an export holds everything of it)."""

from __future__ import annotations

from enum import StrEnum

from lodestar.interop.errors import InteropErrorCode as Code
from lodestar.people.policy import MANAGERS, PermissionRule


class ExportPermission(StrEnum):
    EXPORT_WORKSPACE = "export_workspace"


PERMISSIONS = [
    PermissionRule(
        ExportPermission.EXPORT_WORKSPACE,
        MANAGERS,
        "Only the workspace's owners and admins export it: an export holds all of its data.",
        Code.FORBIDDEN_EXPORT,
    ),
]
