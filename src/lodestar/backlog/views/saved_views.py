"""Saved views on the backlog page: save the current filters and columns, rename or share a
view, delete it; and what the backlog page shows of them (the open view, the column chooser)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from lodestar.backlog.forms import FilterForm
from lodestar.backlog.permissions import BacklogPermission
from lodestar.backlog.saved_views import services
from lodestar.backlog.saved_views.access import access_saved_view
from lodestar.backlog.saved_views.forms import SavedViewForm
from lodestar.backlog.saved_views.models import COLUMN_LABELS, COLUMNS, SavedView
from lodestar.backlog.saved_views.selectors import columns_from_query, query_of, saved_view_url
from lodestar.core.errors import (
    DomainError,
    FieldError,
    Invalid,
    NotFound,
    error_sentence,
    field_sentence,
)
from lodestar.people.policy import can, refusal
from lodestar.people.selectors import member_list
from lodestar.people.web import WorkspaceRequest, is_htmx, workspace_view
from lodestar.strategy.access import access_product
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import goal_list


def page_context(request: WorkspaceRequest, product: Product) -> dict[str, Any]:
    """What the backlog page shows of saved views: the view its address opens (``view=``),
    the save form, and the optional columns shown."""
    actor = request.actor
    current: SavedView | None = None
    if request.GET.get("view"):
        try:
            current = access_saved_view(actor, product, request.GET["view"])
        except NotFound:
            current = None
    shown = columns_from_query(request.GET.get("columns"))
    editable = current is not None and services.may_change(actor, current)
    return {
        "current_view": current,
        "current_view_editable": editable,
        "current_view_changed": current is not None and _differs(request.GET, current),
        # A list fragment (a filter changed) carries this bar too, as an out-of-band swap.
        "saved_view_bar_oob": is_htmx(request)
        and not request.headers.get("HX-History-Restore-Request"),
        "save_view_form": SavedViewForm(auto_id="sv-%s"),
        "save_view_url": _url("backlog:saved_view_create", request, product),
        "can_share_view": can(actor, BacklogPermission.SHARE_VIEW),
        "column_choices": [
            {"key": c, "label": COLUMN_LABELS[c], "shown": c in shown} for c in COLUMNS
        ],
        "columns_value": "" if shown == list(COLUMNS) else ",".join(shown) or "none",
        "hidden_columns": " ".join(c for c in COLUMNS if c not in shown),
    }


# What a backlog address holds besides its filters and columns.
_NOT_FILTERS = {"view", "cursor", "fragment"}


def _params(query: QueryDict) -> dict[str, str]:
    """The filters and columns of an address, as comparable text (empty ones left out)."""
    params = {
        name: str(value).strip()
        for name, value in query.items()
        if name not in _NOT_FILTERS and str(value).strip()
    }
    if "finished" in params:
        params["finished"] = "1"  # a ticked box sends "on"
    if "assignee" in params:
        params["assignee"] = params["assignee"].lower()
    return params


def _differs(query: QueryDict, view: SavedView) -> bool:
    """Whether the address shows other filters or columns than ``view`` saved."""
    return _params(query) != _params(QueryDict(query_of(view.filters, view.columns)))


def _url(name: str, request: WorkspaceRequest, product: Product, *args: Any) -> str:
    return reverse(name, args=[request.actor.workspace.slug, product.key, *args])


def _filters_from(data: QueryDict, request: WorkspaceRequest, product: Product) -> dict[str, Any]:
    """The backlog filters the page sent, as a view stores them; a bad one is refused, named."""
    actor = request.actor
    form = FilterForm(
        data,
        goals=list(goal_list(actor=actor, product=product)),
        members=list(member_list(actor=actor)),
    )
    if not form.is_valid():
        raise Invalid.fields(
            [
                FieldError(f"filters.{name}", " ".join(str(e) for e in errors))
                for name, errors in form.errors.items()
            ]
        )
    cleaned = form.cleaned_data
    return {
        "q": cleaned.get("q") or None,
        "kind": cleaned.get("kind") or None,
        "status": cleaned.get("status") or None,
        "label": cleaned.get("label") or None,
        "assignee": cleaned.get("assignee") or None,
        "goal": cleaned.get("goal") or None,
        "flagged": cleaned.get("flagged") or None,
        "finished": bool(cleaned.get("finished")),
    }


def _form_errors(form: SavedViewForm, error: DomainError) -> None:
    if isinstance(error, Invalid) and error.errors:
        for field_error in error.errors:
            if field_error.field in form.fields:
                message = field_error.message[:1].upper() + field_error.message[1:]
                form.add_error(field_error.field, message.rstrip(".") + ".")
            else:
                form.add_error(None, field_sentence(field_error))
    else:
        form.add_error(None, error_sentence(error))


@require_POST
@workspace_view
def saved_view_create(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """Save the backlog's current filters and columns under a name (the page's dialog posts
    them with the filter form's fields; without a script, as the ``query`` it was shown)."""
    actor = request.actor
    product = access_product(actor, product_key)
    form = SavedViewForm(request.POST, auto_id="sv-%s")
    sent = request.POST if "q" in request.POST else QueryDict(request.POST.get("query", ""))
    if form.is_valid():
        try:
            view = services.saved_view_create(
                actor=actor,
                product=product,
                name=form.cleaned_data["name"],
                shared=form.cleaned_data["shared"],
                filters=_filters_from(sent, request, product),
                columns=columns_from_query(sent.get("columns")),
            )
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"Saved the view “{view.name}”.")
            target = saved_view_url(view)
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    context = {
        "save_view_form": form,
        "save_view_url": _url("backlog:saved_view_create", request, product),
        "can_share_view": can(actor, BacklogPermission.SHARE_VIEW),
        "product": product,
    }
    if is_htmx(request):
        return render(request, "backlog/saved_views/_save_form.html", context, status=422)
    for problem in form.errors.get("__all__", []) + form.errors.get("name", []):
        messages.error(request, str(problem))
    return redirect(_url("backlog:backlog", request, product) + "?" + sent.urlencode())


