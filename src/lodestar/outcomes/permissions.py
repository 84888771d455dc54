"""The outcomes context's permissions.

A metric is product content: every member who may write (members, admins, owners, and so the
product owner) defines, changes and deletes a product's metrics. Samples are pushed by the
same people, mostly through scripts holding one of their API tokens (a token acts as its
holder, in its one workspace). Both are declared apart so that either can be narrowed without
touching the other. Viewers read metrics, samples and daily series, and never write.
"""

from __future__ import annotations

from enum import StrEnum

from lodestar.outcomes.errors import OutcomeErrorCode as Code
from lodestar.people.policy import WRITERS, PermissionRule


class OutcomePermission(StrEnum):
    DEFINE_METRICS = "define_metrics"
    PUSH_SAMPLES = "push_samples"


PERMISSIONS = [
    PermissionRule(
        OutcomePermission.DEFINE_METRICS,
        WRITERS,
        "Viewers can read metrics but not define or change them.",
        Code.FORBIDDEN_DEFINE_METRICS,
    ),
    PermissionRule(
        OutcomePermission.PUSH_SAMPLES,
        WRITERS,
        "Viewers can read a metric's samples but not push or import them.",
        Code.FORBIDDEN_PUSH_SAMPLES,
    ),
]
