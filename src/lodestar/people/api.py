"""HTTP API of the people context: workspace, members, invitations, teams, hats, API tokens.

Handlers are thin: resolve the actor, fetch through ``access``, call a service or selector,
render. Nobody joins a workspace without saying yes: ``POST /members`` always creates an
invitation (the same answer whether or not the address has an account here), and the invitee
answers it through ``me_router`` (mounted at ``/api/v1/me/``) or the link.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.core.mail import site_url
from lodestar.core.pagination import paginate
from lodestar.people import access, refs, selectors, services
from lodestar.people.models import User
from lodestar.people.schemas import (
    InvitationCreatedOut,
    InvitationOut,
    JoinedOut,
    MemberIn,
    MemberOut,
    MemberPatch,
    MyInvitationOut,
    TeamIn,
    TeamOut,
    TeamPatch,
    TeamRoleIn,
    TeamRoleOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    WorkspaceOut,
    WorkspacePatch,
)
from lodestar.people.views import invitation_url

router = Router(tags=["people"])
# The caller's own business, outside any workspace: the invitations waiting for their answer.
me_router = Router(tags=["me"])

NO_CONTENT = {204: None, **WRITE_ERRORS}


@router.get(
    "/{workspace_slug}", response={200: WorkspaceOut, **ERRORS}, operation_id="workspace_get"
)
def workspace_get(
    request: HttpRequest, response: HttpResponse, workspace_slug: str
) -> WorkspaceOut:
    actor = request_actor(request, workspace_slug)
    set_etag(response, actor.workspace.version)
    return WorkspaceOut.of(actor.workspace, actor.role)


@router.patch(
    "/{workspace_slug}",
    response={200: WorkspaceOut, **WRITE_ERRORS},
    summary="Change the workspace's settings",
    operation_id="workspace_update",
    openapi_extra=IF_MATCH,
)
def workspace_update(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, payload: WorkspacePatch
) -> WorkspaceOut:
    actor = request_actor(request, workspace_slug)
    workspace = services.workspace_settings_update(
        actor=actor,
        workspace=actor.workspace,
        allow_external_images=payload.allow_external_images,
        expected_version=if_match(request),
    )
    set_etag(response, workspace.version)
    return WorkspaceOut.of(workspace, actor.role)


# -- members -----------------------------------------------------------------------------------


@router.get(
    "/{workspace_slug}/members",
    response={200: PageOut[MemberOut], **ERRORS},
    operation_id="member_list",
)
def member_list(
    request: HttpRequest, workspace_slug: str, limit: Limit | None = None, cursor: str | None = None
) -> PageOut[MemberOut]:
    actor = request_actor(request, workspace_slug)
    page = paginate(
        selectors.member_list(actor=actor), order=["user__email"], cursor=cursor, limit=limit
    )
    return PageOut[MemberOut](
        items=[MemberOut.of(m) for m in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/{workspace_slug}/members",
    response={201: InvitationCreatedOut, **WRITE_ERRORS},
    summary="Invite someone to the workspace",
    description=(
        "Creates an invitation (201) whether or not the address has an account here; the "
        "answer never says which, nor anyone's name. The person joins when they accept: "
        "signed in, in the app or with `POST /api/v1/me/invitations/{id}/accept`, or by the "
        "link, which is also emailed to the address (by the worker, once the invitation is "
        "stored; the subject names the workspace and the inviter). The `token` and `link` are "
        "shown this once, for sharing another way. Inviting the address again "
        "withdraws the earlier invitation. Only owners grant the owner role; 409 when the "
        "address is already a member."
    ),
    operation_id="member_add",
)
def member_add(
    request: HttpRequest, workspace_slug: str, payload: MemberIn
) -> Status[InvitationCreatedOut]:
    actor = request_actor(request, workspace_slug)
    invitation, secret = services.invitation_create(
        actor=actor,
        email=payload.email,
        role=payload.role.value,
        job_title=payload.job_title,
        site=site_url(request),
    )
    return Status(
        201, InvitationCreatedOut.created(invitation, secret, invitation_url(request, secret))
    )


@router.get(
    "/{workspace_slug}/members/{email}",
    response={200: MemberOut, **ERRORS},
    operation_id="member_get",
)
def member_get(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, email: str
) -> MemberOut:
    member = access.access_member(request_actor(request, workspace_slug), email)
    set_etag(response, member.version)
    return MemberOut.of(member)


@router.patch(
    "/{workspace_slug}/members/{email}",
    response={200: MemberOut, **WRITE_ERRORS},
    operation_id="member_update",
    openapi_extra=IF_MATCH,
)
def member_update(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    email: str,
    payload: MemberPatch,
) -> MemberOut:
    actor = request_actor(request, workspace_slug)
    member = services.member_update(
        actor=actor,
        member=access.access_member(actor, email),
        role=payload.role.value if payload.role is not None else None,
        job_title=payload.job_title,
        handle=payload.handle,
        expected_version=if_match(request),
    )
    set_etag(response, member.version)
    return MemberOut.of(member)


@router.delete(
    "/{workspace_slug}/members/{email}",
    response=NO_CONTENT,
    operation_id="member_remove",
    openapi_extra=IF_MATCH,
)
def member_remove(request: HttpRequest, workspace_slug: str, email: str) -> Status[None]:
    actor = request_actor(request, workspace_slug)
    member = access.access_member(actor, email)
    services.member_remove(actor=actor, member=member, expected_version=if_match(request))
    return Status(204, None)


# -- invitations -------------------------------------------------------------------------------


@router.get(
    "/{workspace_slug}/invitations",
    response={200: PageOut[InvitationOut], **ERRORS},
    operation_id="invitation_list",
)
def invitation_list(
    request: HttpRequest, workspace_slug: str, limit: Limit | None = None, cursor: str | None = None
) -> PageOut[InvitationOut]:
    actor = request_actor(request, workspace_slug)
    page = paginate(
        selectors.invitation_list(actor=actor), order=["id"], cursor=cursor, limit=limit
    )
    return PageOut[InvitationOut](
        items=[InvitationOut.of(i) for i in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/{workspace_slug}/invitations/{invitation_id}/resend",
    response={200: InvitationCreatedOut, **WRITE_ERRORS},
    summary="Email an open invitation again",
    description=(
        "Emails the invitation again with a fresh link, valid for another 7 days (an expired "
        "invitation included); the earlier link stops working. The new `token` and `link` are "
        "shown this once. 409 when the invitation was accepted, declined or withdrawn."
    ),
    operation_id="invitation_resend",
)
def invitation_resend(
    request: HttpRequest, workspace_slug: str, invitation_id: int
) -> InvitationCreatedOut:
    actor = request_actor(request, workspace_slug)
    invitation, secret = services.invitation_resend(
        actor=actor,
        invitation=access.access_invitation(actor, invitation_id),
        site=site_url(request),
    )
    return InvitationCreatedOut.created(invitation, secret, invitation_url(request, secret))


@router.delete(
    "/{workspace_slug}/invitations/{invitation_id}",
    response=NO_CONTENT,
    operation_id="invitation_revoke",
)
def invitation_revoke(
    request: HttpRequest, workspace_slug: str, invitation_id: int
) -> Status[None]:
    actor = request_actor(request, workspace_slug)
    invitation = access.access_invitation(actor, invitation_id)
    services.invitation_revoke(actor=actor, invitation=invitation)
    return Status(204, None)


# -- the caller's own invitations ---------------------------------------------------------------


def _caller(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@me_router.get(
    "/invitations",
    response={200: list[MyInvitationOut], **ERRORS},
    summary="Invitations waiting for your answer",
    description="Open invitations addressed to your account's email, in any workspace.",
    operation_id="my_invitation_list",
)
def my_invitation_list(request: HttpRequest) -> list[MyInvitationOut]:
    invitations = selectors.invitations_for_user(user=_caller(request))
    return [MyInvitationOut.of(invitation) for invitation in invitations]


@me_router.post(
    "/invitations/{invitation_id}/accept",
    response={200: JoinedOut, **WRITE_ERRORS},
    summary="Accept an invitation and join its workspace",
    description=(
        "Only the account the invitation was sent to can accept it; anyone else gets 404. "
        "422 when it has expired, was withdrawn or declined, or was already used."
    ),
    operation_id="my_invitation_accept",
)
def my_invitation_accept(request: HttpRequest, invitation_id: int) -> JoinedOut:
    member = services.invitation_accept_own(user=_caller(request), invitation_id=invitation_id)
    return JoinedOut.of(member)


@me_router.post(
    "/invitations/{invitation_id}/decline",
    response=NO_CONTENT,
    summary="Decline an invitation",
    description="The link stops working and the workspace's admins see it declined.",
    operation_id="my_invitation_decline",
)
def my_invitation_decline(request: HttpRequest, invitation_id: int) -> Status[None]:
    services.invitation_decline(user=_caller(request), invitation_id=invitation_id)
    return Status(204, None)


# -- teams -------------------------------------------------------------------------------------


@router.get(
    "/{workspace_slug}/teams", response={200: PageOut[TeamOut], **ERRORS}, operation_id="team_list"
)
def team_list(
    request: HttpRequest, workspace_slug: str, limit: Limit | None = None, cursor: str | None = None
) -> PageOut[TeamOut]:
    actor = request_actor(request, workspace_slug)
    page = paginate(selectors.team_list(actor=actor), order=["slug"], cursor=cursor, limit=limit)
    return PageOut[TeamOut](items=[TeamOut.of(t) for t in page.items], next_cursor=page.next_cursor)


@router.post(
    "/{workspace_slug}/teams", response={201: TeamOut, **WRITE_ERRORS}, operation_id="team_create"
)
def team_create(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, payload: TeamIn
) -> Status[TeamOut]:
    actor = request_actor(request, workspace_slug)
    team = services.team_create(
        actor=actor, name=payload.name, slug=payload.slug, description=payload.description
    )
    set_etag(response, team.version)
    return Status(201, TeamOut.of(team))


@router.get(
    "/{workspace_slug}/teams/{team_slug}",
    response={200: TeamOut, **ERRORS},
    operation_id="team_get",
)
def team_get(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, team_slug: str
) -> TeamOut:
    team = access.access_team(request_actor(request, workspace_slug), team_slug)
    set_etag(response, team.version)
    return TeamOut.of(team)


@router.patch(
    "/{workspace_slug}/teams/{team_slug}",
    response={200: TeamOut, **WRITE_ERRORS},
    operation_id="team_update",
    openapi_extra=IF_MATCH,
)
def team_update(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    team_slug: str,
    payload: TeamPatch,
) -> TeamOut:
    actor = request_actor(request, workspace_slug)
    team = services.team_update(
        actor=actor,
        team=access.access_team(actor, team_slug),
        name=payload.name,
        description=payload.description,
        expected_version=if_match(request),
    )
    set_etag(response, team.version)
    return TeamOut.of(team)


# -- hats --------------------------------------------------------------------------------------


@router.get(
    "/{workspace_slug}/teams/{team_slug}/members",
    response={200: PageOut[TeamRoleOut], **ERRORS},
    operation_id="team_member_list",
)
def team_roster(
    request: HttpRequest,
    workspace_slug: str,
    team_slug: str,
    limit: Limit | None = None,
    cursor: str | None = None,
) -> PageOut[TeamRoleOut]:
    actor = request_actor(request, workspace_slug)
    roster = selectors.team_roster(actor=actor, team=access.access_team(actor, team_slug))
    page = paginate(roster.select_related("assigned_by"), order=["id"], cursor=cursor, limit=limit)
    return PageOut[TeamRoleOut](
        items=[TeamRoleOut.of(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/{workspace_slug}/teams/{team_slug}/members",
    response={201: TeamRoleOut, **WRITE_ERRORS},
    operation_id="team_role_add",
)
def team_role_add(
    request: HttpRequest, workspace_slug: str, team_slug: str, payload: TeamRoleIn
) -> Status[TeamRoleOut]:
    actor = request_actor(request, workspace_slug)
    team = access.access_team(actor, team_slug)
    member = refs.member_ref(actor, payload.member)
    row = services.team_role_add(actor=actor, team=team, member=member, role=payload.role.value)
    return Status(201, TeamRoleOut.of(row))


@router.delete(
    "/{workspace_slug}/teams/{team_slug}/members/{email}/{role}",
    response=NO_CONTENT,
    operation_id="team_role_end",
)
def team_role_end(
    request: HttpRequest, workspace_slug: str, team_slug: str, email: str, role: str
) -> Status[None]:
    actor = request_actor(request, workspace_slug)
    team = access.access_team(actor, team_slug)
    member = access.access_member(actor, email)
    services.team_role_end(actor=actor, team=team, member=member, role=role)
    return Status(204, None)


# -- API tokens --------------------------------------------------------------------------------


@router.get(
    "/{workspace_slug}/tokens",
    response={200: PageOut[TokenOut], **ERRORS},
    operation_id="token_list",
)
def token_list(
    request: HttpRequest, workspace_slug: str, limit: Limit | None = None, cursor: str | None = None
) -> PageOut[TokenOut]:
    actor = request_actor(request, workspace_slug)
    page = paginate(selectors.token_list(actor=actor), order=["id"], cursor=cursor, limit=limit)
    return PageOut[TokenOut](
        items=[TokenOut.of(t) for t in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/{workspace_slug}/tokens",
    response={201: TokenCreatedOut, **WRITE_ERRORS},
    operation_id="token_create",
)
def token_create(
    request: HttpRequest, workspace_slug: str, payload: TokenIn
) -> Status[TokenCreatedOut]:
    actor = request_actor(request, workspace_slug)
    token, secret = services.token_create(
        actor=actor, name=payload.name, expires_in_days=payload.expires_in_days
    )
    return Status(
        201, TokenCreatedOut.model_validate({**TokenOut.fields_of(token), "token": secret})
    )


@router.delete(
    "/{workspace_slug}/tokens/{token_id}", response=NO_CONTENT, operation_id="token_revoke"
)
def token_revoke(request: HttpRequest, workspace_slug: str, token_id: int) -> Status[None]:
    actor = request_actor(request, workspace_slug)
    services.token_revoke(actor=actor, token=access.access_token(actor, token_id))
    return Status(204, None)
