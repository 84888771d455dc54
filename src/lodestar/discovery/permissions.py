"""The discovery context's permissions.

Talking to customers is everyone's job: every member who may write (members, admins, owners)
records customers, contacts, feedback, insights and problems, and links problems to backlog
items (``edit_content``, people's). Viewers read all of it, ARR included: a stakeholder reading
why an item exists is the point. Merging two customers rewrites where feedback belongs, so it
is declared on its own (writers too, recorded in both customers' history).
"""

from __future__ import annotations

from enum import StrEnum

from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.people.policy import WRITERS, PermissionRule


class DiscoveryPermission(StrEnum):
    MERGE_CUSTOMERS = "merge_customers"


PERMISSIONS = [
    PermissionRule(
        DiscoveryPermission.MERGE_CUSTOMERS,
        WRITERS,
        "Viewers can read customers but not merge them.",
        Code.FORBIDDEN_MERGE_CUSTOMERS,
    ),
]
