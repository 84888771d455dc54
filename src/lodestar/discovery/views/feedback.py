"""The feedback pages: the inbox (triage, archive, link to a problem, by keyboard too), capturing
feedback, and a piece of feedback with its insights, where a selected phrase becomes one.

Views are thin: access, then a service or a selector, then a page. The forms check shape; the
services decide, and their errors land on the fields they name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import Invalid
from lodestar.core.pagination import paginate
from lodestar.discovery import services
from lodestar.discovery.access import access_feedback
from lodestar.discovery.forms import (
    FeedbackForm,
    InsightForm,
    LinkProblemForm,
    problem_label,
    split_list,
)
from lodestar.discovery.models import Contact, Customer, Feedback, FeedbackSource, FeedbackState
from lodestar.discovery.page_exports import feedback_csv
from lodestar.discovery.refs import contact_ref, customer_ref, participant_refs
from lodestar.discovery.selectors import (
    FeedbackFilters,
    customer_choices,
    feedback_list,
    feedback_state_counts,
    insight_list,
    problem_choices,
    similar_to,
)
from lodestar.discovery.views._pages import (
    highlight_segments,
    picked_problem,
    shown_to_raw,
)
from lodestar.people.policy import Actor, Permission, can, require
from lodestar.people.web import WorkspaceRequest, is_htmx, workspace_view
from lodestar.strategy.refs import product_ref_or_none
from lodestar.strategy.selectors import product_list

STATES = [("new", "New"), ("triaged", "Triaged"), ("archived", "Archived"), ("all", "All")]
PAGE_SIZE = 50


def apply_service_errors(form: Any, error: Invalid) -> None:
    """A service's field errors on the form's fields; an indexed field (``tags[1]``,
    ``participants[0]``) lands on its field, saying which entry is wrong."""
    if not error.errors:
        form.add_error(None, error.detail)
        return
    for field_error in error.errors:
        name, _, index = field_error.field.partition("[")
        message = field_error.message[:1].upper() + field_error.message[1:]
        if index:
            message = f"Entry {int(index.rstrip(']')) + 1}: {field_error.message}"
        form.add_error(name if name in form.fields else None, message.rstrip(".") + ".")


def _feedback_url(request: WorkspaceRequest, feedback: Feedback) -> str:
    return reverse(
        "discovery:feedback_detail",
        kwargs={"workspace_slug": request.workspace.slug, "feedback_id": feedback.pk},
    )


def _safe_next(request: WorkspaceRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _problem_options(actor: Actor) -> list[str]:
    return [problem_label(p) for p in problem_choices(actor=actor)]


# -- the inbox -----------------------------------------------------------------------------------


def _filters(request: WorkspaceRequest) -> dict[str, str]:
    """The inbox's filters as the query string gives them; unknown values are ignored."""
    query = request.GET
    state = query.get("state", "new")
    customer = query.get("customer", "").strip()
    return {
        "state": state if state in dict(STATES) else "new",
        "source": query.get("source", "") if query.get("source") in FeedbackSource.values else "",
        "customer": customer if customer.isdigit() and len(customer) < 19 else "",
        "tag": " ".join(query.get("tag", "").split()).lower()[:40],
    }


