"""Every write of the people context: one transaction each, policy enforced, history recorded."""

from lodestar.people.services.accounts import (
    user_create,
    workspace_create,
    workspace_settings_update,
)
from lodestar.people.services.members import (
    AddOrInvite,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    member_add,
    member_add_or_invite,
    member_remove,
    member_update,
)
from lodestar.people.services.teams import (
    product_owner_set,
    team_create,
    team_role_add,
    team_role_end,
    team_update,
)
from lodestar.people.services.tokens import token_create, token_revoke

__all__ = [
    "AddOrInvite",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "member_add",
    "member_add_or_invite",
    "member_remove",
    "member_update",
    "product_owner_set",
    "team_create",
    "team_role_add",
    "team_role_end",
    "team_update",
    "token_create",
    "token_revoke",
    "user_create",
    "workspace_create",
    "workspace_settings_update",
]
