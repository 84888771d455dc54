"""The sprints context's permission.

The Sprint Backlog belongs to the Developers, planned with the Product Owner (the Scrum
Guide): the team's developers and the product owner of the product the team works from change
a sprint — create, plan, commit and remove items, set capacity, start, change the goal, close.
Workspace owners and admins stand in. A scrum master facilitates and changes none of it (unless
they also wear the developer hat in the team); members outside the team, stakeholders and
viewers read only.
"""

from __future__ import annotations

from enum import StrEnum

from lodestar.people.policy import MANAGERS, PermissionRule
from lodestar.sprints.errors import SprintErrorCode as Code


class SprintPermission(StrEnum):
    CHANGE_SPRINT = "change_sprint"


PERMISSIONS = [
    PermissionRule(
        SprintPermission.CHANGE_SPRINT,
        MANAGERS,
        "Only the team's developers and its product owner (or a workspace admin) change its "
        "sprints.",
        Code.FORBIDDEN_CHANGE_SPRINT,
        product_owner_hat=True,
        developer_hat=True,
    ),
]
