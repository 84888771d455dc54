"""The Product Backlog page: the ordered list, its filters and pages, inline create, moves."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from lodestar.backlog import services
from lodestar.backlog.access import access_item
from lodestar.backlog.forms import (
    CLEAR,
    KEEP,
    SORT_NAMES,
    BulkForm,
    FilterForm,
    ItemCreateForm,
    MoveForm,
    label_names,
)
from lodestar.backlog.live import backlog_stamp
from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.refs import item_ref, item_ref_or_none, item_refs
from lodestar.backlog.selectors import (
    BacklogFilters,
    backlog_by_epic,
    backlog_list,
    backlog_totals,
    backlog_tree,
    epic_items,
    item_queryset,
    team_velocity,
)
from lodestar.backlog.views import saved_views
from lodestar.backlog.views._common import (
    ORDER_HINT,
    PAGE_SIZE,
    ROW_FRAMEWORKS,
    Rights,
    rights_for,
    rows_for,
)
from lodestar.backlog.views.export import backlog_csv
from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import (
    DomainError,
    FieldError,
    Forbidden,
    Invalid,
    StaleVersion,
    error_sentence,
)
from lodestar.core.live import etag, poll_attributes
from lodestar.core.pagination import Page
from lodestar.people.refs import member_ref
from lodestar.people.selectors import member_list
from lodestar.people.web import WorkspaceRequest, apply_errors, is_htmx, workspace_view
from lodestar.strategy.access import access_product
from lodestar.strategy.models import Product
from lodestar.strategy.refs import goal_ref
from lodestar.strategy.selectors import active_goal, goal_list, product_detail


def _filters(form: FilterForm) -> BacklogFilters:
    """The filters the form holds; a field that failed its check is left out (and shown)."""
    data: dict[str, Any] = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    goal = data.get("goal")
    flagged = data.get("flagged")
    return BacklogFilters(
        kind=data.get("kind") or None,
        status=data.get("status") or None,
        label=data.get("label") or None,
        assignee=data.get("assignee") or None,
        goal=int(goal) if goal else None,
        flagged=None if not flagged else flagged == "1",
        q=data.get("q") or None,
        # Shown when asked for, or when the status filter picks a finished status itself.
        finished=None if data.get("finished") or data.get("status") else False,
    )


def _query(form: FilterForm, **extra: str) -> str:
    """The filter part of a URL (to fetch the next page with the same filters)."""
    data: dict[str, Any] = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    params = {name: str(value) for name, value in data.items() if value}
    params.update(extra)
    params = {name: value for name, value in params.items() if value}
    return urlencode(params)


# -- the list as a tree, or grouped by epic ---------------------------------------------------

GROUPS = ("epic",)


def _grouping(listing: dict[str, Any]) -> dict[str, str]:
    """What a next page's address needs to stay in the same view (and section)."""
    extra = {"group": listing.get("group", "")}
    if listing.get("section"):
        extra["epic"] = listing["section"]
    return extra


def _next_url(base: str, form: FilterForm, cursor: str | None, listing: dict[str, Any]) -> str:
    if not cursor:
        return ""
    return f"{base}?{_query(form, cursor=cursor, fragment='rows', **_grouping(listing))}"


def _listing(
    request: WorkspaceRequest, product: Product, form: FilterForm, cursor: str | None, base: str
) -> tuple[dict[str, Any], Any]:
    """The rows the list shows, and the page they come from: the backlog as a tree (children
    under their parent), or, with ``?group=epic``, a section per epic (a next page of one
    section is ``?group=epic&epic=ACME-2&cursor=...``; "none" is the "No epic" section)."""
    actor = request.actor
    filters = _filters(form)
    group = request.GET.get("group", "")
    if group not in ("", *GROUPS):
        tree = backlog_tree(actor=actor, product=product, filters=filters, limit=PAGE_SIZE)
        error = f"Group: {group[:40]!r} is not a way to group; use group=epic or leave it out."
        return {"group_error": error}, tree
    if not group:
        tree = backlog_tree(
            actor=actor, product=product, filters=filters, cursor=cursor, limit=PAGE_SIZE
        )
        return {}, tree
    section = request.GET.get("epic", "")
    if section and request.GET.get("fragment") == "rows":
        epic = None if section == "none" else item_ref(actor, section, field="epic")
        page = epic_items(
            actor=actor, product=product, epic=epic, filters=filters, cursor=cursor,
            limit=PAGE_SIZE,
        )  # fmt: skip
        return {"group": group, "section": section}, page
    grouped = backlog_by_epic(
        actor=actor, product=product, filters=filters, cursor=cursor, limit=PAGE_SIZE
    )
    everything = [item for s in grouped.sections for item in s.items]
    rows = iter(rows_for(actor, everything))
    shown = []
    for s in grouped.sections:
        key = s.epic.key if s.epic is not None else "none"
        more = (
            f"{base}?{_query(form, group=group, epic=key, cursor=s.next_cursor, fragment='rows')}"
            if s.next_cursor
            else ""
        )
        shown.append(
            {"section": s, "key": key, "rows": [next(rows) for _ in s.items], "more": more}
        )
    more_epics = (
        f"{base}?{_query(form, group=group, cursor=grouped.next_cursor, fragment='groups')}"
        if grouped.next_cursor
        else ""
    )
    listing = {"group": group, "sections": shown, "more_epics": more_epics}
    return listing, Page[BacklogItem](items=[], next_cursor=None)


