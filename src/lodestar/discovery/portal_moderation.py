"""The team's moderation of a product's portal: what members who may write do with confirmed
submissions (publish as a new idea, merge into an existing one, reject) and with ideas (post
one, reword it, move its public status, hide it). The feedback behind a submission stays in
the inbox: triaged when published or merged, archived when rejected."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Conflict, Invalid
from lodestar.core.history import changes_since, snapshot
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.models import FeedbackState, Problem
from lodestar.discovery.permissions import DiscoveryPermission
from lodestar.discovery.portal_links import idea_problem_link
from lodestar.discovery.portal_models import (
    IdeaStatus,
    PortalIdea,
    PortalSubmission,
    SubmissionState,
)
from lodestar.discovery.portal_services import (
    IDEA_DESCRIPTION_MAX,
    IDEA_TITLE_MAX,
    Action,
    _all_fields,
    _one_line,
    _plain,
    _record,
    _same_workspace,
)
from lodestar.discovery.services import feedback_update
from lodestar.people.policy import Actor, require


def _idea_fields(title: str | None, description: str | None) -> tuple[str, str]:
    clean_title, clean_description = _all_fields(
        [
            lambda: _one_line(
                title, "title", IDEA_TITLE_MAX, Code.PORTAL_IDEA_INVALID, required=True
            ),
            lambda: _plain(
                description,
                "description",
                IDEA_DESCRIPTION_MAX,
                Code.PORTAL_IDEA_INVALID,
                required=False,
            ),
        ]
    )
    return clean_title, clean_description


def _status(value: str) -> str:
    if value not in IdeaStatus.values:
        raise Invalid.field(
            "status",
            f"must be one of {', '.join(IdeaStatus.values)}",
            code=Code.PORTAL_IDEA_INVALID,
        )
    return value


def _queued(actor: Actor, submission: PortalSubmission) -> PortalSubmission:
    require(actor, DiscoveryPermission.MODERATE_PORTAL, product=submission.product)
    _same_workspace(actor, "submission", submission)
    locked: PortalSubmission = PortalSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.state != SubmissionState.QUEUED:
        raise Conflict(
            f"This submission is {locked.get_state_display().lower()} already.",
            code=Code.PORTAL_SUBMISSION_DECIDED,
        )
    return locked


def _decide(
    actor: Actor, submission: PortalSubmission, state: str, idea: PortalIdea | None
) -> PortalSubmission:
    submission.state = state
    submission.idea = idea
    submission.decided_by = actor.user
    submission.decided_at = timezone.now()
    bump(submission, ["state", "idea", "decided_by", "decided_at"])
    _record(
        actor,
        actor.workspace_id,
        submission,
        Action.UPDATED,
        {"state": [SubmissionState.QUEUED.value, state], "idea": idea.pk if idea else None},
    )
    if submission.feedback is not None and submission.feedback.deleted_at is None:
        triage = (
            FeedbackState.ARCHIVED if state == SubmissionState.REJECTED else FeedbackState.TRIAGED
        )
        if submission.feedback.state != triage:
            feedback_update(actor=actor, feedback=submission.feedback, state=triage)
    return submission


def _problem_for(actor: Actor, product: Any, problem: Problem | None) -> None:
    """Refuse, before anything is written, a problem that cannot take an idea of ``product``."""
    if problem is None:
        return
    if problem.workspace_id != actor.workspace_id:
        raise Invalid.field("problem", "is not in this workspace", code=Code.PORTAL_IDEA_INVALID)
    if problem.product_id is not None and problem.product_id != product.pk:
        raise Invalid.field(
            "problem",
            f"is a problem of {problem.product.key if problem.product else ''}; the idea is "
            f"on {product.key}'s portal",
            code=Code.PORTAL_IDEA_PRODUCT_MISMATCH,
        )


@transaction.atomic
def idea_create(
    *,
    actor: Actor,
    product: Any,
    title: str,
    description: str = "",
    status: str | None = None,
    problem: Problem | None = None,
) -> PortalIdea:
    """An idea the team posts on the product's portal itself (what it plans, say), published.
    With ``problem`` it is linked to it at once: its status follows the problem's unless
    ``status`` is given (then it is set by hand); without, ``status`` is where it starts
    (under review by default)."""
    require(actor, DiscoveryPermission.MODERATE_PORTAL, product=product)
    _same_workspace(actor, "product", product)
    checked = _all_fields(
        [
            lambda: _idea_fields(title, description),
            lambda: None if status is None else _status(status),
            lambda: _problem_for(actor, product, problem),
        ]
    )
    clean_title, clean_description = checked[0]
    idea: PortalIdea = PortalIdea.objects.create(
        workspace_id=actor.workspace_id,
        product=product,
        title=clean_title,
        description=clean_description,
        status=status or IdeaStatus.UNDER_REVIEW,
        status_by_hand=status is not None and problem is not None,
        created_by=actor.user,
    )
    _record(actor, actor.workspace_id, idea, Action.CREATED, {"title": idea.title})
    if problem is not None:
        idea_problem_link(actor=actor, idea=idea, problem=problem)
        idea.refresh_from_db()
    return idea


@transaction.atomic
def submission_publish(
    *,
    actor: Actor,
    submission: PortalSubmission,
    title: str | None = None,
    description: str | None = None,
    status: str | None = None,
    problem: Problem | None = None,
) -> PortalIdea:
    """Publish a queued submission as a new public idea, worded as given (the visitor's words
    by default), linked to ``problem`` when given (see ``idea_create`` for its status)."""
    submission = _queued(actor, submission)
    idea = idea_create(
        actor=actor,
        product=submission.product,
        title=submission.title if title is None else title,
        description=submission.description if description is None else description,
        status=status,
        problem=problem,
    )
    _decide(actor, submission, SubmissionState.PUBLISHED, idea)
    return idea


@transaction.atomic
def submission_merge(
    *,
    actor: Actor,
    submission: PortalSubmission,
    idea: PortalIdea,
    problem: Problem | None = None,
) -> PortalSubmission:
    """Merge a queued submission into an existing idea of the same product; with ``problem``,
    link that idea to it as well."""
    submission = _queued(actor, submission)
    if idea.workspace_id != actor.workspace_id or idea.product_id != submission.product_id:
        raise Invalid.field(
            "idea", "is not an idea of this product's portal", code=Code.PORTAL_IDEA_INVALID
        )
    _problem_for(actor, submission.product, problem)
    if problem is not None:
        idea_problem_link(actor=actor, idea=idea, problem=problem)
    return _decide(actor, submission, SubmissionState.MERGED, idea)


@transaction.atomic
def submission_reject(*, actor: Actor, submission: PortalSubmission) -> PortalSubmission:
    """Reject a queued submission: it is never shown; its feedback is archived."""
    submission = _queued(actor, submission)
    return _decide(actor, submission, SubmissionState.REJECTED, None)


_IDEA_FIELDS = ["title", "description", "status", "status_by_hand", "published"]


@transaction.atomic
def idea_update(
    *,
    actor: Actor,
    idea: PortalIdea,
    title: str | None = None,
    description: str | None = None,
    status: str | None = None,
    published: bool | None = None,
    expected_version: int | None = None,
) -> PortalIdea:
    """Reword an idea, move its public status (by hand: it then no longer follows its problem),
    or hide it from the portal (``published``)."""
    require(actor, DiscoveryPermission.MODERATE_PORTAL, product=idea.product)
    _same_workspace(actor, "idea", idea)
    check_version(idea, expected_version)
    before = snapshot(idea, _IDEA_FIELDS)
    clean_title, clean_description = _idea_fields(
        idea.title if title is None else title,
        idea.description if description is None else description,
    )
    idea.title, idea.description = clean_title, clean_description
    if status is not None and _status(status) != idea.status:
        idea.status, idea.status_by_hand = status, True
    if published is not None:
        idea.published = bool(published)
    changes = changes_since(idea, before)
    if changes:
        bump(idea, list(changes))
        _record(actor, actor.workspace_id, idea, Action.UPDATED, changes)
    return idea
