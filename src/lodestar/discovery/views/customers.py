"""The customer pages: customers with their ARR and how much was heard from them, and a
customer with everything heard from them, their contacts, the problems their feedback
supports; renaming, and merging into another customer after saying what moves."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import Invalid, StaleVersion
from lodestar.core.pagination import paginate
from lodestar.discovery import services
from lodestar.discovery.access import access_customer
from lodestar.discovery.forms import ContactForm, CustomerEditForm, CustomerForm, MergeForm
from lodestar.discovery.models import Customer
from lodestar.discovery.page_exports import customers_csv
from lodestar.discovery.permissions import DiscoveryPermission
from lodestar.discovery.refs import customer_ref
from lodestar.discovery.selectors import (
    FeedbackFilters,
    contact_list,
    customer_choices,
    customer_list,
    customer_problems,
    customer_segments,
    feedback_list,
    merge_preview,
)
from lodestar.discovery.views.feedback import apply_service_errors
from lodestar.people.policy import Permission, can, require
from lodestar.people.web import WorkspaceRequest, workspace_view

PAGE_SIZE = 50


def _customer_url(request: WorkspaceRequest, customer: Customer) -> str:
    return reverse(
        "discovery:customer_detail",
        kwargs={"workspace_slug": request.workspace.slug, "customer_id": customer.pk},
    )


# -- the list ------------------------------------------------------------------------------------


def _list_page(
    request: WorkspaceRequest, form: CustomerForm | None = None, status: int = 200
) -> HttpResponse | StreamingHttpResponse:
    actor = request.actor
    segments = customer_segments(actor=actor)
    segment = request.GET.get("segment")
    segment = segment if segment in segments else None
    if wants_csv(request):
        return customers_csv(request, customer_list(actor=actor, segment=segment))
    page = paginate(
        customer_list(actor=actor, segment=segment),
        order=["name", "id"],
        cursor=request.GET.get("cursor"),
        limit=PAGE_SIZE,
    )
    keep = {"segment": segment} if segment else {}
    return render(
        request,
        "discovery/customers/list.html",
        {
            "tab": "customers",
            "rows": page.items,
            "segments": segments,
            "segment": segment,
            "next_url": "?" + urlencode({**keep, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "first_url": "?" + urlencode(keep) if request.GET.get("cursor") else "",
            "writes": can(actor, Permission.EDIT_CONTENT),
            "form": form or CustomerForm(currency=request.workspace.currency),
            "currency": request.workspace.currency,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@workspace_view
def customer_list_page(request: WorkspaceRequest) -> HttpResponse | StreamingHttpResponse:
    """Customers by name with their segment, plan, ARR and feedback; writers add one here."""
    if request.method != "POST":
        return _list_page(request)
    form = CustomerForm(request.POST, currency=request.workspace.currency)
    if not form.is_valid():
        return _list_page(request, form, status=422)
    try:
        customer = services.customer_create(actor=request.actor, **form.cleaned_data)
    except Invalid as error:
        apply_service_errors(form, error)
        return _list_page(request, form, status=422)
    messages.success(request, f"{customer.name} added.")
    return redirect(_customer_url(request, customer))


# -- one customer --------------------------------------------------------------------------------


def _detail_page(
    request: WorkspaceRequest,
    customer: Customer,
    *,
    form: CustomerEditForm | None = None,
    contact_form: ContactForm | None = None,
    merge_form: MergeForm | None = None,
    merge_target: Customer | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    currency = request.workspace.currency
    page = paginate(
        feedback_list(actor=actor, filters=FeedbackFilters(customer_id=customer.pk)),
        order=["-received_at", "-id"],
        cursor=request.GET.get("cursor"),
        limit=PAGE_SIZE,
    )
    writes = can(actor, Permission.EDIT_CONTENT)
    merges = can(actor, DiscoveryPermission.MERGE_CUSTOMERS)
    return render(
        request,
        "discovery/customers/detail.html",
        {
            "tab": "customers",
            "customer": customer,
            "feedback": page.items,
            "next_url": "?" + urlencode({"cursor": page.next_cursor}) if page.next_cursor else "",
            "first_url": "?" if request.GET.get("cursor") else "",
            "contacts": contact_list(actor=actor, customer=customer).order_by("name", "email"),
            "problems": customer_problems(customer=customer).select_related("owner__user"),
            "writes": writes,
            "merges": merges,
            "currency": currency,
            "form": form
            or CustomerEditForm(
                currency=currency,
                initial={
                    "name": customer.name,
                    "segment": customer.segment,
                    "plan": customer.plan,
                    "arr": "" if customer.arr is None else customer.arr,
                    "external_id": customer.external_id,
                    "notes": customer.notes,
                    "version": customer.version,
                },
            ),
            "contact_form": contact_form or ContactForm(),
            "merge_form": merge_form if merge_target is None and merge_form else MergeForm(),
            "confirm_form": merge_form if merge_target is not None else None,
            "merge_target": merge_target,
            "moves": merge_preview(source=customer) if merges else None,
            "customers": [c for c in customer_choices(actor=actor) if c.pk != customer.pk]
            if merges
            else [],
            "segments": customer_segments(actor=actor) if writes else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@workspace_view
def customer_detail(request: WorkspaceRequest, customer_id: int) -> HttpResponse:
    """Everything heard from the customer; writers rename it or change its details here."""
    actor = request.actor
    customer = access_customer(actor, customer_id)
    if request.method != "POST":
        return _detail_page(request, customer)
    form = CustomerEditForm(request.POST, currency=request.workspace.currency)
    if not form.is_valid():
        return _detail_page(request, customer, form=form, status=422)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        services.customer_update(actor=actor, customer=customer, expected_version=version, **data)
    except Invalid as error:
        apply_service_errors(form, error)
        return _detail_page(request, customer, form=form, status=422)
    except StaleVersion:
        messages.warning(
            request, "Someone else changed this customer meanwhile: here it is now. Edit again."
        )
        return _detail_page(request, access_customer(actor, customer_id), status=412)
    messages.success(request, "Customer saved.")
    return redirect(_customer_url(request, customer))


@require_POST
@workspace_view
def contact_add(request: WorkspaceRequest, customer_id: int) -> HttpResponse:
    actor = request.actor
    customer = access_customer(actor, customer_id)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, customer, contact_form=form, status=422)
    try:
        contact = services.contact_create(actor=actor, customer=customer, **form.cleaned_data)
    except Invalid as error:
        apply_service_errors(form, error)
        return _detail_page(request, customer, contact_form=form, status=422)
    messages.success(request, f"{contact} added to {customer.name}'s contacts.")
    return redirect(_customer_url(request, customer) + "#contacts")


@require_POST
@workspace_view
def customer_merge(request: WorkspaceRequest, customer_id: int) -> HttpResponse:
    """Merge the customer into another: first the page says what moves, then, confirmed, it
    moves."""
    actor = request.actor
    customer = access_customer(actor, customer_id)
    require(actor, DiscoveryPermission.MERGE_CUSTOMERS)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, customer, merge_form=form, status=422)
    try:
        target = customer_ref(actor, form.cleaned_data["target"], field="target")
        if not form.cleaned_data["confirm"]:
            if target.pk == customer.pk:
                raise Invalid.field("target", "is this customer; pick another one")
            confirm = MergeForm(initial={"target": str(target.pk), "confirm": True})
            return _detail_page(request, customer, merge_form=confirm, merge_target=target)
        services.customer_merge(actor=actor, source=customer, target=target)
    except Invalid as error:
        apply_service_errors(form, error)
        return _detail_page(request, customer, merge_form=form, status=422)
    messages.success(request, f"{customer.name} merged into {target.name}.")
    return redirect(_customer_url(request, target))
