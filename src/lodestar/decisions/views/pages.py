"""The decision pages: a product's decision log (by status, with a search box), a decision
(every field, its links, its history, its chain of superseding), the forms to record and edit
one, and the small writes of its page (decide, supersede, link, unlink, delete)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import DomainError, Invalid, StaleVersion, error_sentence
from lodestar.core.history import describe, history_for
from lodestar.core.trash import trash_move
from lodestar.decisions import selectors, services
from lodestar.decisions.access import access_decision
from lodestar.decisions.forms import DecisionForm
from lodestar.decisions.links import linkable_types
from lodestar.decisions.models import Decision, DecisionStatus
from lodestar.decisions.page_exports import decisions_csv
from lodestar.decisions.permissions import DecisionPermission
from lodestar.decisions.refs import deciders_ref, decision_ref
from lodestar.people.policy import can
from lodestar.people.web import WorkspaceRequest, workspace_view
from lodestar.strategy.access import access_product
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import product_list

PAGE_SIZE = 100
HISTORY_SHOWN = 30


def _log_url(request: WorkspaceRequest, product: Product) -> str:
    return reverse("decisions:log", args=[request.workspace.slug, product.key])


def _url(request: WorkspaceRequest, decision: Decision, name: str = "detail") -> str:
    return reverse(
        f"decisions:{name}", args=[request.workspace.slug, decision.product.key, decision.number]
    )


def _may_record(request: WorkspaceRequest) -> bool:
    return can(request.actor, DecisionPermission.RECORD_DECISION)


@require_GET
@workspace_view
def home(request: WorkspaceRequest) -> HttpResponse:
    """The decision logs of the workspace's products (straight to the log when there is one)."""
    products = list(product_list(actor=request.actor))
    if len(products) == 1:
        return redirect(_log_url(request, products[0]))
    return render(request, "decisions/home.html", {"products": products})


@require_GET
@workspace_view
def log(request: WorkspaceRequest, product_key: str) -> HttpResponse | StreamingHttpResponse:
    """The product's decisions, newest first, narrowed by status and searched by words."""
    product = access_product(request.actor, product_key)
    status = request.GET.get("status", "")
    if status not in DecisionStatus.values:
        status = ""
    query = request.GET.get("q", "").strip()[:200]
    rows = selectors.decision_list(
        actor=request.actor, product=product, status=status or None, query=query
    )
    if wants_csv(request):
        return decisions_csv(request, product, rows)
    counts = selectors.status_counts(product=product)
    return render(
        request,
        "decisions/log.html",
        {
            "product": product,
            "decisions": list(rows[:PAGE_SIZE]),
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in DecisionStatus.choices],
            "query": query,
            "writes": _may_record(request),
        },
    )


