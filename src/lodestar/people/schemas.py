"""Request and response shapes of the people API (explicit fields; bodies forbid extras)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from lodestar.api.schemas import InSchema
from lodestar.people.models import (
    ApiToken,
    Invitation,
    Membership,
    Role,
    Team,
    TeamMembership,
    TeamRole,
    User,
    Workspace,
)


def _email(user: User | None) -> str | None:
    return user.email if user is not None else None


# -- workspace ---------------------------------------------------------------------------------


class WorkspaceOut(Schema):
    slug: str
    name: str
    created_at: dt.datetime
    version: int
    your_role: Role = Field(description="The caller's role in this workspace.")
    allow_external_images: bool = Field(
        description="Whether pages load images from other hosts (in Markdown); off, they are "
        "refused by the Content-Security-Policy."
    )

    @classmethod
    def of(cls, workspace: Workspace, your_role: str) -> WorkspaceOut:
        return cls(
            slug=workspace.slug,
            name=workspace.name,
            created_at=workspace.created_at,
            version=workspace.version,
            your_role=Role(your_role),
            allow_external_images=workspace.allow_external_images,
        )


class WorkspacePatch(InSchema):
    """The workspace's settings (owners and admins); a field left out stays as it is."""

    allow_external_images: bool | None = Field(
        default=None,
        description="Load images from other hosts in Markdown (each reader's browser asks that "
        "host, which learns who reads and when). Default off.",
    )


# -- members and invitations -------------------------------------------------------------------


class MemberIn(InSchema):
    email: str = Field(max_length=254)
    role: Role = Role.MEMBER
    job_title: str = Field(default="", max_length=100)


class MemberPatch(InSchema):
    role: Role | None = None
    job_title: str | None = Field(default=None, max_length=100)
    handle: str | None = Field(
        default=None,
        max_length=64,
        description="The name the member is mentioned by (`@quinn`): 2 to 32 lowercase letters, "
        "digits, dots, dashes or underscores, starting and ending with a letter or digit; unique "
        "in the workspace and not a team's slug.",
    )


class MemberOut(Schema):
    email: str
    full_name: str
    role: Role
    job_title: str
    handle: str = Field(description="The name the member is mentioned by, without the `@`.")
    is_product_manager: bool = Field(description="Whether the job title is product management.")
    joined_at: dt.datetime
    version: int

    @classmethod
    def of(cls, member: Membership) -> MemberOut:
        return cls(
            email=member.user.email,
            full_name=member.user.full_name,
            role=Role(member.role),
            job_title=member.job_title,
            handle=member.handle,
            is_product_manager=member.is_product_manager,
            joined_at=member.created_at,
            version=member.version,
        )


class InvitationOut(Schema):
    id: int
    email: str
    role: Role
    job_title: str
    invited_by: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    accepted_at: dt.datetime | None
    revoked_at: dt.datetime | None
    declined_at: dt.datetime | None

    @classmethod
    def fields_of(cls, invitation: Invitation) -> dict[str, object]:
        return {
            "id": invitation.pk,
            "email": invitation.email,
            "role": Role(invitation.role),
            "job_title": invitation.job_title,
            "invited_by": _email(invitation.invited_by),
            "created_at": invitation.created_at,
            "expires_at": invitation.expires_at,
            "accepted_at": invitation.accepted_at,
            "revoked_at": invitation.revoked_at,
            "declined_at": invitation.declined_at,
        }

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationOut:
        return cls.model_validate(cls.fields_of(invitation))


class InvitationCreatedOut(InvitationOut):
    token: str = Field(
        description="The secret of the invitation link; shown once, only its hash is stored."
    )
    link: str = Field(description="The invitation link to send to the invitee.")

    @classmethod
    def created(cls, invitation: Invitation, token: str, link: str) -> InvitationCreatedOut:
        return cls.model_validate({**cls.fields_of(invitation), "token": token, "link": link})


class MyInvitationOut(Schema):
    """An invitation waiting for the caller's answer, as the invitee sees it."""

    id: int
    workspace_slug: str
    workspace_name: str
    role: Role
    job_title: str
    invited_by: str | None = Field(description="The name of whoever sent it.")
    created_at: dt.datetime
    expires_at: dt.datetime

    @classmethod
    def of(cls, invitation: Invitation) -> MyInvitationOut:
        sender = invitation.invited_by
        return cls(
            id=invitation.pk,
            workspace_slug=invitation.workspace.slug,
            workspace_name=invitation.workspace.name,
            role=Role(invitation.role),
            job_title=invitation.job_title,
            invited_by=sender.display_name if sender is not None else None,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
        )


class JoinedOut(Schema):
    """The workspace the caller joined by accepting, and their membership in it."""

    workspace_slug: str
    workspace_name: str
    member: MemberOut

    @classmethod
    def of(cls, member: Membership) -> JoinedOut:
        return cls(
            workspace_slug=member.workspace.slug,
            workspace_name=member.workspace.name,
            member=MemberOut.of(member),
        )


# -- teams and hats ----------------------------------------------------------------------------


class TeamIn(InSchema):
    name: str = Field(max_length=100)
    slug: str = Field(default="", max_length=50)
    description: str = Field(default="", max_length=10_000)


class TeamPatch(InSchema):
    name: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=10_000)


class TeamOut(Schema):
    slug: str
    name: str
    description: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @classmethod
    def of(cls, team: Team) -> TeamOut:
        return cls(
            slug=team.slug,
            name=team.name,
            description=team.description,
            created_at=team.created_at,
            updated_at=team.updated_at,
            version=team.version,
        )


class TeamRoleIn(InSchema):
    member: str = Field(max_length=254, description="The member's email address.")
    role: TeamRole = Field(description="developer, scrum_master or stakeholder.")


class TeamRoleOut(Schema):
    member: str
    full_name: str
    job_title: str
    role: TeamRole
    started_at: dt.datetime
    ended_at: dt.datetime | None
    assigned_by: str | None

    @classmethod
    def of(cls, row: TeamMembership) -> TeamRoleOut:
        return cls(
            member=row.member.user.email,
            full_name=row.member.user.full_name,
            job_title=row.member.job_title,
            role=TeamRole(row.role),
            started_at=row.started_at,
            ended_at=row.ended_at,
            assigned_by=_email(row.assigned_by),
        )


# -- API tokens --------------------------------------------------------------------------------


class TokenIn(InSchema):
    name: str = Field(max_length=100)
    expires_in_days: int | None = Field(
        default=None,
        description="Days until the token stops working (1 to 366); null or left out: it works "
        "until it is revoked.",
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    user: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    expires_at: dt.datetime | None = Field(
        description="When it stops working; null: when it is revoked."
    )
    active: bool = Field(description="Neither revoked nor expired.")

    @classmethod
    def fields_of(cls, token: ApiToken) -> dict[str, object]:
        return {
            "id": token.pk,
            "name": token.name,
            "prefix": token.prefix,
            "user": token.user.email,
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "revoked_at": token.revoked_at,
            "expires_at": token.expires_at,
            "active": token.is_active,
        }

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls.model_validate(cls.fields_of(token))


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The bearer secret; shown once, only its hash is stored.")
