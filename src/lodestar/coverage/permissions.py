"""The coverage context's permission: reading coverage is every member's (viewers too); the
thresholds of the summary's rules are the workspace's settings, set by its owners and admins."""

from __future__ import annotations

from enum import StrEnum

from lodestar.coverage.errors import CoverageErrorCode as Code
from lodestar.people.policy import MANAGERS, PermissionRule


class CoveragePermission(StrEnum):
    SET_COVERAGE_THRESHOLDS = "set_coverage_thresholds"


PERMISSIONS = [
    PermissionRule(
        CoveragePermission.SET_COVERAGE_THRESHOLDS,
        MANAGERS,
        "Only the workspace's owners and admins set the coverage summary's thresholds.",
        Code.FORBIDDEN_SET_COVERAGE_THRESHOLDS,
    ),
]
