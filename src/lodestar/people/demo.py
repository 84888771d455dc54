"""The people of the demo workspace "Acme Analytics": who they are, their jobs and their hats.

``seed()`` creates them through the services, so the change history reads as it would in real
use; ``lodestar demo`` calls it, then the other contexts' demo seeds with the result. The hats
are then dated back a few months so the "who does what" page shows lived-in teams. The product
owner hat is a product's, so the product's demo gives it (``strategy.demo``): Priya, the
product manager, wore it until she handed it to Quinn, a QA engineer. Priya works with the
Insights team (a stakeholder's hat there); Checkout has no product manager.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.core.models import HistoryEntry
from lodestar.people import services
from lodestar.people.extensions import shared_owners
from lodestar.people.models import (
    Membership,
    Role,
    Team,
    TeamMembership,
    TeamRole,
    User,
    Workspace,
)
from lodestar.people.policy import Actor

DEMO_WORKSPACE_SLUG = "acme"
DEMO_PASSWORD = "lodestar-demo"  # noqa: S105 - printed for everyone to use; demo data only


@dataclass(frozen=True)
class DemoPerson:
    key: str
    email: str
    full_name: str
    job_title: str
    role: Role


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("olivia", "olivia@acme.example", "Olivia Okafor", "Founder", Role.OWNER),
    DemoPerson("priya", "priya@acme.example", "Priya Raman", "Product Manager", Role.ADMIN),
    DemoPerson("quinn", "quinn@acme.example", "Quinn Alvarez", "QA Engineer", Role.MEMBER),
    DemoPerson("diego", "diego@acme.example", "Diego Santos", "Engineer", Role.MEMBER),
    DemoPerson("dana", "dana@acme.example", "Dana Kim", "Engineer", Role.MEMBER),
    DemoPerson("sam", "sam@acme.example", "Sam Whitfield", "Engineer", Role.MEMBER),
    DemoPerson("lee", "lee@acme.example", "Lee Chen", "Engineer", Role.MEMBER),
    DemoPerson("victor", "victor@acme.example", "Victor Haddad", "Sales Lead", Role.VIEWER),
)

TEAMS: dict[str, tuple[str, str]] = {
    "checkout": ("Checkout", "Plans, payments and the checkout flow customers pay through."),
    "insights": ("Insights", "The dashboards and reports customers analyse their data with."),
}

# The hats worn in teams, as (team, person, hat); the product owner hat is the product's.
HATS: tuple[tuple[str, str, TeamRole], ...] = (
    ("checkout", "sam", TeamRole.SCRUM_MASTER),
    ("checkout", "diego", TeamRole.DEVELOPER),
    ("checkout", "dana", TeamRole.DEVELOPER),
    ("checkout", "victor", TeamRole.STAKEHOLDER),
    ("insights", "sam", TeamRole.SCRUM_MASTER),
    ("insights", "lee", TeamRole.DEVELOPER),
    ("insights", "dana", TeamRole.DEVELOPER),
    ("insights", "victor", TeamRole.STAKEHOLDER),
    ("insights", "priya", TeamRole.STAKEHOLDER),
)

# How long ago the teams formed.
TEAMS_FORMED_DAYS_AGO = 330


@dataclass
class DemoPeople:
    """What ``seed`` created: the workspace, its users and members by first name, its teams."""

    workspace: Workspace
    users: dict[str, User]
    members: dict[str, Membership]
    teams: dict[str, Team]

    def actor(self, key: str) -> Actor:
        """The demo person ``key`` (e.g. ``"priya"``) acting in the demo workspace."""
        return Actor(user=self.users[key], membership=self.members[key])


@transaction.atomic
def seed() -> DemoPeople:
    """Create the Acme Analytics workspace with its people, teams and hats."""
    users = {
        person.key: services.user_create(
            email=person.email, password=DEMO_PASSWORD, full_name=person.full_name
        )
        for person in PEOPLE
    }
    founder = PEOPLE[0]
    workspace = services.workspace_create(
        slug=DEMO_WORKSPACE_SLUG, name="Acme Analytics", owner=users[founder.key]
    )
    members = {founder.key: Membership.objects.get(workspace=workspace, user=users[founder.key])}
    owner = Actor(user=users[founder.key], membership=members[founder.key])
    services.member_update(actor=owner, member=members[founder.key], job_title=founder.job_title)
    for person in PEOPLE[1:]:
        members[person.key] = services.member_add(
            actor=owner, email=person.email, role=person.role, job_title=person.job_title
        )
    people = DemoPeople(workspace=workspace, users=users, members=members, teams={})
    admin = people.actor("priya")
    for slug, (name, description) in TEAMS.items():
        people.teams[slug] = services.team_create(
            actor=admin, name=name, slug=slug, description=description
        )
    for team, key, hat in HATS:
        services.team_role_add(actor=admin, team=people.teams[team], member=members[key], role=hat)
    _date_back(people)
    return people


def _date_back(people: DemoPeople) -> None:
    """Move the seed's timestamps to when the teams formed, a few months ago."""
    formed = timezone.now() - dt.timedelta(days=TEAMS_FORMED_DAYS_AGO)
    workspace = people.workspace
    Workspace.objects.filter(pk=workspace.pk).update(created_at=formed, updated_at=formed)
    Membership.objects.filter(workspace=workspace).update(created_at=formed, updated_at=formed)
    Team.objects.filter(workspace=workspace).update(created_at=formed, updated_at=formed)
    TeamMembership.objects.filter(team__workspace=workspace).update(started_at=formed)
    HistoryEntry.objects.filter(workspace=workspace).update(created_at=formed)
    for team in people.teams.values():
        team.refresh_from_db()


def logins() -> list[dict[str, Any]]:
    """The demo people who exist in the demo workspace: email, name, job, role and hats."""
    emails = [person.email for person in PEOPLE]
    members = {
        member.user.email: member
        for member in Membership.objects.select_related("user").filter(
            workspace__slug=DEMO_WORKSPACE_SLUG, user__email__in=emails
        )
    }
    hats: dict[str, list[str]] = {}
    workspace_id = next(iter(members.values())).workspace_id if members else 0
    team_ids = list(Team.objects.filter(workspace_id=workspace_id).values_list("pk", flat=True))
    for owner in shared_owners(workspace_id, team_ids):
        if owner.current is not None:
            hats.setdefault(owner.current.member.user.email, []).append(
                f"product owner of {owner.product_key}"
            )
    for row in (
        TeamMembership.objects.select_related("team", "member__user")
        .filter(team__workspace__slug=DEMO_WORKSPACE_SLUG, ended_at__isnull=True)
        .exclude(role=TeamRole.PRODUCT_OWNER)
        .order_by("team__name", "role")
    ):
        label = TeamRole(row.role).label.lower()
        hats.setdefault(row.member.user.email, []).append(f"{label} of {row.team.name}")
    return [
        {
            "email": email,
            "name": members[email].user.full_name,
            "job_title": members[email].job_title,
            "role": members[email].role,
            "hats": hats.get(email, []),
        }
        for email in emails
        if email in members
    ]