def _form_page(
    request: WorkspaceRequest,
    product: Product,
    form: DecisionForm,
    *,
    decision: Decision | None = None,
    status: int = 200,
) -> HttpResponse:
    initial = (
        [
            {"title": o.title, "pros": o.pros, "cons": o.cons, "chosen": o.chosen}
            for o in decision.options.all()
        ]
        if decision is not None
        else []
    )
    return render(
        request,
        "decisions/form.html",
        {
            "product": product,
            "decision": decision,
            "form": form,
            "option_rows": form.option_rows_shown(initial),
            "supersedes": request.GET.get("supersedes") or request.POST.get("supersedes", ""),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@workspace_view
def new(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """Record a decision of the product (``?supersedes=3`` to replace decision 3)."""
    actor = request.actor
    product = access_product(actor, product_key)
    services.require_record(actor)
    if request.method != "POST":
        return _form_page(request, product, DecisionForm())
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _form_page(request, product, form, status=422)
    data = form.cleaned_data
    supersedes = request.POST.get("supersedes", "").strip()
    try:
        decided = data["status"] == DecisionStatus.DECIDED
        decision = services.decision_create(
            actor=actor,
            product=product,
            title=data["title"],
            context=data["context"],
            decision=data["decision"],
            rationale=data["rationale"],
            options=form.options(),
            status=data["status"],
            deciders=deciders_ref(actor, form.emails()) if decided else None,
            decided_at=data["decided_at"] if decided else None,
            supersedes=decision_ref(actor, supersedes, product=product, field="supersedes")
            if supersedes
            else None,
        )
    except Invalid as error:
        form.apply(error)
        return _form_page(request, product, form, status=422)
    messages.success(request, f"Recorded {decision.key}.")
    return redirect(_url(request, decision))


@require_http_methods(["GET", "POST"])
@workspace_view
def edit(request: WorkspaceRequest, product_key: str, number: int) -> HttpResponse:
    """Change what a proposed or decided decision says."""
    actor = request.actor
    product = access_product(actor, product_key)
    decision = access_decision(actor, str(number), product=product)
    services.require_record(actor)
    decision = selectors.decision_detail(decision=decision)
    if decision.status == DecisionStatus.SUPERSEDED:
        messages.info(request, f"{decision.key} was superseded: it keeps its words as they were.")
        return redirect(_url(request, decision))
    if request.method != "POST":
        form = DecisionForm(
            initial={
                "title": decision.title,
                "status": decision.status,
                "context": decision.context,
                "decision": decision.decision,
                "rationale": decision.rationale,
                "deciders": ", ".join(sorted(m.user.email for m in decision.deciders.all())),
                "decided_at": decision.decided_at,
                "version": decision.version,
            },
            option_rows=max(3, decision.options.count() + 1),
        )
        return _form_page(request, product, form, decision=decision)
    form = DecisionForm(request.POST, option_rows=int(request.POST.get("option_rows", 3) or 3))
    if not form.is_valid():
        return _form_page(request, product, form, decision=decision, status=422)
    data = form.cleaned_data
    decided = decision.status == DecisionStatus.DECIDED
    extra: dict[str, Any] = {}
    if decided:
        extra["deciders"] = deciders_ref(actor, form.emails() or [actor.user.email])
        if data["decided_at"] is not None:
            extra["decided_at"] = data["decided_at"]
    try:
        services.decision_update(
            actor=actor,
            decision=decision,
            expected_version=data["version"],
            title=data["title"],
            context=data["context"],
            decision_text=data["decision"],
            rationale=data["rationale"],
            options=form.options(),
            **extra,
        )
    except Invalid as error:
        form.apply(error)
        return _form_page(request, product, form, decision=decision, status=422)
    except StaleVersion:
        messages.warning(
            request, "Someone else changed this decision meanwhile: here it is now. Edit again."
        )
        return redirect(_url(request, decision, "edit"))
    messages.success(request, f"Saved {decision.key}.")
    return redirect(_url(request, decision))


@require_GET
@workspace_view
def detail(request: WorkspaceRequest, product_key: str, number: int) -> HttpResponse:
    """The decision: its words, options, who decided, links, chain and history."""
    actor = request.actor
    product = access_product(actor, product_key)
    decision = selectors.decision_detail(
        decision=access_decision(actor, str(number), product=product)
    )
    older, newer = selectors.decision_chain(decision=decision)
    entries = list(history_for(workspace_id=actor.workspace_id, obj=decision)[:HISTORY_SHOWN])
    names = {e.actor.email: e.actor.display_name for e in entries if e.actor is not None}
    return render(
        request,
        "decisions/detail.html",
        {
            "product": product,
            "decision": decision,
            "links": selectors.decision_links(decision=decision),
            "older": older,
            "newer": newer,
            "history": [(entry, describe(entry, names)) for entry in entries],
            "writes": _may_record(request),
            "kinds": sorted(
                ((t.name, t.label) for t in linkable_types()), key=lambda kind: kind[1]
            ),
            "candidates": list(
                selectors.decision_list(actor=actor, product=product)
                .exclude(status=DecisionStatus.SUPERSEDED)
                .exclude(pk=decision.pk)[:50]
            ),
        },
    )


def _write(request: WorkspaceRequest, product_key: str, number: int, act: Any) -> HttpResponse:
    """Run ``act(decision)`` (which returns the message to show) and go back to the page;
    a refusal is one sentence, and nothing changed."""
    actor = request.actor
    product = access_product(actor, product_key)
    decision = access_decision(actor, str(number), product=product)
    try:
        done = act(decision)
    except DomainError as error:
        messages.error(request, error_sentence(error))
        return redirect(_url(request, decision))
    if done:
        messages.success(request, done)
    return redirect(_url(request, decision))


@require_POST
@workspace_view
def decide(request: WorkspaceRequest, product_key: str, number: int) -> HttpResponse:
    def act(decision: Decision) -> str:
        emails = [p.strip() for p in request.POST.get("deciders", "").split(",") if p.strip()]
        services.decision_decide(
            actor=request.actor,
            decision=decision,
            deciders=deciders_ref(request.actor, emails or None),
        )
        return f"{decision.key} is decided."

    return _write(request, product_key, number, act)


@require_POST
@workspace_view
def supersede(request: WorkspaceRequest, product_key: str, number: int) -> HttpResponse:
    def act(decision: Decision) -> str:
        by = decision_ref(
            request.actor, request.POST.get("by", "").strip(), product=decision.product, field="by"
        )
        services.decision_supersede(actor=request.actor, decision=decision, by=by)
        return f"{decision.key} is superseded by {by.key}."

    return _write(request, product_key, number, act)


@require_POST
@workspace_view
def link(request: WorkspaceRequest, product_key: str, number: int) -> HttpResponse:
    def act(decision: Decision) -> str:
        kind = request.POST.get("kind", "").strip()
        ref = request.POST.get("ref", "").strip()
        made = services.decision_link(
            actor=request.actor, decision=decision, target=f"{kind}:{ref}", field="ref"
        )
        return f"Linked {kind} {ref}." if made else f"{kind} {ref} was already linked."

    return _write(request, product_key, number, act)


@require_POST
@workspace_view
def unlink(request: WorkspaceRequest, product_key: str, number: int) -> HttpResponse:
    def act(decision: Decision) -> str:
        target = request.POST.get("target", "")
        services.decision_unlink(actor=request.actor, decision=decision, target=target)
        return f"Unlinked {target}."

    return _write(request, product_key, number, act)


@require_POST
@workspace_view
def delete(request: WorkspaceRequest, product_key: str, number: int) -> HttpResponse:
    actor = request.actor
    product = access_product(actor, product_key)
    decision = access_decision(actor, str(number), product=product)
    try:
        trash_move(actor=actor, obj=decision)
    except DomainError as error:
        messages.error(request, error_sentence(error))
        return redirect(_url(request, decision))
    messages.success(request, f"{decision.key} is in the trash (restorable for 30 days).")
    return redirect(_log_url(request, product))
