"""The gate that fetches a sprint for an actor: missing or in another workspace answer 404
alike."""

from __future__ import annotations

from lodestar.core.errors import NotFound
from lodestar.people.policy import Actor
from lodestar.sprints.errors import SprintErrorCode as Code
from lodestar.sprints.models import Sprint


def access_sprint(actor: Actor, ref: int | str) -> Sprint:
    """The sprint ``ref`` (its id) of the actor's workspace, with its team and product."""
    try:
        number = int(str(ref).strip())
    except ValueError:
        number = 0
    found = None
    if 0 < number < 2**63:
        found = (
            Sprint.objects.select_related("team", "product", "product_goal")
            .filter(workspace_id=actor.workspace_id, pk=number)
            .first()
        )
    if found is None:
        raise NotFound(f"No sprint {ref} in this workspace.", code=Code.SPRINT_NOT_FOUND)
    return found
