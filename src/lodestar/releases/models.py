"""Releases of a product: what goes live together, when, and whether it is ready.

A release holds backlog items of its product (a release spans sprints and teams). An item is in
at most one release at a time, unless dropped from it: a dropped item stays listed in the
release with the reason, and is free for another. The product's own go-live checks are kept per
product and ticked per release.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from lodestar.core.db import RankField
from lodestar.core.models import BaseModel


class ReleaseState(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    LIVE = "live", "Live"
    CANCELLED = "cancelled", "Cancelled"


class Release(BaseModel):
    """A release of a product: its name or version (unique in the product, any letter case),
    description (Markdown), target date and state. ``went_live_at`` is set when it goes live;
    a go-live forced past unmet checks keeps who forced it, why, and which checks were unmet."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(
        "strategy.Product", on_delete=models.CASCADE, related_name="releases"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    target_date = models.DateField(null=True, blank=True)
    state = models.CharField(
        max_length=12, choices=ReleaseState.choices, default=ReleaseState.PLANNED
    )
    went_live_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    notes_html = models.TextField(blank=True, editable=False)
    forced = models.BooleanField(default=False)
    force_reason = models.TextField(blank=True)
    forced_checks = models.JSONField(default=list, blank=True)
    forced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("name"), "product", name="release_unique_name"),
            models.CheckConstraint(
                condition=Q(state__in=ReleaseState.values), name="release_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state="live") | Q(went_live_at__isnull=False),
                name="release_live_has_date",
            ),
            models.CheckConstraint(
                condition=Q(forced=False) | ~Q(force_reason=""), name="release_forced_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["product", "state"], name="release_product_state")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ReleaseItem(models.Model):
    """A backlog item assigned to a release; ``dropped_at`` marks it consciously dropped (with
    the reason), which frees it for another release."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(
        "backlog.BacklogItem", on_delete=models.CASCADE, related_name="release_entries"
    )
    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dropped_at = models.DateTimeField(null=True, blank=True)
    dropped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drop_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "item"], name="release_item_unique"),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(dropped_at__isnull=True),
                name="release_item_one_release",
            ),
            models.CheckConstraint(
                condition=Q(dropped_at__isnull=True) | ~Q(drop_reason=""),
                name="release_item_dropped_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} in {self.release_id}"


class ProductCheck(models.Model):
    """One of a product's own go-live checks ("Support has been briefed"), ticked by hand on
    each release."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(
        "strategy.Product", on_delete=models.CASCADE, related_name="release_checks"
    )
    label = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("label"), "product", name="product_check_unique_label"),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.label


class ReleaseCheckTick(models.Model):
    """A product check ticked on a release: by whom and when."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="ticks")
    product_check = models.ForeignKey(ProductCheck, on_delete=models.CASCADE, related_name="ticks")
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "product_check"], name="release_check_tick_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_check_id} on {self.release_id}"


class RoadmapLane(models.TextChoices):
    NOW = "now", "Now"
    NEXT = "next", "Next"
    LATER = "later", "Later"


class RoadmapEntry(models.Model):
    """One object on a product's roadmap: a Product Goal, an epic, a problem or a release,
    named generically by its declared kind (``core.registry.ObjectType.name``) and its id, in a
    lane (now, next, later) at a rank (``core.ranking`` keys, ordered by hand). An object is at
    most once on its product's roadmap."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(
        "strategy.Product", on_delete=models.CASCADE, related_name="roadmap_entries"
    )
    lane = models.CharField(max_length=8, choices=RoadmapLane.choices)
    rank = RankField()
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "target_type", "target_id"], name="roadmap_entry_unique"
            ),
            models.CheckConstraint(
                condition=Q(lane__in=RoadmapLane.values), name="roadmap_entry_lane_valid"
            ),
        ]
        indexes = [models.Index(fields=["product", "lane", "rank"], name="roadmap_entry_rank")]
        ordering = ["lane", "rank", "id"]

    def __str__(self) -> str:
        return f"{self.target_type}:{self.target_id} in {self.lane}"


class RoadmapShare(models.Model):
    """A read-only link to a product's roadmap for stakeholders. Only the SHA-256 of its token
    is kept (the token is shown once, when the link is made); revoked or past ``expires_at``
    it answers 404 like an unknown one. The flags are the product owner's opt-ins, per link, to
    show more than the lanes and the timeline."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(
        "strategy.Product", on_delete=models.CASCADE, related_name="roadmap_shares"
    )
    label = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    include_descriptions = models.BooleanField(default=False)
    include_problem_evidence = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label