@require_GET
@workspace_view
def inbox(request: WorkspaceRequest) -> HttpResponse | StreamingHttpResponse:
    """Feedback newest first, the new by default, with its triage actions and shortcuts."""
    actor = request.actor
    chosen = _filters(request)
    rows = feedback_list(
        actor=actor,
        filters=FeedbackFilters(
            state=None if chosen["state"] == "all" else chosen["state"],
            source=chosen["source"] or None,
            customer_id=int(chosen["customer"]) if chosen["customer"] else None,
            tag=chosen["tag"] or None,
        ),
    )
    if wants_csv(request):
        return feedback_csv(request, rows)
    page = paginate(
        rows, order=["-received_at", "-id"], cursor=request.GET.get("cursor"), limit=PAGE_SIZE
    )
    counts = feedback_state_counts(actor=actor)
    counts["all"] = sum(counts.values())
    kept = {k: v for k, v in chosen.items() if v and k != "state"}
    return render(
        request,
        "discovery/feedback/inbox.html",
        {
            "tab": "feedback",
            "rows": page.items,
            "next_url": "?" + urlencode({**chosen, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "first_url": "?" + urlencode(chosen) if request.GET.get("cursor") else "",
            "chosen": chosen,
            "states": [
                (key, label, counts[key], "?" + urlencode({**kept, "state": key}))
                for key, label in STATES
            ],
            "filtered": bool(kept),
            "sources": FeedbackSource.choices,
            "customers": customer_choices(actor=actor),
            "writes": can(actor, Permission.EDIT_CONTENT),
            "problem_options": _problem_options(actor),
            "link_form": LinkProblemForm(auto_id="link_%s"),
            "here": request.get_full_path(),
        },
    )


def _row(request: WorkspaceRequest, feedback: Feedback) -> Feedback:
    """The row as the inbox lists it (with its insight count)."""
    return feedback_list(actor=request.actor).get(pk=feedback.pk)


@require_POST
@workspace_view
def feedback_state(request: WorkspaceRequest, feedback_id: int) -> HttpResponse:
    """Triage, archive or reopen feedback. From the inbox (htmx) the row answers: itself, or a
    line with an undo when it no longer belongs in the state the inbox shows."""
    actor = request.actor
    feedback = access_feedback(actor, feedback_id)
    state = request.POST.get("state", "")
    if state not in FeedbackState.values:
        raise Invalid.field("state", f"must be one of {', '.join(FeedbackState.values)}")
    services.feedback_update(actor=actor, feedback=feedback, state=state)
    label = FeedbackState(state).label.lower()
    if is_htmx(request):
        shown = request.POST.get("shown", "all")
        context = {
            "row": _row(request, feedback),
            "writes": True,
            "shown": shown,
            "here": request.POST.get("next", ""),
        }
        if shown not in ("all", state):
            return render(request, "discovery/feedback/_row_gone.html", context)
        return render(request, "discovery/feedback/_row.html", context)
    messages.success(request, f"Feedback {label}.")
    return redirect(_safe_next(request, _feedback_url(request, feedback)))


# -- capture -------------------------------------------------------------------------------------


def _capture_page(request: WorkspaceRequest, form: FeedbackForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "discovery/feedback/capture.html",
        {
            "tab": "feedback",
            "form": form,
            "customers": customer_choices(actor=request.actor),
        },
        status=status,
    )


def _customer_for(actor: Actor, name: str, *, create: bool) -> Customer | None:
    if not name:
        return None
    try:
        return customer_ref(actor, name)
    except Invalid:
        if not create:
            raise Invalid.field(
                "customer",
                f"there is no customer '{name}' yet: tick “Create it as a new customer”, or "
                "pick one from the list",
            ) from None
    return services.customer_create(actor=actor, name=name)


def _contact_for(actor: Actor, email: str, customer: Customer | None) -> Contact | None:
    if not email:
        return None
    try:
        return contact_ref(actor, email)
    except Invalid:
        return services.contact_create(actor=actor, customer=customer, email=email)


@require_http_methods(["GET", "POST"])
@workspace_view
def capture(request: WorkspaceRequest) -> HttpResponse:
    """Capture feedback; a new customer or contact is created with it, or nothing is."""
    actor = request.actor
    require(actor, Permission.EDIT_CONTENT)
    products = list(product_list(actor=actor, owners=False))
    if request.method != "POST":
        initial = {"customer": request.GET.get("customer", "")[:200]}
        return _capture_page(request, FeedbackForm(products=products, initial=initial))
    form = FeedbackForm(request.POST, products=products)
    if not form.is_valid():
        return _capture_page(request, form, status=422)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            members, contacts = participant_refs(actor, split_list(data["participants"]))
            customer = _customer_for(actor, data["customer"].strip(), create=data["new_customer"])
            feedback = services.feedback_create(
                actor=actor,
                text=data["text"],
                source=data["source"],
                received_at=data["received_at"],
                customer=customer,
                contact=_contact_for(actor, data["contact"].strip(), customer),
                tags=split_list(data["tags"]),
                product=product_ref_or_none(actor, data["product"] or None),
                notes=data["notes"],
                members=members,
                contacts=contacts,
            )
    except Invalid as error:
        apply_service_errors(form, error)
        return _capture_page(request, form, status=422)
    messages.success(request, "Feedback captured. Select a phrase in it to make an insight.")
    return redirect(_feedback_url(request, feedback))


# -- one piece of feedback -----------------------------------------------------------------------


def _detail_page(
    request: WorkspaceRequest,
    feedback: Feedback,
    *,
    insight_form: InsightForm | None = None,
    link_form: LinkProblemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    insights = list(insight_list(actor=actor, feedback=feedback).order_by("start", "id"))
    writes = can(actor, Permission.EDIT_CONTENT)
    # What this resembles, so a duplicate lands on the problem that exists (problems it is
    # already evidence of are left out).
    linked = {problem.pk for insight in insights for problem in insight.problems.all()}
    similar = [
        s
        for s in similar_to(actor=actor, text=feedback.text, exclude_feedback=feedback.pk)
        if not (s.kind == "problem" and s.id in linked)
    ]
    closest = next((s for s in similar if s.kind == "problem"), None)
    if insight_form is None and closest is not None:
        insight_form = InsightForm(
            auto_id="insight_%s", initial={"problem": f"{closest.title} #{closest.id}"}
        )
    return render(
        request,
        "discovery/feedback/detail.html",
        {
            "tab": "feedback",
            "feedback": feedback,
            "segments": highlight_segments(feedback.text, insights),
            "insights": insights,
            "participants": [
                *(m.user.display_name for m in feedback.member_participants.select_related("user")),
                *(str(c) for c in feedback.contact_participants.all()),
            ],
            "writes": writes,
            "insight_form": insight_form or InsightForm(auto_id="insight_%s"),
            "link_form": link_form or LinkProblemForm(auto_id="link_%s"),
            "problem_options": _problem_options(actor) if writes else [],
            "similar": similar,
            "states": FeedbackState.choices,
        },
        status=status,
    )


@require_GET
@workspace_view
def detail(request: WorkspaceRequest, feedback_id: int) -> HttpResponse:
    """The feedback as written, its insights' spans marked, and its rendered Markdown."""
    return _detail_page(request, access_feedback(request.actor, feedback_id))


@require_POST
@workspace_view
def insight_create(request: WorkspaceRequest, feedback_id: int) -> HttpResponse:
    """An insight from the selected span (offsets in the text as the page shows it), on a
    picked problem or on a new one created with it."""
    actor = request.actor
    feedback = access_feedback(actor, feedback_id)
    form = InsightForm(request.POST, auto_id="insight_%s")
    if not form.is_valid():
        return _detail_page(request, feedback, insight_form=form, status=422)
    data = form.cleaned_data
    start, end = shown_to_raw(feedback.text, data["start"], data["end"])
    try:
        with transaction.atomic():
            if data["new_problem"].strip():
                if data["problem"].strip():
                    raise Invalid.field(
                        "new_problem", "pick an existing problem or name a new one, not both"
                    )
                problem = services.problem_create(
                    actor=actor, title=data["new_problem"], product=feedback.product
                )
            else:
                problem = picked_problem(actor, data["problem"])
            insight = services.insight_create(
                actor=actor, feedback=feedback, start=start, end=end, problems=[problem]
            )
    except Invalid as error:
        apply_service_errors(form, error)
        return _detail_page(request, feedback, insight_form=form, status=422)
    messages.success(request, f"Insight added to “{problem.title}”.")
    return redirect(f"{_feedback_url(request, feedback)}#insight-{insight.pk}")


@require_POST
@workspace_view
def link_problem(request: WorkspaceRequest, feedback_id: int) -> HttpResponse:
    """Link the whole piece of feedback to a problem: an insight that quotes it (its first
    line when it is too long to quote whole)."""
    actor = request.actor
    feedback = access_feedback(actor, feedback_id)
    form = LinkProblemForm(request.POST, auto_id="link_%s")
    if not form.is_valid():
        return _detail_page(request, feedback, link_form=form, status=422)
    try:
        problem = picked_problem(actor, form.cleaned_data["problem"])
        quote = feedback.text if len(feedback.text) <= services.QUOTE_MAX else feedback.summary
        services.insight_create(actor=actor, feedback=feedback, quote=quote, problems=[problem])
    except Invalid as error:
        apply_service_errors(form, error)
        return _detail_page(request, feedback, link_form=form, status=422)
    messages.success(request, f"Feedback linked to “{problem.title}”.")
    return redirect(_safe_next(request, _feedback_url(request, feedback)))
