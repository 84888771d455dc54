"""Input checks, locking and history shared by the backlog services."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any, Final, Literal, TypeAlias

from lodestar.backlog import hierarchy
from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.flow.services import status_change_of, status_changes_record
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus, Label, fold_label
from lodestar.backlog.readiness import Readiness
from lodestar.backlog.selectors import item_readiness
from lodestar.core.errors import FieldError, Invalid
from lodestar.core.history import history_record
from lodestar.core.markdown import render_markdown
from lodestar.core.points import UNKNOWN as UNKNOWN_ESTIMATE
from lodestar.core.points import format_points, parse_points
from lodestar.people.models import Membership
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product, ProductGoal


class _Unset(Enum):
    """A keyword left out, as opposed to one set to None (which clears a field)."""

    UNSET = "unset"


UNSET: Final = _Unset.UNSET
Unset: TypeAlias = Literal[_Unset.UNSET]

# Points, the "?" of the scale, or None for "not estimated".
EstimateValue: TypeAlias = Decimal | float | int | str | None

TITLE_MAX = 255
CRITERION_MAX = 2000
CRITERIA_MAX = 50
LABEL_MAX = 40
LABELS_MAX = 20


def record(actor: Actor, item: BacklogItem, action: str, changes: dict[str, Any]) -> None:
    """Record a change of ``item`` in its history and, when it sets a status, in the flow
    table (``backlog.flow``): every write of a status goes through here or the bulk paths."""
    move = status_change_of(item, action, changes, actor.user)
    if move is not None:
        status_changes_record([move])
    history_record(
        actor=actor.user,
        workspace_id=item.workspace_id,
        obj=item,
        action=action,
        changes=changes,
        label=f"{item.key} {item.title}",
    )


def clean_title(value: str, field: str = "title") -> str:
    title = " ".join((value or "").split())
    if not title:
        raise Invalid.field(field, "must not be empty", code=Code.TITLE_INVALID)
    if len(title) > TITLE_MAX:
        raise Invalid.field(
            field, f"must be at most {TITLE_MAX} characters", code=Code.TITLE_INVALID
        )
    return title


# The choices' values, once: ``ItemKind.values`` builds its list on every read.
_KINDS = frozenset(ItemKind.values)
_STATUSES = frozenset(ItemStatus.values)


def clean_kind(value: str, field: str = "kind") -> ItemKind:
    if value not in _KINDS:
        raise Invalid.field(
            field, f"must be one of {', '.join(ItemKind.values)}", code=Code.KIND_INVALID
        )
    return ItemKind(value)


def clean_status(value: str) -> ItemStatus:
    if value not in _STATUSES:
        raise Invalid.field(
            "status", f"must be one of {', '.join(ItemStatus.values)}", code=Code.STATUS_INVALID
        )
    return ItemStatus(value)


def clean_criteria(values: Sequence[str], field: str = "acceptance_criteria") -> list[str]:
    """Criteria as a list of Markdown lines; blank entries (an empty form row) are dropped."""
    if isinstance(values, str):
        raise Invalid.field(
            field, "must be a list of criteria", code=Code.ACCEPTANCE_CRITERIA_INVALID
        )
    criteria: list[str] = []
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise Invalid.field(
                f"{field}[{index}]", "must be text", code=Code.ACCEPTANCE_CRITERIA_INVALID
            )
        text = value.strip()
        if len(text) > CRITERION_MAX:
            raise Invalid.field(
                f"{field}[{index}]",
                f"must be at most {CRITERION_MAX} characters",
                code=Code.ACCEPTANCE_CRITERIA_INVALID,
            )
        if text:
            criteria.append(text)
    if len(criteria) > CRITERIA_MAX:
        raise Invalid.field(
            field,
            f"must have at most {CRITERIA_MAX} criteria",
            code=Code.ACCEPTANCE_CRITERIA_INVALID,
        )
    return criteria


def clean_estimate(
    product: Product, value: EstimateValue, field: str = "estimate"
) -> tuple[Decimal | None, bool]:
    """``(points, unknown)`` for ``value``, which must be on the product's estimation scale."""
    scale = [str(v) for v in product.estimate_scale]
    if value is None:
        return None, False
    if value == UNKNOWN_ESTIMATE:
        if UNKNOWN_ESTIMATE in scale:
            return None, True
    else:
        points = parse_points(value)
        if points is not None and format_points(points) in scale:
            return points, False
    raise Invalid.field(
        field,
        f"must be on the product's scale: {', '.join(scale)} (or null for not estimated)",
        code=Code.ESTIMATE_INVALID,
    )


def estimate_value(item: BacklogItem) -> Decimal | str | None:
    """The estimate as the API shows it: points, ``"?"`` or None."""
    if item.estimate_unknown:
        return UNKNOWN_ESTIMATE
    return item.estimate


