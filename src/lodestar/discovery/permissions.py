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
from lodestar.people.policy import MANAGERS, WRITERS, PermissionRule


class DiscoveryPermission(StrEnum):
    MERGE_CUSTOMERS = "merge_customers"
    # The public portal: turning a product's portal on and wording it is the product's
    # owner's (or an admin's) call; moderating what visitors send is every writer's.
    MANAGE_PORTAL = "manage_portal"
    MODERATE_PORTAL = "moderate_portal"
    CHANGE_DISCOVERY_SETTINGS = "change_discovery_settings"


PERMISSIONS = [
    PermissionRule(
        DiscoveryPermission.MERGE_CUSTOMERS,
        WRITERS,
        "Viewers can read customers but not merge them.",
        Code.FORBIDDEN_MERGE_CUSTOMERS,
    ),
    PermissionRule(
        DiscoveryPermission.MANAGE_PORTAL,
        MANAGERS,
        "Only the product's product owner and workspace admins change its public portal.",
        Code.FORBIDDEN_MANAGE_PORTAL,
        product_owner_hat=True,
    ),
    PermissionRule(
        DiscoveryPermission.MODERATE_PORTAL,
        WRITERS,
        "Viewers can read the portal's moderation queue but not moderate it.",
        Code.FORBIDDEN_MODERATE_PORTAL,
    ),
    # Whether reach counts customers or contacts weighs every derived score of the product:
    # the product owner's call, like the rest of business value (admins stand in).
    PermissionRule(
        DiscoveryPermission.CHANGE_DISCOVERY_SETTINGS,
        MANAGERS,
        "Only the product's product owner (or a workspace admin) chooses how its reach is counted.",
        Code.FORBIDDEN_CHANGE_DISCOVERY_SETTINGS,
        product_owner_hat=True,
    ),
]