# Columns whose header sorts the list, and the direction a first click sorts them in.
SORTABLE = {
    "key": "key",
    "title": "title",
    "rice": "-rice",
    "wsjf": "-wsjf",
    "estimate": "-estimate",
}


def _sorting(form: FilterForm, base: str) -> dict[str, Any]:
    """The list's reading order: what it is sorted by, the link back to the backlog order
    (the same filters, no sort), and each sortable header's link and state."""
    data: dict[str, Any] = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    sort = data.get("sort") or ""
    field = sort.removeprefix("-")
    headers: dict[str, dict[str, str]] = {}
    for column, first in SORTABLE.items():
        # A second click on the sorted column turns its direction around.
        target = (sort[1:] if sort.startswith("-") else f"-{sort}") if field == column else first
        state = ("descending" if sort.startswith("-") else "ascending") if field == column else ""
        headers[column] = {"url": f"{base}?{_query(form, sort=target)}", "state": state}
    score_headers = [
        {**headers[framework.value], "label": framework.display_name, "counter": str(number)}
        for number, framework in enumerate(ROW_FRAMEWORKS, start=1)
    ]
    return {
        "sort": sort,
        "sorted_by": SORT_NAMES.get(field, ""),
        "unsorted_url": f"{base}?{_query(form, sort='')}".rstrip("?"),
        "headers": headers,
        "score_headers": score_headers,
    }


def _backlog_context(
    request: WorkspaceRequest,
    product: Product,
    *,
    create_form: ItemCreateForm | None = None,
) -> tuple[dict[str, Any], int]:
    """Everything the backlog page shows, in a number of queries that does not grow with the
    page size: the items (with labels), their scores, then the goals and members for menus."""
    actor = request.actor
    # Read before the list, so a change made meanwhile makes the first poll refresh it.
    live_tag = etag(*backlog_stamp(product))
    goals = list(goal_list(actor=actor, product=product))
    members = list(member_list(actor=actor))
    form = FilterForm(request.GET, goals=goals, members=members, auto_id="filter-%s")
    status = 200 if form.is_valid() else 422
    cursor = request.GET.get("cursor") or None
    base = reverse("backlog:backlog", args=[actor.workspace.slug, product.key])
    sorting = _sorting(form, base)
    listing: dict[str, Any] = {}
    if sorting["sort"]:
        # Sorted for reading: one flat list (the tree and the epics are the backlog's order).
        page = backlog_list(
            actor=actor,
            product=product,
            filters=_filters(form),
            cursor=cursor,
            limit=PAGE_SIZE,
            sort=sorting["sort"],
        )
    else:
        listing, page = _listing(request, product, form, cursor, base)
    if listing.get("group_error"):
        status = 422
    rights = rights_for(actor, product)
    return {
        **listing,
        **sorting,
        "totals": backlog_totals(actor=actor, product=product, filters=_filters(form)),
        "velocity": team_velocity(product),
        "bulk_form": BulkForm(
            goals=goals,
            members=members,
            scale=[str(v) for v in product.estimate_scale],
            auto_id="bulk-%s",
        ),
        "product": product,
        "goal": active_goal(product),
        "tab": "backlog",
        "rights": rights,
        "order_hint": ORDER_HINT,
        "rows": rows_for(actor, page.items),
        "frameworks": ROW_FRAMEWORKS,
        "filters": form,
        "filtered": status == 200 and form.active,
        "next_url": _next_url(base, form, page.next_cursor, listing),
        "more": page.next_cursor is not None,
        "first_page": cursor is None,
        "create_form": create_form or ItemCreateForm(goals=goals, auto_id="create-%s"),
        "backlog_url": base,
        # The list reloads itself (with its filters) on "backlog-changed".
        "live": poll_attributes(
            reverse("backlog:backlog_live", args=[actor.workspace.slug, product.key]),
            live_tag,
            "the backlog",
        )
        | {"event": "backlog-changed"},
        **saved_views.page_context(request, product),
    }, status