def clean_label_names(values: Sequence[str], field: str = "labels") -> list[str]:
    if isinstance(values, str):
        raise Invalid.field(field, "must be a list of label names", code=Code.LABEL_INVALID)
    names: dict[str, str] = {}
    for index, value in enumerate(values):
        name = " ".join(str(value).split()) if isinstance(value, str) else ""
        if not name or len(name) > LABEL_MAX or "," in name:
            raise Invalid.field(
                f"{field}[{index}]",
                f"must be 1 to {LABEL_MAX} characters without commas",
                code=Code.LABEL_INVALID,
            )
        names.setdefault(fold_label(name), name)
    if len(names) > LABELS_MAX:
        raise Invalid.field(
            field, f"must have at most {LABELS_MAX} labels", code=Code.LABEL_INVALID
        )
    return list(names.values())


def labels_for(product: Product, names: Sequence[str]) -> list[Label]:
    """The product's labels named ``names`` (matched ignoring case in every script, see
    ``fold_label``), created when new."""
    wanted = {fold_label(name): name for name in clean_label_names(names)}
    existing = {
        label.folded: label for label in Label.objects.filter(product=product, folded__in=wanted)
    }
    for folded, name in wanted.items():
        if folded not in existing:
            existing[folded] = Label.objects.create(product=product, name=name, folded=folded)
    return [existing[folded] for folded in wanted]


def check_assignee(item_workspace_id: int, member: Membership | None) -> None:
    if member is not None and member.workspace_id != item_workspace_id:
        raise Invalid.field(
            "assignee", "is not a member of this workspace", code=Code.ASSIGNEE_INVALID
        )


def check_goal(product: Product, goal: ProductGoal | None) -> None:
    if goal is not None and goal.product_id != product.pk:
        raise Invalid.field(
            "goal", f"is not a goal of product {product.key}", code=Code.GOAL_INVALID
        )


def check_parent(item: BacklogItem, kind: str, parent: BacklogItem | None) -> None:
    """``parent`` fits ``item`` (of ``kind``): same product, live, no loop, kinds allow it."""
    if parent is None:
        return
    if parent.product_id != item.product_id:
        raise Invalid.field("parent", "is an item of another product", code=Code.PARENT_INVALID)
    if parent.in_trash:
        raise Invalid.field("parent", f"{parent.key} is in the trash", code=Code.PARENT_INVALID)
    if item.pk is not None and (
        parent.pk == item.pk or hierarchy.cycle_in(item.pk, parent.pk, _parent_of)
    ):
        raise Invalid.field(
            "parent",
            f"{parent.key} is {item.key} itself or one of its descendants: that would be a loop",
            code=Code.PARENT_CYCLE,
        )
    if not hierarchy.may_contain(parent.kind, kind):
        raise Invalid.field(
            "parent",
            f"{hierarchy.parent_rule(kind)} ({parent.key} is a {parent.kind})",
            code=Code.PARENT_KIND,
        )


def check_children(item: BacklogItem, kind: str) -> None:
    """The item's live children may sit under an item of ``kind``."""
    kinds = BacklogItem.objects.filter(parent=item).values_list("kind", flat=True).distinct()
    reason = hierarchy.children_rule(kind, list(kinds))
    if reason:
        raise Invalid.field("kind", reason, code=Code.CHILDREN_KIND)


def _parent_of(item_id: int) -> int | None:
    return BacklogItem.all_objects.filter(pk=item_id).values_list("parent_id", flat=True).first()


def check_ready(item: BacklogItem, *, name: str = "", field: str = "status") -> Readiness:
    """Refuse (422 ``not_ready``) unless ``item`` as it stands passes its Definition of Ready;
    the refusal calls the item ``name`` (default: its key) and names ``field``."""
    readiness = item_readiness(item)
    if not readiness.ready:
        failing = readiness.failing
        raise Invalid(
            f"{name or item.key or 'This item'} is not ready: "
            + "; ".join(f"{check.label.lower()} ({check.detail})" for check in failing),
            code=Code.NOT_READY,
            errors=[FieldError(field, f"{check.label}: {check.detail}") for check in failing],
        )
    return readiness


TEXT_FIELDS = ("description", "acceptance_criteria")
RENDERED_FIELDS = ["description_html", "acceptance_criteria_html"]


def render_text(item: BacklogItem, render: Callable[[str], str] = render_markdown) -> None:
    """Store the sanitized HTML of the item's Markdown (call whenever either text is set);
    a batch passes ``core.markdown.markdown_renderer()`` to render each distinct text once."""
    item.description_html = render(item.description)
    item.acceptance_criteria_html = [render(c) for c in item.acceptance_criteria]
