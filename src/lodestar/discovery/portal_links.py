"""Portal ideas linked to the customer problems they are.

A writer who moderates the portal links an idea to a problem (one problem per idea; a problem
gathers any number of ideas). The link does two things and no more:

- the idea's confirmed votes count in the problem's evidence as ``votes`` (distinct voter
  emails over its linked ideas, ``selectors.problem_evidence``), apart from the customers and
  ARR its insights give;
- the idea's public status follows the problem's (``PUBLIC_STATUS``), unless the team set the
  idea's status by hand (``status_by_hand``) after publishing it; choosing "follow the problem"
  again (``idea_status_set(status=None)``) hands it back.

Nothing of the problem reaches the public: the portal's pages read the idea's own fields only.
Every link and unlink is recorded in both histories (and so published as events).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Invalid
from lodestar.core.history import history_record
from lodestar.core.models import HistoryEntry
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.models import Problem, ProblemStatus
from lodestar.discovery.permissions import DiscoveryPermission
from lodestar.discovery.portal_models import IdeaStatus, PortalIdea
from lodestar.people.policy import Actor, require

Action = HistoryEntry.Action

# What the public reads of a problem's status. A new problem is still under review; a
# validated one is worth solving, so it is planned; won't solve closes the idea.
PUBLIC_STATUS: dict[str, str] = {
    ProblemStatus.NEW: IdeaStatus.UNDER_REVIEW,
    ProblemStatus.VALIDATED: IdeaStatus.PLANNED,
    ProblemStatus.SOLVING: IdeaStatus.IN_PROGRESS,
    ProblemStatus.SOLVED: IdeaStatus.RELEASED,
    ProblemStatus.WONT_SOLVE: IdeaStatus.CLOSED,
}


def public_status_of(problem: Problem) -> str:
    return PUBLIC_STATUS[problem.status]


def _record(actor: Actor, obj: PortalIdea | Problem, changes: Mapping[str, object]) -> None:
    history_record(
        actor=actor.user,
        workspace_id=actor.workspace_id,
        obj=obj,
        action=Action.UPDATED,
        changes=dict(changes),
    )


def idea_problem_label(problem: Problem | None) -> str | None:
    return problem.title if problem is not None else None


def _check_pair(actor: Actor, idea: PortalIdea, problem: Problem) -> None:
    """The idea and the problem belong together: one workspace (the gates already answered
    404 for anything else; this refuses a caller that skipped them) and, when the problem is
    a product's, the idea's portal is that product's."""
    if idea.workspace_id != actor.workspace_id:
        raise Invalid.field("idea", "is not in this workspace", code=Code.PORTAL_IDEA_INVALID)
    if problem.workspace_id != actor.workspace_id:
        raise Invalid.field("problem", "is not in this workspace", code=Code.PORTAL_IDEA_INVALID)
    if problem.product_id is not None and problem.product_id != idea.product_id:
        raise Invalid.field(
            "idea",
            f"is an idea of {idea.product.key}'s portal; this problem is "
            f"{problem.product.key if problem.product else ''}'s (link an idea of its own portal)",
            code=Code.PORTAL_IDEA_PRODUCT_MISMATCH,
        )


def _follow(idea: PortalIdea, problem: Problem | None) -> list[str]:
    """Move a following idea's status to its problem's; the fields it changed."""
    if problem is None or idea.status_by_hand:
        return []
    status = public_status_of(problem)
    if idea.status == status:
        return []
    idea.status = status
    return ["status"]


