"""Request and response bodies of the backlog API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BaseModel, Field

from lodestar.api.schemas import Id, InSchema
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.readiness import Readiness
from lodestar.backlog.selectors import flag_reason, is_flagged
from lodestar.backlog.services._common import (
    CRITERIA_MAX,
    CRITERION_MAX,
    LABEL_MAX,
    LABELS_MAX,
    TITLE_MAX,
    estimate_value,
)
from lodestar.backlog.services.breakdown import SPLIT_MAX
from lodestar.backlog.services.bulk import BULK_UPDATE_MAX
from lodestar.core.models import HistoryEntry
from lodestar.core.points import UNKNOWN as UNKNOWN_ESTIMATE

Kind = Literal["epic", "story", "task", "bug", "spike"]
Status = Literal["new", "ready", "in_progress", "done", "wont_do"]
# Points (a number on the product's scale), "?" (cannot be sized yet) or null (not estimated).
Estimate = float | str | None
# The limits the services enforce, stated in the OpenAPI document.
Title = Annotated[str, Field(max_length=TITLE_MAX)]
Criteria = Annotated[
    list[Annotated[str, Field(max_length=CRITERION_MAX)]],
    Field(max_length=CRITERIA_MAX, description=f"At most {CRITERIA_MAX} Markdown lines"),
]
Labels = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=LABEL_MAX, pattern=r"^[^,]*$")]],
    Field(max_length=LABELS_MAX, description=f"At most {LABELS_MAX} names, without commas"),
]


class MemberRefOut(BaseModel):
    email: str
    name: str


class GoalRefOut(BaseModel):
    id: int
    statement: str
    status: str


def label_names(item: BacklogItem) -> list[str]:
    """The item's label names, from ``attach_label_names`` when a list set them."""
    names: list[str] | None = getattr(item, "label_names", None)
    if names is None:
        names = sorted(label.name for label in item.labels.all())
    return names


# A plain pydantic model, not a ninja ``Schema``: it is built from explicit values, so it needs
# none of ``Schema``'s attribute resolution, which cost more than the database did for a page
# of a hundred items.
class ItemOut(BaseModel):
    """A backlog item."""

    key: str
    number: int
    product: str
    kind: Kind
    title: str
    description: str
    description_html: str
    acceptance_criteria: list[str]
    acceptance_criteria_html: list[str]
    estimate: Estimate
    status: Status
    labels: list[str]
    assignee: MemberRefOut | None
    parent: str | None
    goal: GoalRefOut | None
    rank: str
    flagged: bool
    flag_reason: str | None
    in_trash: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def of(item: BacklogItem) -> ItemOut:
        """``item`` as the API shows it; read through ``item_queryset`` to avoid extra queries."""
        flagged = is_flagged(item)
        estimate = estimate_value(item)
        assignee = item.assignee
        goal = item.goal
        return ItemOut(
            key=item.key,
            number=item.number,
            product=item.product.key,
            kind=item.kind,
            title=item.title,
            description=item.description,
            description_html=item.description_html,
            acceptance_criteria=list(item.acceptance_criteria),
            acceptance_criteria_html=list(item.acceptance_criteria_html),
            estimate=float(estimate) if isinstance(estimate, Decimal) else estimate,
            status=item.status,
            labels=label_names(item),
            assignee=MemberRefOut(email=assignee.user.email, name=assignee.user.display_name)
            if assignee
            else None,
            parent=item.parent.key if item.parent_id and item.parent else None,
            goal=GoalRefOut(id=goal.pk, statement=goal.statement, status=goal.status)
            if goal
            else None,
            rank=item.rank,
            flagged=flagged,
            flag_reason=flag_reason() if flagged else None,
            in_trash=item.in_trash,
            version=item.version,
            created_at=item.created_at,
            updated_at=item.updated_at,
        )


