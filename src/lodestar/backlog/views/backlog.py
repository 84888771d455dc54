"""The Product Backlog page: the ordered list, its filters and pages, inline create, moves."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from lodestar.backlog import services
from lodestar.backlog.access import access_item
from lodestar.backlog.forms import FilterForm, ItemCreateForm, MoveForm
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.refs import item_ref_or_none
from lodestar.backlog.selectors import BacklogFilters, backlog_list, item_queryset
from lodestar.backlog.views import saved_views
from lodestar.backlog.views._common import (
    ORDER_HINT,
    PAGE_SIZE,
    ROW_FRAMEWORKS,
    Rights,
    rights_for,
    rows_for,
)
from lodestar.core.errors import DomainError, Forbidden, Invalid, StaleVersion, error_sentence
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
    params.update({name: value for name, value in extra.items() if value})
    return urlencode(params)


def _backlog_context(
    request: WorkspaceRequest,
    product: Product,
    *,
    create_form: ItemCreateForm | None = None,
) -> tuple[dict[str, Any], int]:
    """Everything the backlog page shows, in a number of queries that does not grow with the
    page size: the items (with labels), their scores, then the goals and members for menus."""
    actor = request.actor
    goals = list(goal_list(actor=actor, product=product))
    members = list(member_list(actor=actor))
    form = FilterForm(request.GET, goals=goals, members=members, auto_id="filter-%s")
    status = 200 if form.is_valid() else 422
    cursor = request.GET.get("cursor") or None
    page = backlog_list(
        actor=actor, product=product, filters=_filters(form), cursor=cursor, limit=PAGE_SIZE
    )
    rights = rights_for(actor, product)
    base = reverse("backlog:backlog", args=[actor.workspace.slug, product.key])
    return {
        "product": product,
        "goal": active_goal(product),
        "tab": "backlog",
        "rights": rights,
        "order_hint": ORDER_HINT,
        "rows": rows_for(actor, page.items),
        "frameworks": ROW_FRAMEWORKS,
        "filters": form,
        "filtered": status == 200 and form.active,
        "next_url": f"{base}?{_query(form, cursor=page.next_cursor or '', fragment='rows')}"
        if page.next_cursor
        else "",
        "more": page.next_cursor is not None,
        "first_page": cursor is None,
        "create_form": create_form or ItemCreateForm(goals=goals, auto_id="create-%s"),
        "backlog_url": base,
        **saved_views.page_context(request, product),
    }, status


@require_http_methods(["GET", "POST"])
@workspace_view
def backlog(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """The product's backlog in the product owner's order; members add items by posting here.

    htmx asks for the next page (``fragment=rows``) or, when a filter changes, the list body;
    anything else gets the whole page.
    """
    actor = request.actor
    product = product_detail(actor=actor, product=access_product(actor, product_key))
    if request.method == "POST":
        return _create(request, product)
    context, status = _backlog_context(request, product)
    if is_htmx(request) and not request.headers.get("HX-History-Restore-Request"):
        fragment = request.GET.get("fragment")
        template = "backlog/_rows.html" if fragment == "rows" else "backlog/_body.html"
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
        detail = f"{error.detail} Changed by someone else: reload the backlog to see their change."
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
