"""Every write of the people context: one transaction each, policy enforced, history recorded."""

from lodestar.people.services.accounts import (
    user_create,
    workspace_create,
    workspace_settings_update,
)
from lodestar.people.services.email_change import (
    email_change_confirm,
    email_change_read,
    email_change_request,
)
from lodestar.people.services.members import (
    invitation_accept,
    invitation_accept_own,
    invitation_create,
    invitation_decline,
    invitation_link,
    invitation_resend,
    invitation_revoke,
    member_add,
    member_add_by_operator,
    member_remove,
    member_update,
)
from lodestar.people.services.passwords import (
    password_reset_confirm,
    password_reset_request,
    password_reset_user,
)
from lodestar.people.services.teams import (
    team_create,
    team_role_add,
    team_role_end,
    team_update,
)
from lodestar.people.services.tokens import token_create, token_revoke, tokens_warn_expiring

__all__ = [
    "email_change_confirm",
    "email_change_read",
    "email_change_request",
    "invitation_accept",
    "invitation_accept_own",
    "invitation_create",
    "invitation_decline",
    "invitation_link",
    "invitation_resend",
    "invitation_revoke",
    "member_add",
    "member_add_by_operator",
    "member_remove",
    "member_update",
    "password_reset_confirm",
    "password_reset_request",
    "password_reset_user",
    "team_create",
    "team_role_add",
    "team_role_end",
    "team_update",
    "token_create",
    "token_revoke",
    "tokens_warn_expiring",
    "user_create",
    "workspace_create",
    "workspace_settings_update",
]