def item_row(row: dict[str, Any], *, product_key: str, reason: str) -> dict[str, Any]:
    """An ``ItemOut`` as plain values, from a row of ``selectors.backlog_list_values`` (the
    fields in ``ItemOut``'s order, each as ``ItemOut.of`` gives it; ``reason`` is
    ``flag_reason()``, read once per list). A list answer renders these directly: building and
    dumping a model per item cost more than the query did."""
    flagged = bool(row["flagged"])
    estimate = UNKNOWN_ESTIMATE if row["estimate_unknown"] else row["estimate"]
    return {
        "key": row["key"],
        "number": row["number"],
        "product": product_key,
        "kind": row["kind"],
        "title": row["title"],
        "description": row["description"],
        "description_html": row["description_html"],
        "acceptance_criteria": list(row["acceptance_criteria"]),
        "acceptance_criteria_html": list(row["acceptance_criteria_html"]),
        "estimate": float(estimate) if isinstance(estimate, Decimal) else estimate,
        "status": row["status"],
        "labels": row["label_names"],
        "assignee": {
            "email": row["assignee__user__email"],
            "name": row["assignee__user__full_name"] or row["assignee__user__email"],
        }
        if row["assignee_id"]
        else None,
        "parent": row["parent__key"] if row["parent_id"] else None,
        "goal": {
            "id": row["goal_id"],
            "statement": row["goal__statement"],
            "status": row["goal__status"],
        }
        if row["goal_id"]
        else None,
        "rank": row["rank"],
        "flagged": flagged,
        "flag_reason": reason if flagged else None,
        "in_trash": row["deleted_at"] is not None,
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


class ItemIn(InSchema):
    title: Title
    kind: Kind = "story"
    description: str = ""
    acceptance_criteria: Criteria = Field(default_factory=list)
    estimate: Estimate = Field(default=None, description='Points on the scale, or "?"')
    status: Status = "new"
    labels: Labels = Field(default_factory=list)
    assignee: str | None = Field(default=None, description="A member's email")
    parent: str | None = Field(default=None, description="The parent item's key")
    goal: Id | None = Field(
        default=None, description="A goal id of the product; left out: the parent's goal"
    )
    position: Literal["top", "bottom"] = "bottom"
    before: str | None = Field(default=None, description="Place it before this item key")
    after: str | None = Field(default=None, description="Place it after this item key")


class ItemPatch(InSchema):
    """Fields to change; a field left out keeps its value, null clears it."""

    title: Title | None = None
    description: str | None = None
    acceptance_criteria: Criteria | None = None
    estimate: Estimate = None
    status: Status | None = None
    labels: Labels | None = None
    assignee: str | None = None
    parent: str | None = None
    goal: Id | None = None


class MoveIn(InSchema):
    """Exactly one of ``before``, ``after`` or ``position``."""

    before: str | None = None
    after: str | None = None
    position: Literal["top", "bottom"] | None = None


class BulkItemIn(InSchema):
    key: str = Field(max_length=40, description="The item's key, e.g. ACME-12")
    version: Id | None = Field(
        default=None, description="The version you saw: a stale one refuses the batch (412)"
    )


class BulkIn(InSchema):
    """One change made to many items of the product, all or nothing. A field left out keeps
    its value; null clears it (assignee, goal, estimate)."""

    items: list[BulkItemIn] = Field(
        min_length=1,
        max_length=BULK_UPDATE_MAX,
        description=f"The items to change, 1 to {BULK_UPDATE_MAX}",
    )
    status: Status | None = None
    assignee: str | None = Field(default=None, description="A member's email; null: nobody")
    goal: Id | None = Field(default=None, description="A goal id of the product; null: none")
    estimate: Estimate = Field(default=None, description='Points on the scale, "?" or null')
    add_labels: Labels = Field(default_factory=list)
    remove_labels: Labels = Field(default_factory=list)
    position: Literal["top", "bottom"] | None = Field(
        default=None, description="Move them there, in their present order (product owner)"
    )
    delete: bool = Field(default=False, description="Move them to the trash (goes alone)")


class BulkOut(Schema):
    items: list[ItemOut]


class ChildIn(InSchema):
    title: Title
    kind: Kind | None = Field(default=None, description="Default: one level below the parent")
    description: str = ""
    acceptance_criteria: Criteria = Field(default_factory=list)
    estimate: Estimate = None


class SplitIn(InSchema):
    children: list[ChildIn] = Field(min_length=1, max_length=SPLIT_MAX)


class ConvertIn(InSchema):
    kind: Kind


class ReadinessCheckOut(Schema):
    code: str
    label: str
    status: Literal["passed", "failed", "not_measurable"]
    detail: str


class ReadinessOut(Schema):
    key: str
    ready: bool
    checks: list[ReadinessCheckOut]

    @staticmethod
    def of(item: BacklogItem, readiness: Readiness) -> ReadinessOut:
        return ReadinessOut(
            key=item.key,
            ready=readiness.ready,
            checks=[
                ReadinessCheckOut(code=c.code, label=c.label, status=c.status, detail=c.detail)
                for c in readiness.checks
            ],
        )


class HistoryOut(Schema):
    id: int
    action: str
    actor: str | None = Field(description="The email of who made the change")
    changes: dict[str, Any]
    created_at: dt.datetime

    @staticmethod
    def of(entry: HistoryEntry) -> HistoryOut:
        return HistoryOut(
            id=entry.pk,
            action=entry.action,
            actor=entry.actor.email if entry.actor else None,
            changes=entry.changes,
            created_at=entry.created_at,
        )
