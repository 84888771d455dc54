"""The decisions context's permission.

A decision log is only useful when the small decisions of every day land in it, so recording
one is not kept to a role: every member who may write product content (members, admins,
owners; the product owner and product managers are members) records, edits, decides,
supersedes, links and deletes decisions, as discovery's problems and insights are. Viewers
(stakeholders among them) read the log and write nothing, whatever hat they wear. Who decided
is recorded on the decision (its deciders), not enforced as who may press the button.
"""

from __future__ import annotations

from enum import StrEnum

from lodestar.decisions.errors import DecisionErrorCode as Code
from lodestar.people.policy import WRITERS, PermissionRule


class DecisionPermission(StrEnum):
    RECORD_DECISION = "record_decision"


PERMISSIONS = [
    PermissionRule(
        DecisionPermission.RECORD_DECISION,
        WRITERS,
        "Viewers can read the decision log but not record or change decisions.",
        Code.FORBIDDEN_RECORD_DECISION,
    ),
]
