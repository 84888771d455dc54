"""The outcomes context's permissions.

A metric is product content: every member who may write (members, admins, owners, and so the
product owner) defines, changes and deletes a product's metrics. Samples are pushed by the
same people, mostly through scripts holding one of their API tokens (a token acts as its
holder, in its one workspace). Both are declared apart so that either can be narrowed without
touching the other. Success criteria are set, and outcome reviews evaluated on demand and
concluded (learnings, follow-up items, the problem's new status), by the same writers. Viewers
read metrics, samples, daily series, criteria and reviews, and never write.
"""

from __future__ import annotations

from enum import StrEnum

from lodestar.outcomes.errors import OutcomeErrorCode as Code
from lodestar.people.policy import WRITERS, PermissionRule


class OutcomePermission(StrEnum):
    DEFINE_METRICS = "define_metrics"
    PUSH_SAMPLES = "push_samples"
    SET_CRITERIA = "set_criteria"
    REVIEW_OUTCOMES = "review_outcomes"


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
    PermissionRule(
        OutcomePermission.SET_CRITERIA,
        WRITERS,
        "Viewers can read success criteria but not set or remove them.",
        Code.FORBIDDEN_SET_CRITERIA,
    ),
    PermissionRule(
        OutcomePermission.REVIEW_OUTCOMES,
        WRITERS,
        "Viewers can read outcome reviews but not evaluate them, add learnings or follow-ups.",
        Code.FORBIDDEN_REVIEW_OUTCOMES,
    ),
]
