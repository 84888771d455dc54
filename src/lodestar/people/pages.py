"""The workspace pages: home, members, teams with their hats, and who does what.

Views are thin: access, then a service or a selector, then a page or (for htmx) a fragment.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import Conflict, Invalid, StaleVersion
from lodestar.core.history import describe, history_recent
from lodestar.core.mail import site_url
from lodestar.core.registry import registry
from lodestar.people import selectors, services
from lodestar.people.access import access_invitation, access_member, access_team
from lodestar.people.extensions import TEAM_LINKS, shared_owners
from lodestar.people.forms import (
    HandleForm,
    HatForm,
    InviteForm,
    MemberForm,
    TeamForm,
)
from lodestar.people.models import (
    JOB_TITLE_SUGGESTIONS,
    Membership,
    Role,
    TeamRole,
)
from lodestar.people.page_exports import members_csv, teams_csv
from lodestar.people.policy import Permission, can, can_change_member, offered_roles
from lodestar.people.refs import member_ref
from lodestar.people.selectors import Worn
from lodestar.people.views import invitation_url
from lodestar.people.web import WorkspaceRequest, apply_errors, is_htmx, workspace_view

RECENT_ACTIVITY = 8
HOME_PEOPLE = 6


# -- home --------------------------------------------------------------------------------------


@require_GET
@workspace_view
def workspace_home(request: WorkspaceRequest) -> HttpResponse:
    actor = request.actor
    teams = selectors.who_does_what(actor=actor)
    my_hats = selectors.hats_by_member(teams, workspace_slug=request.workspace.slug).get(
        actor.membership.pk, []
    )
    sections = [
        (section, context)
        for section in registry().home_sections()
        if (context := section.context(actor)) is not None
    ]
    recent = history_recent(workspace_id=actor.workspace_id, limit=RECENT_ACTIVITY)
    members = list(selectors.member_list(actor=actor))
    names = {member.user.email: member.user.display_name for member in members}
    return render(
        request,
        "people/workspace_home.html",
        {
            "teams": teams,
            "member_count": len(members),
            "people": members[:HOME_PEOPLE],
            "more_people": max(0, len(members) - HOME_PEOPLE),
            "my_hats": my_hats,
            "sections": sections,
            "activity": [(entry, describe(entry, names)) for entry in recent],
            "manages_teams": can(actor, Permission.MANAGE_TEAMS),
        },
    )


# -- members -----------------------------------------------------------------------------------


def _member_row(
    request: WorkspaceRequest,
    member: Membership,
    hats: list[Worn],
    form: MemberForm | None = None,
) -> dict[str, Any]:
    """What one row of the members table shows; a form when the actor may edit the member."""
    actor = request.actor
    editable = can(actor, Permission.MANAGE_MEMBERS) and can_change_member(actor, member)
    if editable and form is None:
        form = MemberForm(member=member, roles=offered_roles(actor, current=member.role))
    return {
        "member": member,
        "hats": hats,
        "form": form if editable else None,
        "is_me": member.pk == actor.membership.pk,
        "manages": can(actor, Permission.MANAGE_MEMBERS),
    }


def _members_page(
    request: WorkspaceRequest,
    *,
    invite_form: InviteForm | None = None,
    invite_link: str = "",
    handle_form: HandleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    manages = can(actor, Permission.MANAGE_MEMBERS)
    me = actor.membership
    if handle_form is None and can_change_member(actor, me):
        handle_form = HandleForm(initial={"handle": me.handle})
    hats = selectors.hats_by_member(
        selectors.who_does_what(actor=actor), workspace_slug=request.workspace.slug
    )
    rows = [
        _member_row(request, member, hats.get(member.pk, []))
        for member in selectors.member_list(actor=actor)
    ]
    context = {
        "rows": rows,
        "manages": manages,
        "invite_form": invite_form or InviteForm(roles=offered_roles(actor)),
        "invite_link": invite_link,
        "invitations": list(selectors.invitation_list(actor=actor)) if manages else [],
        "now": timezone.now(),
        "job_titles": JOB_TITLE_SUGGESTIONS,
        "me": me,
        "handle_form": handle_form,
    }
    template = "people/_invite_panel.html" if is_htmx(request) else "people/members.html"
    return render(request, template, context, status=status)


@require_GET
@workspace_view
def member_list(request: WorkspaceRequest) -> HttpResponse | StreamingHttpResponse:
    if wants_csv(request):
        return members_csv(request)
    return _members_page(request)


@require_POST
@workspace_view
def member_invite(request: WorkspaceRequest) -> HttpResponse:
    """Invite someone: they join when they accept (in the app, or by the link to share)."""
    actor = request.actor
    form = InviteForm(request.POST, roles=offered_roles(actor))
    if not form.is_valid():
        return _members_page(request, invite_form=form, status=422)
    data = form.cleaned_data
    try:
        invitation, secret = services.invitation_create(
            actor=actor,
            email=data["email"],
            role=data["role"],
            job_title=data["job_title"],
            site=site_url(request),
        )
    except Invalid as error:
        apply_errors(form, error)
        return _members_page(request, invite_form=form, status=422)
    except Conflict as error:
        form.add_error("email", error.detail)
        return _members_page(request, invite_form=form, status=409)
    messages.success(
        request,
        f"Invitation for {invitation.email} created and emailed to them. They join when they "
        "accept it: in Lodestar if they have an account here, or by the link.",
    )
    return _members_page(request, invite_link=invitation_url(request, secret))


@require_POST
@workspace_view
def my_handle(request: WorkspaceRequest) -> HttpResponse:
    """Change one's own handle (the card on the members page)."""
    actor = request.actor
    form = HandleForm(request.POST)
    if form.is_valid():
        try:
            member = services.member_update(
                actor=actor,
                member=actor.membership,
                handle=form.cleaned_data["handle"],
                expected_version=form.cleaned_data["version"],
            )
        except Invalid as error:
            apply_errors(form, error)
        except StaleVersion:
            form.add_error("handle", "Your membership changed meanwhile; reload and try again.")
        else:
            messages.success(request, f"Your handle is @{member.handle}.")
            return redirect("people:member_list", workspace_slug=actor.workspace.slug)
    return _members_page(request, handle_form=form, status=422)


