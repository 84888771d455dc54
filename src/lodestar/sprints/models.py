"""Sprints of a team: their goal, capacity, committed items, and a snapshot of each day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from lodestar.core.models import BaseModel


class SprintState(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Sprint(BaseModel):
    """A timeboxed sprint of one team, working from the backlog of the team's product.

    ``goal`` is the sprint goal (required to start); ``product_goal`` the Product Goal it
    serves, taken when the sprint starts (the product's active goal unless another was
    chosen). ``goal_met`` and the notes are written when it closes; the committed and completed
    figures are frozen then too, and velocity is read from them.
    """

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="sprints")
    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField()
    state = models.CharField(max_length=8, choices=SprintState.choices, default=SprintState.PLANNED)
    goal = models.CharField(max_length=300, blank=True)
    product_goal = models.ForeignKey(
        "strategy.ProductGoal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    goal_met = models.BooleanField(null=True, blank=True)
    review_notes = models.TextField(blank=True)
    review_notes_html = models.TextField(blank=True, editable=False)
    retrospective_notes = models.TextField(blank=True)
    retrospective_notes_html = models.TextField(blank=True, editable=False)
    committed_points = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    completed_points = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    committed_items = models.PositiveIntegerField(null=True, blank=True)
    completed_items = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=Q(state="active"), name="sprint_one_active_per_team"
            ),
            models.UniqueConstraint(fields=["team", "name"], name="sprint_unique_name"),
            models.CheckConstraint(
                condition=Q(state__in=SprintState.values), name="sprint_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="sprint_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(state="planned") | ~Q(goal=""), name="sprint_started_has_goal"
            ),
        ]
        indexes = [models.Index(fields=["team", "state", "start_date"], name="sprint_team_state")]
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    """What became of a sprint's item when the sprint closed."""

    DONE = "done", "Done"
    BACKLOG_TOP = "backlog_top", "Back to the top of the backlog"
    BACKLOG = "backlog", "Back to the backlog where it was"
    NEXT_SPRINT = "next_sprint", "Into the next sprint"
    DROPPED = "dropped", "Won't do"


class SprintItem(models.Model):
    """A backlog item committed to a sprint.

    ``added_after_start`` marks scope added once the sprint ran; ``carried_from`` the earlier
    sprint it was carried over from. ``outcome`` is set when the sprint closes: done, or what
    was decided for it.
    """

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(
        "backlog.BacklogItem", on_delete=models.CASCADE, related_name="sprint_entries"
    )
    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_after_start = models.BooleanField(default=False)
    carried_from = models.ForeignKey(
        Sprint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sprint", "item"], name="sprint_item_unique"),
            models.CheckConstraint(
                condition=Q(outcome__in=["", *Outcome.values]), name="sprint_item_outcome_valid"
            ),
        ]
        indexes = [models.Index(fields=["item", "sprint"], name="sprint_item_by_item")]

    def __str__(self) -> str:
        return f"{self.item_id} in {self.sprint_id}"


class SprintCapacity(models.Model):
    """How much one member can give the sprint: days available and/or points."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="capacities")
    member = models.ForeignKey("people.Membership", on_delete=models.CASCADE, related_name="+")
    days = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    points = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sprint", "member"], name="sprint_capacity_unique"),
            models.CheckConstraint(
                condition=Q(days__isnull=True) | Q(days__gte=0), name="sprint_capacity_days"
            ),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gte=0),
                name="sprint_capacity_points",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.sprint_id}"


class SprintGoalChange(models.Model):
    """The sprint goal changed after the start: before, after, the reason, who and when."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="goal_changes")
    before = models.CharField(max_length=300)
    after = models.CharField(max_length=300)
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.before} -> {self.after}"


class SprintSnapshot(models.Model):
    """The sprint at the end of ``day`` (or when taken, today): its scope, what is done and
    what remains, in points and in items; how much of the scope was added after the start
    and how much was carried over from an earlier sprint."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="snapshots")
    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    taken_at = models.DateTimeField()
    scope_points = models.DecimalField(max_digits=8, decimal_places=1)
    done_points = models.DecimalField(max_digits=8, decimal_places=1)
    remaining_points = models.DecimalField(max_digits=8, decimal_places=1)
    scope_items = models.PositiveIntegerField()
    done_items = models.PositiveIntegerField()
    remaining_items = models.PositiveIntegerField()
    added_points = models.DecimalField(max_digits=8, decimal_places=1)
    added_items = models.PositiveIntegerField()
    carried_points = models.DecimalField(max_digits=8, decimal_places=1)
    carried_items = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sprint", "day"], name="sprint_snapshot_unique_day"),
        ]
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.sprint_id} on {self.day}"


class BoardLimit(models.Model):
    """A team's work-in-progress limit for one column (status) of its sprint board: more cards
    in the column than the limit is shown as a warning, never refused."""

    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16)
    limit = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "status"], name="board_limit_unique"),
            models.CheckConstraint(condition=Q(limit__gte=1), name="board_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.status} <= {self.limit}"
