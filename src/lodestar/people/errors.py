"""Stable error codes of the people context (users, workspaces, members, teams, tokens)."""

from __future__ import annotations

from enum import StrEnum


class PeopleErrorCode(StrEnum):
    EMAIL_INVALID = "email_invalid"
    EMAIL_TAKEN = "email_taken"
    PASSWORD_INVALID = "password_invalid"  # noqa: S105 - an error code, not a password
    WORKSPACE_SLUG_INVALID = "workspace_slug_invalid"
    WORKSPACE_SLUG_TAKEN = "workspace_slug_taken"
    NAME_INVALID = "name_invalid"
    ROLE_INVALID = "role_invalid"
    JOB_TITLE_INVALID = "job_title_invalid"
    HANDLE_INVALID = "handle_invalid"
    HANDLE_TAKEN = "handle_taken"
    USER_NOT_FOUND = "user_not_found"
    ALREADY_MEMBER = "already_member"
    NOT_A_MEMBER = "not_a_member"
    MEMBER_NOT_FOUND = "member_not_found"
    LAST_OWNER = "last_owner"
    INVITATION_INVALID = "invitation_invalid"
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_USED = "invitation_used"
    INVITATION_WRONG_USER = "invitation_wrong_user"
    INVITATION_NOT_FOUND = "invitation_not_found"
    TEAM_NOT_FOUND = "team_not_found"
    TEAM_SLUG_INVALID = "team_slug_invalid"
    TEAM_SLUG_TAKEN = "team_slug_taken"
    TEAM_ROLE_INVALID = "team_role_invalid"
    TEAM_ROLE_HELD = "team_role_held"
    TEAM_ROLE_NOT_HELD = "team_role_not_held"
    VIEWER_CANNOT_OWN_PRODUCT = "viewer_cannot_be_product_owner"
    TOKEN_NAME_INVALID = "token_name_invalid"  # noqa: S105 - an error code, not a token
    TOKEN_EXPIRY_INVALID = "token_expiry_invalid"  # noqa: S105 - an error code, not a token
    TOKEN_NOT_FOUND = "token_not_found"  # noqa: S105 - an error code, not a token
    PASSWORD_RESET_INVALID = "password_reset_invalid"  # noqa: S105 - an error code
    PASSWORD_WRONG = "password_wrong"  # noqa: S105 - an error code, not a password
    EMAIL_UNUSABLE = "email_unusable"
    EMAIL_UNCHANGED = "email_unchanged"
    EMAIL_CHANGE_INVALID = "email_change_invalid"
    EMAIL_CHANGE_EXPIRED = "email_change_expired"
    EMAIL_CHANGE_USED = "email_change_used"
    INVITATION_NOT_OPEN = "invitation_not_open"
    # Refusals of the people context's permissions (``people/policy.py``).
    FORBIDDEN_VIEW = "forbidden_view"
    FORBIDDEN_EDIT_CONTENT = "forbidden_edit_content"
    FORBIDDEN_CREATE_OWN_TOKENS = "forbidden_create_own_tokens"
    FORBIDDEN_MANAGE_MEMBERS = "forbidden_manage_members"
    FORBIDDEN_MANAGE_TEAMS = "forbidden_manage_teams"
    FORBIDDEN_ASSIGN_TEAM_ROLES = "forbidden_assign_team_roles"
    FORBIDDEN_MOVE_PRODUCT_OWNER_HAT = "forbidden_move_product_owner_hat"
    FORBIDDEN_MANAGE_OWNERS = "forbidden_manage_owners"
    FORBIDDEN_MANAGE_WORKSPACE = "forbidden_manage_workspace"
    FORBIDDEN_MANAGE_SETTINGS = "forbidden_manage_settings"