@require_http_methods(["GET", "POST"])
@workspace_view
def backlog(request: WorkspaceRequest, product_key: str) -> HttpResponse | StreamingHttpResponse:
    """The product's backlog in the product owner's order; members add items by posting here.

    htmx asks for the next page (``fragment=rows``) or, when a filter changes, the list body;
    anything else gets the whole page.
    """
    actor = request.actor
    product = product_detail(actor=actor, product=access_product(actor, product_key))
    if request.method == "POST":
        return _create(request, product)
    if wants_csv(request):
        return backlog_csv(request, product, _filters)
    context, status = _backlog_context(request, product)
    if is_htmx(request) and not request.headers.get("HX-History-Restore-Request"):
        fragment = request.GET.get("fragment")
        template = {"rows": "backlog/_rows.html", "groups": "backlog/_group_sections.html"}.get(
            fragment or "", "backlog/_body.html"
        )
        # The headers (outside the list) show the list's sort too.
        context["oob_head"] = template == "backlog/_body.html"
        return render(request, template, context, status=status)
    return render(request, "backlog/backlog.html", context, status=status)


def _create(request: WorkspaceRequest, product: Product) -> HttpResponse:
    actor = request.actor
    goals = list(goal_list(actor=actor, product=product))
    form = ItemCreateForm(request.POST, goals=goals, auto_id="create-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = services.item_create(
                actor=actor,
                product=product,
                title=data["title"],
                kind=data["kind"],
                goal=goal_ref(actor, product, data["goal"] or None),
                position=data["position"],
            )
        except Invalid as error:
            apply_errors(form, error)
        else:
            where = "top" if data["position"] == "top" else "bottom"
            messages.success(request, f"{item.key} added at the {where} of the backlog.")
            if not is_htmx(request):
                return redirect(
                    "backlog:backlog", workspace_slug=actor.workspace.slug, product_key=product.key
                )
            return _new_row(request, product, item, where)
    if not is_htmx(request):
        context, _ = _backlog_context(request, product, create_form=form)
        return render(request, "backlog/backlog.html", context, status=422)
    # The form comes back with its errors in place of itself, not in the list.
    response = render(
        request,
        "backlog/_create.html",
        {
            "create_form": form,
            "rights": rights_for(actor, product),
            "backlog_url": reverse("backlog:backlog", args=[actor.workspace.slug, product.key]),
        },
        status=422,
    )
    response["HX-Retarget"] = "#bl-create"
    response["HX-Reswap"] = "outerHTML"
    return response


def _new_row(
    request: WorkspaceRequest, product: Product, item: BacklogItem, where: str
) -> HttpResponse:
    fresh = item_queryset().get(pk=item.pk)
    rights: Rights = rights_for(request.actor, product)
    response = render(
        request,
        "backlog/_row.html",
        {"row": rows_for(request.actor, [fresh])[0], "rights": rights, "fresh": True},
    )
    response["HX-Reswap"] = "afterbegin" if where == "top" else "beforeend"
    return response


# -- moving -----------------------------------------------------------------------------------


