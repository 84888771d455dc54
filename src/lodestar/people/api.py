"""HTTP API of the people context: workspace, members, invitations, teams, hats, API tokens.

Handlers are thin: resolve the actor, fetch through ``access``, call a service or selector,
render. ``POST /members`` answers 201 with ``{"result": "added", "member": {...}}`` when the
address belongs to a user (who joins at once) and ``{"result": "invited", "invitation": {...,
"token"}}`` otherwise; the invitation's token is shown once.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.core.pagination import paginate
from lodestar.people import access, refs, selectors, services
from lodestar.people.models import Team
from lodestar.people.policy import Actor
from lodestar.people.schemas import (
    InvitationOut,
    MemberAddOut,
    MemberIn,
    MemberOut,
    MemberPatch,
    ProductOwnerIn,
    ProductOwnerOut,
    TeamIn,
    TeamOut,
    TeamPatch,
    TeamRoleIn,
    TeamRoleOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    WorkspaceOut,
)

router = Router(tags=["people"])

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
    response={201: MemberAddOut, **WRITE_ERRORS},
    summary="Add a member, or invite someone new",
    description=(
        "When the email belongs to a user, they join at once: 201 with "
        '`{"result": "added", "member": {...}, "invitation": null}`. Otherwise an invitation '
        'is created: 201 with `{"result": "invited", "member": null, "invitation": {..., '
        '"token"}}`; the token (for the invitation link) is shown this once. Only owners '
        "grant the owner role."
    ),
    operation_id="member_add",
)
def member_add(
    request: HttpRequest, workspace_slug: str, payload: MemberIn
) -> Status[MemberAddOut]:
    actor = request_actor(request, workspace_slug)
    done = services.member_add_or_invite(
        actor=actor, email=payload.email, role=payload.role.value, job_title=payload.job_title
    )
    return Status(201, MemberAddOut.of(done))


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


def _product_owner(actor: Actor, team: Team) -> ProductOwnerOut:
    history = list(
        selectors.product_owner_history(actor=actor, team=team).select_related("assigned_by")
    )
    holder = next((row for row in history if row.ended_at is None), None)
    return ProductOwnerOut(
        team=team.slug,
        holder=TeamRoleOut.of(holder) if holder is not None else None,
        history=[TeamRoleOut.of(row) for row in history],
        version=team.version,
    )


@router.get(
    "/{workspace_slug}/teams/{team_slug}/roles/product-owner",
    response={200: ProductOwnerOut, **ERRORS},
    operation_id="team_product_owner_get",
)
def product_owner_get(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, team_slug: str
) -> ProductOwnerOut:
    actor = request_actor(request, workspace_slug)
    team = access.access_team(actor, team_slug)
    set_etag(response, team.version)
    return _product_owner(actor, team)


@router.put(
    "/{workspace_slug}/teams/{team_slug}/roles/product-owner",
    response={200: ProductOwnerOut, **WRITE_ERRORS},
    operation_id="team_product_owner_set",
    openapi_extra=IF_MATCH,
)
def product_owner_set(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    team_slug: str,
    payload: ProductOwnerIn,
) -> ProductOwnerOut:
    """Move the team's product owner hat to ``member`` (null leaves it vacant)."""
    actor = request_actor(request, workspace_slug)
    team = access.access_team(actor, team_slug)
    member = refs.member_ref_or_none(actor, payload.member, field="member")
    services.product_owner_set(
        actor=actor, team=team, member=member, expected_version=if_match(request)
    )
    set_etag(response, team.version)
    return _product_owner(actor, team)


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
    token, secret = services.token_create(actor=actor, name=payload.name)
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
