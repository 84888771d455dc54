"""The public feedback portal of a product: its setting, the ideas the team published on it,
what visitors submitted (the moderation queue) and their votes.

Nothing here is public by itself: the portal's pages read only ``Portal`` (when enabled) and
the published ``PortalIdea`` rows with their confirmed vote counts. A submission keeps the
visitor's email for the team (it lands as feedback from a contact); a vote keeps it so that one
address counts once per idea (a database constraint, whatever the requests).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from lodestar.core.models import BaseModel


class Portal(BaseModel):
    """A product's portal setting: off until the team turns it on."""

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="portals"
    )
    product = models.OneToOneField(
        "strategy.Product", on_delete=models.CASCADE, related_name="portal"
    )
    enabled = models.BooleanField(default=False)
    title = models.CharField(max_length=120, blank=True)
    intro = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title or f"portal {self.product_id}"


class IdeaStatus(models.TextChoices):
    UNDER_REVIEW = "under_review", "Under review"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    RELEASED = "released", "Released"
    CLOSED = "closed", "Closed"


class PortalIdea(BaseModel):
    """An idea as the public reads it: a public title and description (plain text, written or
    approved by the team) and a public status. ``published`` False hides it from the portal.

    The team may link it to the customer problem it is (``problem``): its confirmed votes then
    count in the problem's evidence, and its public status follows the problem's
    (``portal_links``) unless the team set it by hand (``status_by_hand``). Nothing of the
    problem is ever read by a public page."""

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="portal_ideas"
    )
    product = models.ForeignKey(
        "strategy.Product", on_delete=models.CASCADE, related_name="portal_ideas"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=IdeaStatus.choices, default=IdeaStatus.UNDER_REVIEW
    )
    published = models.BooleanField(default=True)
    problem = models.ForeignKey(
        "discovery.Problem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_ideas",
    )
    status_by_hand = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=IdeaStatus.values), name="portal_idea_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["product", "published", "-id"])]

    def __str__(self) -> str:
        return self.title


class SubmissionState(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Waiting for the email confirmation"
    QUEUED = "queued", "Waiting for moderation"
    PUBLISHED = "published", "Published"
    MERGED = "merged", "Merged"
    REJECTED = "rejected", "Rejected"


class PortalSubmission(BaseModel):
    """An idea a visitor submitted. Unconfirmed until its email link is followed; then it is
    feedback (``feedback``, source ``portal``) waiting in the moderation queue, until a writer
    publishes it as a new idea, merges it into an existing one (``idea``) or rejects it."""

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="portal_submissions"
    )
    product = models.ForeignKey(
        "strategy.Product", on_delete=models.CASCADE, related_name="portal_submissions"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    email = models.CharField(max_length=254)
    state = models.CharField(
        max_length=16, choices=SubmissionState.choices, default=SubmissionState.UNCONFIRMED
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    feedback = models.ForeignKey(
        "discovery.Feedback", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idea = models.ForeignKey(
        PortalIdea, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=SubmissionState.values), name="portal_submission_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["product", "state", "-id"])]

    def __str__(self) -> str:
        return self.title


class PortalVote(models.Model):
    """One email address's vote for one idea: counted once confirmed. The unique pair makes a
    second vote from the same address (a replayed request, a second link) count nothing."""

    idea = models.ForeignKey(PortalIdea, on_delete=models.CASCADE, related_name="votes")
    email = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "email"], name="portal_vote_once_per_email"),
        ]
        indexes = [models.Index(fields=["idea", "confirmed_at"])]

    def __str__(self) -> str:
        return f"vote {self.pk} for idea {self.idea_id}"