@require_POST
@workspace_view
def member_update(request: WorkspaceRequest, email: str) -> HttpResponse:
    """Change a member's role and job title (a row of the members table)."""
    actor = request.actor
    member = access_member(actor, email)
    submitted = MemberForm(
        request.POST, member=member, roles=offered_roles(actor, current=member.role)
    )
    if _demotes_oneself(request, member, submitted):
        # Nothing saved yet: the row asks first, with a button that sends the change again.
        hats = selectors.hats_by_member(
            selectors.who_does_what(actor=actor), workspace_slug=request.workspace.slug
        ).get(member.pk, [])
        row = _member_row(request, member, hats, submitted) | {"confirm_demotion": True}
        if not is_htmx(request):
            raise Conflict(
                "Changing your own role to a lower one takes your rights away at once; "
                "send confirm=yes to do it."
            )
        return render(request, "people/_member_row.html", {"row": row}, status=409)
    status = _member_save(request, member, submitted)
    # After a save (or a stale one) the row shows the stored values; else the bad input.
    form = submitted if status == 422 else None
    if status == 412:
        member = access_member(actor, email)
    if not is_htmx(request):
        if status != 200:
            raise Invalid(" ".join(_form_errors(form)) or "Reload the page and try again.")
        return redirect("people:member_list", workspace_slug=actor.workspace.slug)
    hats = selectors.hats_by_member(
        selectors.who_does_what(actor=actor), workspace_slug=request.workspace.slug
    ).get(member.pk, [])
    row = _member_row(request, member, hats, form)
    return render(request, "people/_member_row.html", {"row": row}, status=status)


# Higher means more rights; lowering one's own role asks first.
_ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


