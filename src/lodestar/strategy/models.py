"""Products, their vision and their Product Goals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Upper
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from lodestar.core.models import BaseModel

if TYPE_CHECKING:
    from lodestar.people.models import Team

# Story points on the modified Fibonacci scale; "?" says "we cannot estimate this yet".
DEFAULT_ESTIMATE_SCALE = ["0", "1", "2", "3", "5", "8", "13", "21", "?"]


def default_estimate_scale() -> list[str]:
    return list(DEFAULT_ESTIMATE_SCALE)


def default_definition_of_ready() -> dict[str, Any]:
    """The checks a backlog item must pass before it may be marked ``ready``.

    ``max_velocity_share`` is a percentage of the team's average velocity (``None`` turns the
    check off); it is reported as not measurable until the team has velocity history.
    """
    return {
        "acceptance_criteria": True,
        "estimate": True,
        "serves_goal": True,
        "max_velocity_share": 50,
        "value_risk_above_points": None,
    }


class Product(BaseModel):
    """A product with its vision; backlog item keys are ``<key>-<number>``."""

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="products"
    )
    key = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    vision = models.TextField(blank=True)
    # The next item number to hand out; only ever grows, so a key is never reused.
    next_item_number = models.PositiveIntegerField(default=1)
    definition_of_ready = models.JSONField(default=default_definition_of_ready)
    estimate_scale = models.JSONField(default=default_estimate_scale)
    # The teams that work from this product's backlog (a team works from one product at most).
    teams: models.ManyToManyField[Team, ProductTeam] = models.ManyToManyField(
        "people.Team", through="ProductTeam", related_name="products"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="product_unique_key"),
            models.CheckConstraint(
                condition=Q(key=Upper("key")) & Q(GreaterThanOrEqual(Length("key"), 2)),
                name="product_key_upper",
            ),
            models.CheckConstraint(
                condition=Q(next_item_number__gte=1), name="product_next_item_number_positive"
            ),
        ]
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    ABANDONED = "abandoned", "Abandoned"


class ProductGoal(BaseModel):
    """A Product Goal: one active per product at a time; earlier ones are kept, closed."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="goals")
    statement = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(status="active"),
                name="product_one_active_goal",
            ),
            models.CheckConstraint(
                condition=Q(status__in=GoalStatus.values), name="product_goal_status_valid"
            ),
            # An active goal has no end; a closed one always has one.
            models.CheckConstraint(
                condition=(Q(status="active") & Q(ended_at__isnull=True))
                | (~Q(status="active") & Q(ended_at__isnull=False)),
                name="product_goal_end_matches_status",
            ),
        ]
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return self.statement

    @property
    def is_active(self) -> bool:
        return self.status == GoalStatus.ACTIVE


class ProductTeam(models.Model):
    """A team works from this product's backlog. Several teams may share a product; a team
    works from one product at most. The link is strategy's: people knows nothing of products."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="team_links")
    team = models.OneToOneField(
        "people.Team", on_delete=models.CASCADE, related_name="product_link"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.team} works from {self.product}"


class ProductOwnerHat(models.Model):
    """The product owner hat of a product, worn by one member from ``started_at`` until
    ``ended_at``. A product has one product owner at a time (or none), shared by every team
    that works from it; moving the hat ends the holder's row and starts the next one's at the
    same instant, so the rows are the hat's whole history."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="owner_hats")
    member = models.ForeignKey(
        "people.Membership", on_delete=models.CASCADE, related_name="product_owner_hats"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(ended_at__isnull=True),
                name="product_one_current_owner",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="product_owner_hat_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["member", "ended_at"])]
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} owns {self.product}"
