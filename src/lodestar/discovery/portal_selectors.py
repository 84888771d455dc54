"""Every read of the portal: what the public sees (published ideas and their confirmed vote
counts, nothing else) and what the team moderates."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from lodestar.discovery.portal_models import (
    Portal,
    PortalIdea,
    PortalSubmission,
    SubmissionState,
)
from lodestar.people.policy import Actor

# The public page lists at most this many ideas (the most voted first).
PUBLIC_IDEAS_MAX = 200

_VOTES = Count("votes", filter=Q(votes__confirmed_at__isnull=False), distinct=True)


def public_ideas(portal: Portal) -> QuerySet[PortalIdea]:
    """The published ideas of ``portal``, most voted first, with ``vote_count``: only the
    public fields are read (``only``), so nothing else can reach a public page."""
    return (
        PortalIdea.objects.filter(product_id=portal.product_id, published=True)
        .only("id", "title", "description", "status", "product_id")
        .annotate(vote_count=_VOTES)
        .order_by("-vote_count", "-id")[:PUBLIC_IDEAS_MAX]
    )


def public_vote_count(idea: PortalIdea) -> int:
    return idea.votes.filter(confirmed_at__isnull=False).count()


def moderation_queue(*, actor: Actor, product_id: int) -> QuerySet[PortalSubmission]:
    """Confirmed submissions of the product waiting for a decision, oldest first."""
    return (
        PortalSubmission.objects.filter(
            workspace_id=actor.workspace_id, product_id=product_id, state=SubmissionState.QUEUED
        )
        .select_related("feedback__customer")
        .order_by("confirmed_at", "id")
    )


def recent_decisions(
    *, actor: Actor, product_id: int, limit: int = 20
) -> QuerySet[PortalSubmission]:
    """The product's last decided submissions, newest first."""
    return (
        PortalSubmission.objects.filter(
            workspace_id=actor.workspace_id,
            product_id=product_id,
            state__in=[
                SubmissionState.PUBLISHED,
                SubmissionState.MERGED,
                SubmissionState.REJECTED,
            ],
        )
        .select_related("idea", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def portal_idea_list(*, actor: Actor, product_id: int | None = None) -> QuerySet[PortalIdea]:
    """Every idea of the product (of the workspace without one), published or hidden, most
    voted first, with ``vote_count`` and ``submission_count`` (how many submissions it
    gathers)."""
    rows = PortalIdea.objects.filter(workspace_id=actor.workspace_id)
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    return (
        rows.select_related("product", "problem")
        .annotate(
            vote_count=_VOTES,
            submission_count=Count("submissions", distinct=True),
        )
        .order_by("-published", "-vote_count", "-id")
    )


def problem_portal_ideas(*, actor: Actor, problem_id: int) -> QuerySet[PortalIdea]:
    """The portal ideas linked to the problem (published or hidden), most voted first, with
    ``vote_count``."""
    return (
        PortalIdea.objects.filter(workspace_id=actor.workspace_id, problem_id=problem_id)
        .select_related("product")
        .annotate(vote_count=_VOTES, submission_count=Count("submissions", distinct=True))
        .order_by("-vote_count", "-id")
    )


def submission_list(*, actor: Actor, product_id: int, state: str) -> QuerySet[PortalSubmission]:
    """The product's confirmed submissions in ``state`` (never the unconfirmed ones)."""
    return PortalSubmission.objects.filter(
        workspace_id=actor.workspace_id, product_id=product_id, state=state
    ).select_related("product", "feedback__customer", "idea", "decided_by")