@transaction.atomic
def idea_problem_link(
    *, actor: Actor, idea: PortalIdea, problem: Problem, expected_version: int | None = None
) -> bool:
    """Link ``idea`` to ``problem`` (moving it from the problem it was linked to, if any);
    False when it was linked to it already. A following idea takes the problem's status."""
    require(actor, DiscoveryPermission.MODERATE_PORTAL, product=idea.product)
    _check_pair(actor, idea, problem)
    idea = (
        PortalIdea.objects.select_for_update(of=("self",)).select_related("product").get(pk=idea.pk)
    )
    check_version(idea, expected_version)
    if idea.problem_id == problem.pk:
        return False
    before_problem = idea.problem
    before_status = idea.status
    idea.problem = problem
    fields = ["problem", *_follow(idea, problem)]
    bump(idea, fields)
    changes: dict[str, object] = {"problem": [idea_problem_label(before_problem), problem.title]}
    if idea.status != before_status:
        changes["status"] = [before_status, idea.status]
    _record(actor, idea, changes)
    _record(actor, problem, {"portal_ideas": [None, [idea.title]]})
    if before_problem is not None:
        _record(actor, before_problem, {"portal_ideas": [[idea.title], None]})
    return True


@transaction.atomic
def idea_problem_unlink(
    *, actor: Actor, idea: PortalIdea, problem: Problem, expected_version: int | None = None
) -> bool:
    """Unlink ``idea`` from ``problem``; False when it was not linked to it. The public status
    stays what it is (the team moves it by hand from there)."""
    require(actor, DiscoveryPermission.MODERATE_PORTAL, product=idea.product)
    _check_pair(actor, idea, problem)
    idea = (
        PortalIdea.objects.select_for_update(of=("self",)).select_related("product").get(pk=idea.pk)
    )
    check_version(idea, expected_version)
    if idea.problem_id != problem.pk:
        return False
    idea.problem = None
    bump(idea, ["problem"])
    _record(actor, idea, {"problem": [problem.title, None]})
    _record(actor, problem, {"portal_ideas": [[idea.title], None]})
    return True


@transaction.atomic
def idea_status_set(
    *,
    actor: Actor,
    idea: PortalIdea,
    status: str | None,
    expected_version: int | None = None,
) -> PortalIdea:
    """Set the idea's public status by hand (it then stays, whatever its problem does), or,
    with ``status`` None, let it follow its problem again (taking the problem's status now;
    an idea with no problem keeps its status)."""
    require(actor, DiscoveryPermission.MODERATE_PORTAL, product=idea.product)
    if idea.workspace_id != actor.workspace_id:
        raise Invalid.field("idea", "is not in this workspace", code=Code.PORTAL_IDEA_INVALID)
    if status is not None and status not in IdeaStatus.values:
        raise Invalid.field(
            "status",
            f"must be one of {', '.join(IdeaStatus.values)}, or null to follow the problem",
            code=Code.PORTAL_IDEA_INVALID,
        )
    idea = (
        PortalIdea.objects.select_for_update(of=("self",))
        .select_related("product", "problem")
        .get(pk=idea.pk)
    )
    check_version(idea, expected_version)
    before = {"status": idea.status, "status_by_hand": idea.status_by_hand}
    if status is None:
        idea.status_by_hand = False
        _follow(idea, idea.problem)
    else:
        idea.status, idea.status_by_hand = status, True
    changes = {
        name: [old, getattr(idea, name)]
        for name, old in before.items()
        if getattr(idea, name) != old
    }
    if changes:
        bump(idea, list(changes))
        _record(actor, idea, changes)
    return idea


def ideas_follow_problem(*, actor: Actor, problem: Problem) -> int:
    """After ``problem``'s status changed: move the status of each idea linked to it that
    follows it (not set by hand), each recorded in the idea's history. Returns how many
    moved. Called by ``services.problem_update`` inside its transaction."""
    status = public_status_of(problem)
    moved = 0
    following = (
        PortalIdea.objects.select_for_update(of=("self",))
        .filter(problem=problem, status_by_hand=False)
        .exclude(status=status)
        .order_by("pk")
    )
    for idea in following:
        before = idea.status
        idea.status = status
        bump(idea, ["status"])
        _record(actor, idea, {"status": [before, status], "follows": problem.title})
        moved += 1
    return moved
