"""What the sprints context declares: sprints as workspace objects (history in words,
search), its permission, the hourly snapshot of active sprints, and the velocity the backlog's
Definition of Ready asks for."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from lodestar.backlog.extensions import VELOCITY, VelocitySource
from lodestar.core.registry import Demo, NavEntry, ObjectType, PeriodicTask, Plugin, SearchDocument
from lodestar.people.extensions import TEAM_LINKS, TeamLink
from lodestar.sprints import demo, history_words
from lodestar.sprints.access import access_sprint
from lodestar.sprints.models import Sprint
from lodestar.sprints.permissions import PERMISSIONS, SprintPermission
from lodestar.sprints.selectors import product_velocity


def _search(sprint: Sprint) -> SearchDocument:
    return SearchDocument(
        title=f"{sprint.team.name}: {sprint.name}",
        body="\n".join(
            part for part in (sprint.goal, sprint.review_notes, sprint.retrospective_notes) if part
        ),
        updated_at=sprint.updated_at,
        facets={"product": sprint.product.key},
    )


def _sprint_url(sprint: Sprint) -> str:
    return reverse(
        "sprints:report",
        kwargs={"workspace_slug": sprint.workspace.slug, "sprint_id": sprint.pk},
    )


PLUGIN = Plugin(
    name="sprints",
    urls=["lodestar.sprints.urls", "lodestar.sprints.flow_urls"],
    api=["lodestar.sprints.api"],
    navigation=[NavEntry("sprints", "Sprints", "sprints:home", icon="clock", order=55)],
    permissions=PERMISSIONS,
    periodic=[PeriodicTask("lodestar.sprints.tasks.take_sprint_snapshots", dt.timedelta(hours=1))],
    objects=[
        ObjectType(
            name="sprint",
            model=Sprint,
            label="sprint",
            title=lambda sprint: f"{sprint.team.name}: {sprint.name}",
            gate=access_sprint,
            url=_sprint_url,
            permissions={
                "view": "view",
                "change": SprintPermission.CHANGE_SPRINT,
                "comment": "edit_content",
            },
            teams=lambda sprint: [sprint.team],
            product=lambda sprint: sprint.product,
            describe=history_words.describe,
            search=_search,
            search_related=("team", "product"),
            commentable=True,
        ),
    ],
    provides=[
        (VELOCITY, VelocitySource("sprints", velocity=product_velocity, order=10)),
        (
            TEAM_LINKS,
            TeamLink(
                "flow",
                "Flow and forecasts",
                lambda ws, team: reverse("sprint_flow:team", args=[ws, team]),
                icon="clock",
                order=20,
            ),
        ),
    ],
    demo=Demo(seed=demo.seed_world, after=("backlog",)),
)