@require_POST
@workspace_view
def item_move(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """Move an item (a drop, or alt+arrow): JSON for the script, which reverts on an error."""
    try:
        item = access_item(request.actor, item_key)
        form = MoveForm(request.POST)
        if not form.is_valid():
            raise Invalid("Send before, after or position, and the version.")
        data = form.cleaned_data
        moved = services.item_move(
            actor=request.actor,
            item=item,
            before=item_ref_or_none(request.actor, data["before"] or None, field="before"),
            after=item_ref_or_none(request.actor, data["after"] or None, field="after"),
            position=data["position"] or None,
            expected_version=data["version"],
        )
    except Forbidden as error:
        return JsonResponse({"detail": f"{error.detail} {ORDER_HINT}"}, status=error.status)
    except StaleVersion as error:
        # The refusal names who changed the item and when, when its history says.
        detail = (
            error.detail
            if error.changed_by
            else f"{error.detail} Changed by someone else: reload the backlog to see their change."
        )
        return JsonResponse({"detail": detail}, status=error.status)
    except DomainError as error:
        return JsonResponse({"detail": error_sentence(error)}, status=error.status)
    where = (
        f"before {data['before']}"
        if data["before"]
        else f"after {data['after']}"
        if data["after"]
        else f"to the {data['position']}"
    )
    return JsonResponse(
        {"key": moved.key, "version": moved.version, "message": f"Moved {moved.key} {where}."}
    )


# -- bulk edit ----------------------------------------------------------------------------------


def _bulk_change(
    request: WorkspaceRequest, product: Product, data: dict[str, Any]
) -> tuple[services.BulkChange, str]:
    """The change the action bar asks for, and how the confirmation says it."""
    actor = request.actor
    if data["delete"]:
        return services.BulkChange(delete=True), "moved to the trash"
    fields: dict[str, Any] = {}
    said: list[str] = []
    if data["status"] != KEEP:
        fields["status"] = data["status"]
        said.append(f"status {ItemStatus(data['status']).label}")
    if data["assignee"] != KEEP:
        who = data["assignee"]
        fields["assignee"] = None if who == CLEAR else member_ref(actor, who, field="assignee")
        said.append(
            "no assignee" if who == CLEAR else f"assigned to {fields['assignee'].user.display_name}"
        )
    if data["goal"] != KEEP:
        fields["goal"] = None if data["goal"] == CLEAR else goal_ref(actor, product, data["goal"])
        said.append("no goal" if data["goal"] == CLEAR else "goal set")
    if data["estimate"] != KEEP:
        fields["estimate"] = None if data["estimate"] == CLEAR else data["estimate"]
        said.append(
            "not estimated" if data["estimate"] == CLEAR else f"estimate {data['estimate']}"
        )
    added, removed = label_names(data["add_labels"]), label_names(data["remove_labels"])
    if added:
        said.append("labels added: " + ", ".join(added))
    if removed:
        said.append("labels removed: " + ", ".join(removed))
    if data["position"]:
        said.append(f"moved to the {data['position']}")
    change = services.BulkChange(
        **fields, add_labels=added, remove_labels=removed, position=data["position"] or None
    )
    return change, "; ".join(said)


def _versions(request: WorkspaceRequest, items: list[BacklogItem]) -> dict[int, int]:
    """The versions the page showed, sent one per item beside the keys (when the script sent
    them): a stale one refuses the batch."""
    sent = request.POST.getlist("version")
    if len(sent) != len(items):
        return {}
    return {item.pk: int(v) for item, v in zip(items, sent, strict=True) if v.isdigit()}


@require_POST
@workspace_view
def bulk(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """The action bar: one change for the selected items, all or nothing. htmx gets an empty
    answer that tells the list to reload (with its filters and sort); a refusal changes
    nothing and says which item and field (``workspace_view`` says it), and the selection
    stays."""
    actor = request.actor
    product = access_product(actor, product_key)
    form = BulkForm(
        request.POST,
        goals=list(goal_list(actor=actor, product=product)),
        members=list(member_list(actor=actor)),
        scale=[str(v) for v in product.estimate_scale],
    )
    if not form.is_valid():
        raise Invalid.fields(
            [
                FieldError(name, " ".join(str(message) for message in errors))
                for name, errors in form.errors.items()
            ]
        )
    items = item_refs(actor, form.keys())
    change, said = _bulk_change(request, product, form.cleaned_data)
    changed = services.items_update_many(
        actor=actor,
        product=product,
        items=items,
        change=change,
        versions=_versions(request, items),
    )
    count = len(changed)
    messages.success(request, f"{count} item{'s' if count != 1 else ''}: {said}.")
    if not is_htmx(request):
        return redirect(
            "backlog:backlog", workspace_slug=actor.workspace.slug, product_key=product.key
        )
    return HttpResponse(headers={"HX-Trigger": "backlog-changed", "HX-Reswap": "none"})