@require_http_methods(["GET", "POST"])
@workspace_view
def saved_view_edit(request: WorkspaceRequest, product_key: str, view_id: int) -> HttpResponse:
    """Rename a view or share it (or make it personal again); its owner, or for a shared
    view an owner or admin."""
    actor = request.actor
    product = access_product(actor, product_key)
    view = access_saved_view(actor, product, view_id)
    if not services.may_change(actor, view):
        raise refusal(BacklogPermission.MANAGE_SHARED_VIEWS)
    form = SavedViewForm(
        request.POST if request.method == "POST" else None,
        initial={"name": view.name, "shared": view.shared},
        auto_id="sv-%s",
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.saved_view_update(
                actor=actor,
                view=view,
                name=form.cleaned_data["name"],
                shared=form.cleaned_data["shared"],
            )
        except DomainError as error:
            _form_errors(form, error)
            status = error.status
        else:
            messages.success(request, f"Saved the view “{view.name}”.")
            return redirect(saved_view_url(view))
    return render(
        request,
        "backlog/saved_views/edit.html",
        {
            "product": product,
            "view": view,
            "view_url": saved_view_url(view),
            "form": form,
            "can_share_view": can(actor, BacklogPermission.SHARE_VIEW),
            "backlog_url": _url("backlog:backlog", request, product),
        },
        status=status,
    )


@require_POST
@workspace_view
def saved_view_refilter(request: WorkspaceRequest, product_key: str, view_id: int) -> HttpResponse:
    """Replace a view's filters and columns with those the backlog shows now (the page sends
    the filter form's fields)."""
    actor = request.actor
    product = access_product(actor, product_key)
    view = access_saved_view(actor, product, view_id)
    try:
        services.saved_view_update(
            actor=actor,
            view=view,
            filters=_filters_from(request.POST, request, product),
            columns=columns_from_query(request.POST.get("columns")),
        )
    except DomainError as error:
        messages.error(request, error_sentence(error))
    else:
        messages.success(request, f"Updated the view “{view.name}” to these filters.")
    target = saved_view_url(view)
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@require_POST
@workspace_view
def saved_view_delete(request: WorkspaceRequest, product_key: str, view_id: int) -> HttpResponse:
    actor = request.actor
    product = access_product(actor, product_key)
    view = access_saved_view(actor, product, view_id)
    name = view.name
    services.saved_view_delete(actor=actor, view=view)
    messages.success(request, f"Deleted the view “{name}”.")
    return redirect(_url("backlog:backlog", request, product))