def _demotes_oneself(request: WorkspaceRequest, member: Membership, form: MemberForm) -> bool:
    """The actor lowers their own role and has not confirmed it yet."""
    if member.pk != request.actor.membership.pk or request.POST.get("confirm") == "yes":
        return False
    if not form.is_valid():
        return False
    if (
        member.role == Role.OWNER
        and selectors.workspace_owners(workspace=member.workspace).count() < 2
    ):
        return False  # the last owner cannot step down at all: the save says so
    return _ROLE_RANK[Role(form.cleaned_data["role"])] < _ROLE_RANK[Role(member.role)]


def _member_save(request: WorkspaceRequest, member: Membership, form: MemberForm) -> int:
    """Save the form through the service; the status says how it went (errors on the form)."""
    if not form.is_valid():
        return 422
    try:
        services.member_update(
            actor=request.actor,
            member=member,
            role=form.cleaned_data["role"],
            job_title=form.cleaned_data["job_title"],
            expected_version=form.cleaned_data["version"],
        )
    except Invalid as error:
        apply_errors(form, error)
        return 422
    except StaleVersion:
        messages.warning(
            request,
            f"Someone else changed {member.user.display_name} meanwhile; "
            "here is the current version.",
        )
        return 412
    messages.success(request, f"Saved {member.user.display_name}.")
    return 200


@require_POST
@workspace_view
def member_remove(request: WorkspaceRequest, email: str) -> HttpResponse:
    actor = request.actor
    member = access_member(actor, email)
    services.member_remove(actor=actor, member=member)
    messages.success(request, f"{member.user.display_name} is no longer a member.")
    if is_htmx(request):
        count = selectors.member_list(actor=actor).count()
        return render(request, "people/_member_removed.html", {"member_count": count})
    return redirect("people:member_list", workspace_slug=actor.workspace.slug)


@require_POST
@workspace_view
def invitation_revoke(request: WorkspaceRequest, invitation_id: int) -> HttpResponse:
    actor = request.actor
    invitation = access_invitation(actor, invitation_id)
    services.invitation_revoke(actor=actor, invitation=invitation)
    messages.success(request, f"The invitation for {invitation.email} no longer works.")
    if is_htmx(request):
        return render(
            request,
            "people/_invitations.html",
            {"invitations": selectors.invitation_list(actor=actor), "now": timezone.now()},
        )
    return redirect("people:member_list", workspace_slug=actor.workspace.slug)


@require_POST
@workspace_view
def invitation_resend(request: WorkspaceRequest, invitation_id: int) -> HttpResponse:
    """Email an open invitation again, with a fresh link (the earlier one stops working)."""
    actor = request.actor
    invitation = access_invitation(actor, invitation_id)
    invitation, secret = services.invitation_resend(
        actor=actor, invitation=invitation, site=site_url(request)
    )
    messages.success(
        request,
        f"Invitation emailed again to {invitation.email}, with a new link; the earlier link "
        "no longer works.",
    )
    return _members_page(request, invite_link=invitation_url(request, secret))


def _form_errors(form: Any) -> list[str]:
    if form is None:
        return []
    return [str(message) for errors in form.errors.values() for message in errors]


# -- teams -------------------------------------------------------------------------------------


def _teams_page(
    request: WorkspaceRequest, form: TeamForm | None = None, status: int = 200
) -> HttpResponse:
    actor = request.actor
    context = {
        "teams": selectors.who_does_what(actor=actor),
        "manages": can(actor, Permission.MANAGE_TEAMS),
        "form": form or TeamForm(),
    }
    template = "people/_team_form.html" if is_htmx(request) else "people/teams.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@workspace_view
def team_list(request: WorkspaceRequest) -> HttpResponse | StreamingHttpResponse:
    """The teams; admins create one by posting here."""
    if request.method == "POST":
        return _team_create(request)
    if wants_csv(request):
        return teams_csv(request)
    return _teams_page(request)


