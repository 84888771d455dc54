"""What the people context declares: its kinds of object, its pages in the sidebar, its demo,
and the policy that decides every permission named in any context's declarations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from lodestar.core.registry import Demo, NavEntry, ObjectType, PeriodicTask, Plugin
from lodestar.people import access, activity, demo
from lodestar.people.models import ApiToken, Invitation, Membership, Team, Workspace
from lodestar.people.policy import Permission, require


def _authorize(actor: Any, permission: str, *, teams: Any = None, product: Any = None) -> None:
    require(actor, permission, teams=teams, product=product)


def _team_url(team: Team) -> str:
    return reverse(
        "people:team_detail", kwargs={"workspace_slug": team.workspace.slug, "team_slug": team.slug}
    )


def _members_url(member: Membership) -> str:
    return reverse("people:member_list", kwargs={"workspace_slug": member.workspace.slug})


def _int_ref(gate: Any) -> Any:
    """A gate by numeric id, for objects whose reference is their id."""

    def by_id(actor: Any, ref: str) -> Any:
        # No row has id 0: a reference that is not a number gets the gate's own 404.
        return gate(actor, int(ref) if ref.isdigit() else 0)

    return by_id


VIEW = Permission.VIEW.value
MANAGE_MEMBERS = Permission.MANAGE_MEMBERS.value
MANAGE_TEAMS = Permission.MANAGE_TEAMS.value

PLUGIN = Plugin(
    name="people",
    urls=["lodestar.people.urls"],
    api=["lodestar.people.api"],
    objects=[
        ObjectType(
            name="workspace",
            model=Workspace,
            label="workspace",
            title=str,
            workspace="pk",
            permissions={"view": VIEW, "change": Permission.MANAGE_WORKSPACE.value},
            describe=activity.describe_workspace,
        ),
        ObjectType(
            name="member",
            model=Membership,
            label="member",
            title=lambda member: member.user.display_name,
            gate=access.access_member,
            permissions={"view": VIEW, "change": MANAGE_MEMBERS, "delete": MANAGE_MEMBERS},
            url=_members_url,
            describe=activity.describe_membership,
        ),
        ObjectType(
            name="invitation",
            model=Invitation,
            label="invitation",
            title=lambda invitation: invitation.email,
            gate=_int_ref(access.access_invitation),
            permissions={"view": MANAGE_MEMBERS, "delete": MANAGE_MEMBERS},
            describe=activity.describe_invitation,
        ),
        ObjectType(
            name="team",
            model=Team,
            label="team",
            title=str,
            gate=access.access_team,
            permissions={"view": VIEW, "change": MANAGE_TEAMS, "delete": MANAGE_TEAMS},
            url=_team_url,
            ref=lambda team: team.slug,
            describe=activity.describe_team,
        ),
        ObjectType(
            name="api-token",
            model=ApiToken,
            label="API token",
            title=str,
            gate=_int_ref(access.access_token),
            permissions={"view": Permission.CREATE_OWN_TOKENS.value},
        ),
    ],
    navigation=[
        NavEntry("home", "Home", "people:workspace_home", icon="home", order=10, exact=True),
        NavEntry("members", "Members", "people:member_list", icon="users", order=20),
        NavEntry("teams", "Teams", "people:team_list", icon="team", order=30),
        NavEntry("who", "Who does what", "people:who_does_what", icon="hat", order=40),
        NavEntry("settings", "Settings", "people:workspace_settings", icon="key", order=90),
    ],
    demo=Demo(seed=lambda world: demo.seed()),
    authorizer=_authorize,
    # Tells each token's holder, a week ahead, that it will stop working.
    periodic=[PeriodicTask("lodestar.people.tasks.warn_expiring_tokens", dt.timedelta(days=1))],
)
