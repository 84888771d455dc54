"""Customers and their contacts, the feedback heard from them, the insights drawn from it, and
the problems those insights are evidence of.

A problem's evidence (its customers, their ARR, its trend) is never stored: it is computed from
its insights (``selectors.problem_evidence``), so it cannot drift from what was heard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from lodestar.core.models import BaseModel, TrashableModel

if TYPE_CHECKING:
    from lodestar.backlog.models import BacklogItem


class Customer(TrashableModel):
    """A company the workspace sells to (or would): its segment, plan and ARR.

    ``external_id`` is the CRM's key, unique in the workspace when given; names are unique in
    the workspace among live customers, whatever their letter case. A customer merged into
    another keeps its row (``merged_into``, in the trash) so history still names it.
    """

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="customers"
    )
    name = models.CharField(max_length=200)
    segment = models.CharField(max_length=60, blank=True)
    plan = models.CharField(max_length=60, blank=True)
    # Annual recurring revenue in the workspace's currency; None: not known.
    arr = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "workspace",
                "external_id",
                condition=~Q(external_id=""),
                name="customer_unique_external_id",
            ),
            models.UniqueConstraint(
                "workspace",
                Lower("name"),
                condition=Q(deleted_at__isnull=True),
                name="customer_unique_live_name",
            ),
            models.CheckConstraint(
                condition=Q(arr__isnull=True) | Q(arr__gte=0), name="customer_arr_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "segment"])]

    def __str__(self) -> str:
        return self.name


class Contact(BaseModel):
    """A person at a customer (or, from the portal, a person whose company is not known)."""

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="contacts"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    # Stored lower-case; unique in the workspace when given.
    email = models.CharField(max_length=254, blank=True)
    title = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "workspace", "email", condition=~Q(email=""), name="contact_unique_email"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or f"contact {self.pk}"


class FeedbackSource(models.TextChoices):
    INTERVIEW = "interview", "Interview"
    SUPPORT = "support", "Support"
    SALES = "sales", "Sales"
    SURVEY = "survey", "Survey"
    PORTAL = "portal", "Portal"
    IMPORT = "import", "Import"
    OTHER = "other", "Other"


class FeedbackState(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    ARCHIVED = "archived", "Archived"


class Feedback(TrashableModel):
    """What a customer said, in their own words, as it was heard.

    ``text`` is kept exactly as written (Markdown); ``text_html`` is its sanitized rendering,
    made when it is written. Insights mark spans of ``text`` by character offsets. An interview
    is feedback from the ``interview`` source with its participants and the interviewer's
    ``notes``. ``fingerprint`` identifies a row of an imported file, so importing the same file
    again creates nothing new.
    """

    # No index of their own for ``workspace``, ``customer`` and ``captured_by``: the indexes
    # below lead with each, and every index is one more write for each imported row.
    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="feedback", db_index=False
    )
    product = models.ForeignKey(
        "strategy.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    text_html = models.TextField(blank=True)
    source = models.CharField(
        max_length=16, choices=FeedbackSource.choices, default=FeedbackSource.OTHER
    )
    received_at = models.DateTimeField()
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
        db_index=False,
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    tags = models.JSONField(default=list, blank=True)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    state = models.CharField(
        max_length=16, choices=FeedbackState.choices, default=FeedbackState.NEW
    )
    notes = models.TextField(blank=True)
    member_participants = models.ManyToManyField("people.Membership", blank=True, related_name="+")
    contact_participants = models.ManyToManyField(Contact, blank=True, related_name="interviews")
    fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "workspace",
                "fingerprint",
                condition=~Q(fingerprint=""),
                name="feedback_unique_fingerprint",
            ),
            models.CheckConstraint(
                condition=Q(source__in=FeedbackSource.values), name="feedback_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=FeedbackState.values), name="feedback_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-received_at", "-id"]),
            models.Index(fields=["workspace", "state", "-received_at"]),
            models.Index(fields=["customer", "-received_at"]),
            models.Index(fields=["captured_by", "-received_at"]),
        ]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return self.summary

    @property
    def summary(self) -> str:
        """The first line of the text, cut at 80 characters."""
        line = next((part.strip() for part in self.text.splitlines() if part.strip()), "")
        return line if len(line) <= 80 else line[:79].rstrip() + "…"


class ProblemStatus(models.TextChoices):
    NEW = "new", "New"
    VALIDATED = "validated", "Validated"
    SOLVING = "solving", "Solving"
    SOLVED = "solved", "Solved"
    WONT_SOLVE = "wont_solve", "Won't solve"


class Problem(TrashableModel):
    """A customer problem, stated in the customer's words, with the backlog items that solve
    it. Its evidence is computed from its insights (``selectors.problem_evidence``)."""

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="problems"
    )
    product = models.ForeignKey(
        "strategy.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=ProblemStatus.choices, default=ProblemStatus.NEW
    )
    owner = models.ForeignKey(
        "people.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    items: models.ManyToManyField[BacklogItem, ProblemItem] = models.ManyToManyField(
        "backlog.BacklogItem", through="ProblemItem", related_name="problems"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProblemStatus.values), name="problem_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return self.title


class ProblemItem(models.Model):
    """A backlog item that solves (part of) a problem: discovery's row, so the backlog never
    imports discovery."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="item_links")
    item = models.ForeignKey(
        "backlog.BacklogItem", on_delete=models.CASCADE, related_name="problem_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["problem", "item"], name="problem_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} -> {self.item_id}"


class Insight(TrashableModel):
    """An observation drawn from one piece of feedback: a quote, optionally the span of the
    feedback's text it marks (``start``/``end``: character offsets into ``text`` as written),
    linked to the problems it is evidence of."""

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="insights"
    )
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="insights")
    quote = models.TextField()
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    problems: models.ManyToManyField[Problem, InsightProblem] = models.ManyToManyField(
        Problem, through="InsightProblem", related_name="insights"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(start__isnull=True) & Q(end__isnull=True))
                | (Q(start__isnull=False) & Q(end__gt=models.F("start"))),
                name="insight_span_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.quote[:80]


class InsightProblem(models.Model):
    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="problem_links")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="insight_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["insight", "problem"], name="insight_problem_unique"),
        ]
        indexes = [models.Index(fields=["problem", "insight"])]

    def __str__(self) -> str:
        return f"{self.insight_id} -> {self.problem_id}"


class ReachFrom(models.TextChoices):
    CUSTOMERS = "customers", "Customers"
    CONTACTS = "contacts", "Contacts"


class ProductDiscovery(BaseModel):
    """How a product reads its customer evidence: whether RICE reach taken from an item's
    problems counts the customers (companies) or the contacts (people) behind them.

    A product without a row reads the defaults (customers).
    """

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.OneToOneField(
        "strategy.Product", on_delete=models.CASCADE, related_name="discovery_settings"
    )
    reach_from = models.CharField(
        max_length=16, choices=ReachFrom.choices, default=ReachFrom.CUSTOMERS
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reach_from__in=ReachFrom.values), name="product_discovery_reach_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Discovery settings of product {self.product_id}"


# The public portal's models live in their own module, and so do product risks and
# experiments; importing them registers them with the app.
from lodestar.discovery import portal_models, risk_models  # noqa: E402, F401