def _team_create(request: WorkspaceRequest) -> HttpResponse:
    form = TeamForm(request.POST)
    if not form.is_valid():
        return _teams_page(request, form, status=422)
    try:
        team = services.team_create(
            actor=request.actor,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        )
    except Invalid as error:
        apply_errors(form, error)
        return _teams_page(request, form, status=422)
    messages.success(request, f"Team {team.name} created. Now give its people their hats.")
    url = reverse("people:team_detail", args=[request.workspace.slug, team.slug])
    if is_htmx(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _team_page(
    request: WorkspaceRequest,
    team_slug: str,
    *,
    hat_form: HatForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    team = access_team(actor, team_slug)
    members = list(selectors.member_list(actor=actor))
    roster = list(selectors.team_roster(actor=actor, team=team))
    groups = [
        (label, [row for row in roster if row.role == hat])
        for hat, label in (
            (TeamRole.SCRUM_MASTER, "Scrum masters"),
            (TeamRole.DEVELOPER, "Developers"),
            (TeamRole.STAKEHOLDER, "Stakeholders"),
        )
    ]
    product = next(iter(shared_owners(actor.workspace_id, [team.pk])), None)
    context = {
        "team": team,
        "product": product,
        "shared_with": selectors.team_names(
            actor=actor, ids=[pk for pk in (product.team_ids if product else []) if pk != team.pk]
        ),
        "groups": groups,
        "assigns": can(actor, Permission.ASSIGN_TEAM_ROLES, teams=[team]),
        "moves_hat": can(actor, Permission.MOVE_PRODUCT_OWNER_HAT),
        "hat_form": hat_form or HatForm(members=members),
        "team_links": [
            (link.label, link.url(request.workspace.slug, team.slug), link.icon)
            for link in sorted(TEAM_LINKS.providers(), key=lambda link: link.order)
        ],
    }
    template = "people/_team_body.html" if is_htmx(request) else "people/team.html"
    return render(request, template, context, status=status)


@require_GET
@workspace_view
def team_detail(request: WorkspaceRequest, team_slug: str) -> HttpResponse:
    return _team_page(request, team_slug)


@require_POST
@workspace_view
def team_hat_add(request: WorkspaceRequest, team_slug: str) -> HttpResponse:
    actor = request.actor
    team = access_team(actor, team_slug)
    form = HatForm(request.POST, members=list(selectors.member_list(actor=actor)))
    if not form.is_valid():
        return _team_page(request, team_slug, hat_form=form, status=422)
    try:
        member = member_ref(actor, form.cleaned_data["member"])
        row = services.team_role_add(
            actor=actor, team=team, member=member, role=form.cleaned_data["role"]
        )
    except (Invalid, Conflict) as error:
        if isinstance(error, Invalid):
            apply_errors(form, error)
        else:
            form.add_error("member", error.detail)
        return _team_page(request, team_slug, hat_form=form, status=error.status)
    messages.success(
        request, f"{member.user.display_name} is now {row.get_role_display().lower()}."
    )
    return _after_team_change(request, team_slug)


@require_POST
@workspace_view
def team_hat_end(request: WorkspaceRequest, team_slug: str) -> HttpResponse:
    actor = request.actor
    team = access_team(actor, team_slug)
    member = member_ref(actor, request.POST.get("member", ""))
    role = request.POST.get("role", "")
    services.team_role_end(actor=actor, team=team, member=member, role=role)
    messages.success(request, f"{member.user.display_name} no longer wears that hat in {team}.")
    return _after_team_change(request, team_slug)


def _after_team_change(request: WorkspaceRequest, team_slug: str) -> HttpResponse:
    if is_htmx(request):
        return _team_page(request, team_slug)
    return redirect(
        "people:team_detail", workspace_slug=request.workspace.slug, team_slug=team_slug
    )


# -- who does what -----------------------------------------------------------------------------


@require_GET
@workspace_view
def who_does_what(request: WorkspaceRequest) -> HttpResponse:
    actor = request.actor
    teams = selectors.who_does_what(actor=actor)
    managers = teams[0].product_managers if teams else selectors.product_manager_list(actor=actor)
    hats = selectors.hats_by_member(teams, workspace_slug=request.workspace.slug)
    return render(
        request,
        "people/who_does_what.html",
        {
            "teams": teams,
            "products": selectors.by_product(teams),
            "managers": [(member, hats.get(member.pk, [])) for member in managers],
        },
    )
