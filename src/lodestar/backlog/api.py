"""The backlog API: a product's ordered backlog and its items (thin: parse, access, call)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, json_answer, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.backlog import services
from lodestar.backlog.access import access_item
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.refs import item_ref_or_none, item_refs
from lodestar.backlog.schemas import (
    BulkIn,
    BulkOut,
    ConvertIn,
    HistoryOut,
    ItemIn,
    ItemOut,
    ItemPatch,
    MoveIn,
    ReadinessOut,
    SplitIn,
    item_row,
)
from lodestar.backlog.selectors import (
    BacklogFilters,
    backlog_list_values,
    flag_reason,
    item_children,
    item_history,
    item_queryset,
    item_readiness,
)
from lodestar.core.errors import Invalid
from lodestar.people.refs import member_ref_or_none
from lodestar.strategy.access import access_product
from lodestar.strategy.refs import goal_ref

router = Router(tags=["backlog"])

SortName = Literal[
    "rice", "-rice", "wsjf", "-wsjf", "estimate", "-estimate",
    "updated", "-updated", "key", "-key", "title", "-title",
]  # fmt: skip

W = "/{workspace_slug}"
ITEM = W + "/items/{item_key}"


class BacklogQuery(Schema):
    kind: str | None = None
    status: str | None = None
    label: str | None = None
    assignee: str | None = None
    # Ids are positive 64-bit integers: anything else can name no goal.
    goal: int | None = Field(None, ge=1, le=2**63 - 1)
    flagged: bool | None = None
    q: str | None = None
    finished: bool | None = Field(
        None,
        description="false: leave done and won't-do items out; true: only them; "
        "left out: every item (the web list leaves them out unless asked)",
    )
    sort: SortName | None = Field(
        None,
        description="A reading order: rice, wsjf, estimate, updated, key or title, ascending, "
        'or descending with a leading "-"; items without a value come last. Left out: the '
        "backlog's order. Sorting never changes the order itself.",
    )
    cursor: str | None = None
    limit: Limit | None = None


def _item_out(response: HttpResponse, item: BacklogItem) -> ItemOut:
    """The item read again with everything it shows, with its ETag."""
    fresh = item_queryset(in_trash=True).get(pk=item.pk)
    set_etag(response, fresh.version)
    return ItemOut.of(fresh)


# -- the backlog of a product -----------------------------------------------------------------


@router.get(
    W + "/products/{product_key}/backlog",
    response={200: PageOut[ItemOut], **ERRORS},
    operation_id="backlog_list",
)
def list_backlog(
    request: HttpRequest, workspace_slug: str, product_key: str, query: Query[BacklogQuery]
) -> HttpResponse:
    """The product's live items in the product owner's order, filtered, one page at a time."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    filters = BacklogFilters(**query.model_dump(exclude={"cursor", "limit", "sort"}))
    page = backlog_list_values(
        actor=actor,
        product=product,
        filters=filters,
        cursor=query.cursor,
        limit=query.limit,
        sort=query.sort,
    )
    # Plain values in ItemOut's shape (tests/backlog/test_api_list_values.py holds them to it).
    reason = flag_reason()
    items = [item_row(row, product_key=product.key, reason=reason) for row in page.items]
    return json_answer({"items": items, "next_cursor": page.next_cursor})


@router.post(
    W + "/products/{product_key}/backlog",
    response={201: ItemOut, **WRITE_ERRORS},
    operation_id="item_create",
)
def create_item(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    payload: ItemIn,
) -> Status[ItemOut]:
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    references = {"assignee", "parent", "goal", "before", "after"}
    fields: dict[str, Any] = payload.model_dump(exclude=references)
    if "goal" in payload.model_fields_set:
        fields["goal"] = goal_ref(actor, product, payload.goal)
    item = services.item_create(
        actor=actor,
        product=product,
        assignee=member_ref_or_none(actor, payload.assignee, field="assignee"),
        parent=item_ref_or_none(actor, payload.parent, field="parent"),
        before=item_ref_or_none(actor, payload.before, field="before", light=True),
        after=item_ref_or_none(actor, payload.after, field="after", light=True),
        **fields,
    )
    return Status(201, _item_out(response, item))


@router.post(
    W + "/products/{product_key}/backlog/bulk",
    response={200: BulkOut, **WRITE_ERRORS},
    operation_id="backlog_bulk_update",
)
def bulk_update(
    request: HttpRequest, workspace_slug: str, product_key: str, payload: BulkIn
) -> BulkOut:
    """Make one change to many items of the backlog in one transaction: set their status,
    assignee, goal or estimate, add or remove labels, move them to the top or bottom in their
    order, or delete them. All or nothing: the first refusal names the item and its field,
    and nothing is written."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    items = item_refs(actor, [entry.key for entry in payload.items])
    sent = payload.model_fields_set
    fields: dict[str, Any] = payload.model_dump(include=sent & {"status", "estimate"})
    if fields.get("status", "") is None:
        raise Invalid.field("status", "cannot be null")
    if "assignee" in sent:
        fields["assignee"] = member_ref_or_none(actor, payload.assignee, field="assignee")
    if "goal" in sent:
        fields["goal"] = goal_ref(actor, product, payload.goal)
    change = services.BulkChange(
        **fields,
        add_labels=payload.add_labels,
        remove_labels=payload.remove_labels,
        position=payload.position,
        delete=payload.delete,
    )
    versions = {
        item.pk: entry.version
        for item, entry in zip(items, payload.items, strict=True)
        if entry.version is not None
    }
    changed = services.items_update_many(
        actor=actor, product=product, items=items, change=change, versions=versions
    )
    rows = item_queryset(in_trash=True).filter(pk__in=[item.pk for item in changed])
    return BulkOut(items=[ItemOut.of(item) for item in rows.order_by("rank")])


# -- one item ---------------------------------------------------------------------------------


@router.get(ITEM, response={200: ItemOut, **ERRORS}, operation_id="item_get")
def get_item(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, item_key: str
) -> ItemOut:
    actor = request_actor(request, workspace_slug)
    item = access_item(actor, item_key)
    set_etag(response, item.version)
    return ItemOut.of(item)


@router.patch(
    ITEM,
    response={200: ItemOut, **WRITE_ERRORS},
    operation_id="item_update",
    openapi_extra=IF_MATCH,
)
def update_item(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    item_key: str,
    payload: ItemPatch,
) -> ItemOut:
    """Change the fields sent (null clears one); send ``If-Match`` to refuse a lost update."""
    actor = request_actor(request, workspace_slug)
    item = access_item(actor, item_key)
    sent = payload.model_fields_set
    fields: dict[str, Any] = payload.model_dump(
        include=sent - {"assignee", "parent", "goal"}, exclude_none=False
    )
    if "assignee" in sent:
        fields["assignee"] = member_ref_or_none(actor, payload.assignee, field="assignee")
    if "parent" in sent:
        fields["parent"] = item_ref_or_none(actor, payload.parent, field="parent")
    if "goal" in sent:
        fields["goal"] = goal_ref(actor, item.product, payload.goal)
    for name in ("title", "acceptance_criteria", "status", "labels"):
        if name in fields and fields[name] is None:
            raise Invalid.field(name, "cannot be null")
    item = services.item_update(
        actor=actor, item=item, expected_version=if_match(request), **fields
    )
    return _item_out(response, item)


@router.delete(
    ITEM,
    response={204: None, **WRITE_ERRORS},
    operation_id="item_delete",
    openapi_extra=IF_MATCH,
)
def delete_item(request: HttpRequest, workspace_slug: str, item_key: str) -> Status[None]:
    """Move the item to the trash (restorable for 30 days)."""
    actor = request_actor(request, workspace_slug)
    item = access_item(actor, item_key)
    services.item_delete(actor=actor, item=item, expected_version=if_match(request))
    return Status(204, None)


@router.post(
    ITEM + "/restore",
    response={200: ItemOut, **WRITE_ERRORS},
    operation_id="item_restore",
    openapi_extra=IF_MATCH,
)
def restore_item(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, item_key: str
) -> ItemOut:
    """Take the item out of the trash, back at its old place in the backlog."""
    actor = request_actor(request, workspace_slug)
    item = access_item(actor, item_key, in_trash=True)
    item = services.item_restore(actor=actor, item=item, expected_version=if_match(request))
    return _item_out(response, item)


@router.post(
    ITEM + "/move",
    response={200: ItemOut, **WRITE_ERRORS},
    operation_id="item_move",
    openapi_extra=IF_MATCH,
)
def move_item(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    item_key: str,
    payload: MoveIn,
) -> ItemOut:
    """Put the item before or after another item of its backlog, or at the top or bottom.

    Its open descendants (not done or won't do) move with it, right after it, each child after
    its parent and siblings in their order; an anchor among them is a 422.
    """
    actor = request_actor(request, workspace_slug)
    item = access_item(actor, item_key)
    item = services.item_move(
        actor=actor,
        item=item,
        before=item_ref_or_none(actor, payload.before, field="before", light=True),
        after=item_ref_or_none(actor, payload.after, field="after", light=True),
        position=payload.position,
        expected_version=if_match(request),
    )
    return _item_out(response, item)


@router.get(
    ITEM + "/children",
    response={200: PageOut[ItemOut], **ERRORS},
    operation_id="item_children_list",
)
def list_children(request: HttpRequest, workspace_slug: str, item_key: str) -> PageOut[ItemOut]:
    """The item's children in rank order (an item has few: one page holds them all)."""
    actor = request_actor(request, workspace_slug)
    children = item_children(actor=actor, item=access_item(actor, item_key))
    return PageOut[ItemOut](items=[ItemOut.of(c) for c in children], next_cursor=None)


@router.post(
    ITEM + "/children", response={201: PageOut[ItemOut], **WRITE_ERRORS}, operation_id="item_split"
)
def split_item(
    request: HttpRequest, workspace_slug: str, item_key: str, payload: SplitIn
) -> Status[PageOut[ItemOut]]:
    """Split the item into children in one step; they inherit its goal and labels."""
    actor = request_actor(request, workspace_slug)
    item = access_item(actor, item_key)
    specs = [services.ChildSpec(**child.model_dump()) for child in payload.children]
    created = services.item_split(actor=actor, item=item, children=specs)
    rows = item_queryset().filter(pk__in=[c.pk for c in created]).order_by("rank")
    return Status(201, PageOut[ItemOut](items=[ItemOut.of(c) for c in rows], next_cursor=None))


@router.post(
    ITEM + "/convert",
    response={200: ItemOut, **WRITE_ERRORS},
    operation_id="item_convert",
    openapi_extra=IF_MATCH,
)
def convert_item(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    item_key: str,
    payload: ConvertIn,
) -> ItemOut:
    """Change the item's kind (for example a task into a story)."""
    actor = request_actor(request, workspace_slug)
    item = access_item(actor, item_key)
    item = services.item_convert(
        actor=actor, item=item, kind=payload.kind, expected_version=if_match(request)
    )
    return _item_out(response, item)


@router.post(
    ITEM + "/duplicate", response={201: ItemOut, **WRITE_ERRORS}, operation_id="item_duplicate"
)
def duplicate_item(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, item_key: str
) -> Status[ItemOut]:
    """A copy of the item right after it (without its children)."""
    actor = request_actor(request, workspace_slug)
    copy = services.item_duplicate(actor=actor, item=access_item(actor, item_key))
    return Status(201, _item_out(response, copy))


@router.get(
    ITEM + "/history",
    response={200: PageOut[HistoryOut], **ERRORS},
    operation_id="item_history_list",
)
def history(
    request: HttpRequest,
    workspace_slug: str,
    item_key: str,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[HistoryOut]:
    """Every recorded change of the item, oldest first."""
    actor = request_actor(request, workspace_slug)
    item = access_item(actor, item_key, in_trash=True)
    page = item_history(actor=actor, item=item, cursor=cursor, limit=limit)
    return PageOut[HistoryOut](
        items=[HistoryOut.of(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.get(
    ITEM + "/readiness", response={200: ReadinessOut, **ERRORS}, operation_id="item_readiness_get"
)
def readiness(request: HttpRequest, workspace_slug: str, item_key: str) -> ReadinessOut:
    """The item's Definition of Ready checklist."""
    actor = request_actor(request, workspace_slug)
    item = access_item(actor, item_key)
    return ReadinessOut.of(item, item_readiness(item))
