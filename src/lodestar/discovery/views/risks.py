"""The product risks section of a problem's page (``PROBLEM_SECTIONS``) and of an epic's
page and panel (``backlog.extensions.ITEM_SECTIONS``), the write its forms post, and the
experiment pages: a product's experiments, planning one, and one with its links."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from lodestar.backlog.access import access_item
from lodestar.backlog.models import BacklogItem, ItemKind
from lodestar.backlog.refs import item_ref
from lodestar.core.errors import Invalid, StaleVersion, error_sentence
from lodestar.core.pagination import paginate
from lodestar.discovery import risk_services as services
from lodestar.discovery.access import access_experiment, access_problem
from lodestar.discovery.models import Problem
from lodestar.discovery.refs import experiment_ref, problem_ref
from lodestar.discovery.risk_forms import ExperimentForm, ExperimentLinkForm, RiskForm
from lodestar.discovery.risk_models import Experiment, ExperimentStatus, RiskKind, RiskStatus
from lodestar.discovery.risk_selectors import (
    experiment_items,
    experiment_links,
    experiment_list,
    experiment_problems,
    subject_risks,
)
from lodestar.discovery.selectors import problem_choices
from lodestar.discovery.views.feedback import apply_service_errors
from lodestar.people.policy import Actor, Permission, can
from lodestar.people.web import WorkspaceRequest, workspace_view
from lodestar.strategy.refs import product_ref, product_ref_or_none
from lodestar.strategy.selectors import product_list

PAGE_SIZE = 50


# -- the risks section ---------------------------------------------------------------------------


def _subject_url(actor: Actor, subject: Problem | BacklogItem) -> str:
    slug = actor.workspace.slug
    if isinstance(subject, Problem):
        return reverse("discovery:problem_detail", args=[slug, subject.pk])
    return reverse("backlog:item_detail", args=[slug, subject.key])


def risk_section(
    request: HttpRequest, subject: Problem | BacklogItem, *, in_panel: bool = False
) -> str:
    """The four risks of ``subject`` with their status badges and, for writers, a form each."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    is_problem = isinstance(subject, Problem)
    experiments = list(
        experiment_list(
            actor=actor,
            problem=subject if isinstance(subject, Problem) else None,
            item=subject if isinstance(subject, BacklogItem) else None,
        )
    )
    field = "problem" if is_problem else "item"
    ref = str(subject.pk) if isinstance(subject, Problem) else subject.key
    new_experiment = (
        reverse("discovery:experiment_new", args=[actor.workspace.slug])
        + "?"
        + urlencode([(field, ref)])
    )
    subject_kind = "problem" if is_problem else "item"
    session: Any = getattr(request, "session", {})
    # Each risk with what was typed into its form and refused, shown once (``_keep_draft``).
    risks = [
        (risk, session.pop(_draft_key(subject_kind, subject.pk, risk.kind), None))
        for risk in subject_risks(subject)
    ]
    return render_to_string(
        "discovery/risks/_section.html",
        {
            "risks": risks,
            "experiments": experiments,
            "subject_kind": subject_kind,
            "subject_ref": ref,
            "label": "problem" if is_problem else "epic",
            "slug": f"{field}-{subject.pk}{'-panel' if in_panel else ''}",
            "writes": can(actor, Permission.EDIT_CONTENT),
            "in_panel": in_panel,
            "as_card": is_problem,
            "new_experiment": new_experiment,
            "statuses": RiskStatus.choices,
            "workspace": actor.workspace,
        },
        request=request,
    )


def _draft_key(subject_kind: str, pk: int, kind: str) -> str:
    return f"risk-draft:{subject_kind}:{pk}:{kind}"


def _keep_draft(
    request: WorkspaceRequest, subject_kind: str, pk: int, kind: str, error: str
) -> None:
    """What was typed into a risk's form that was not saved, for the section to show again,
    open, with the error beside it (nothing typed is lost to a refusal)."""
    if kind not in RiskKind.values:
        return
    request.session[_draft_key(subject_kind, pk, kind)] = {
        "status": str(request.POST.get("status", ""))[:32],
        "note": str(request.POST.get("note", "")),
        "experiment": str(request.POST.get("experiment", ""))[:20],
        "error": error,
    }


def problem_risk_section(request: HttpRequest, problem: Problem) -> str:
    return risk_section(request, problem)


def item_risk_section(request: HttpRequest, item: BacklogItem, in_panel: bool) -> str:
    """Epics only: the risks of a story live on its epic."""
    if item.kind != ItemKind.EPIC:
        return ""
    return risk_section(request, item, in_panel=in_panel)


@require_POST
@workspace_view
def risk_set(request: WorkspaceRequest, subject_kind: str, ref: str, kind: str) -> HttpResponse:
    """Set one risk from the section's form, then go back to the page it is on."""
    actor = request.actor
    subject: Problem | BacklogItem = (
        access_problem(actor, ref) if subject_kind == "problem" else access_item(actor, ref)
    )
    back = _subject_url(actor, subject) + "#risks"
    form = RiskForm(request.POST)
    label = RiskKind(kind).label if kind in RiskKind.values else kind
    if not form.is_valid():
        problems = "; ".join(
            f"{name.replace('_', ' ').capitalize()}: {' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        )
        messages.error(request, f"The {label.lower()} risk was not changed. {problems}")
        _keep_draft(request, subject_kind, subject.pk, kind, problems)
        return redirect(back)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            experiment = experiment_ref(actor, data["experiment"]) if data["experiment"] else None
            services.risk_set(
                actor=actor,
                subject=subject,
                kind=kind,
                status=data["status"],
                note=data["note"],
                experiment=experiment,
                expected_version=data["version"],
            )
    except Invalid as error:
        messages.error(
            request, f"The {label.lower()} risk was not changed. {error_sentence(error)}"
        )
        _keep_draft(request, subject_kind, subject.pk, kind, error_sentence(error))
        return redirect(back)
    except StaleVersion:
        messages.warning(
            request,
            f"Someone else changed the {label.lower()} risk meanwhile: yours is kept in its "
            "form, not saved.",
        )
        _keep_draft(
            request,
            subject_kind,
            subject.pk,
            kind,
            "Someone else changed this risk meanwhile: what you wrote is below, not saved. "
            "Save it again to replace theirs.",
        )
        return redirect(back)
    messages.success(request, f"{label} risk saved.")
    return redirect(back)


# -- experiments ---------------------------------------------------------------------------------


def _experiment_url(actor: Actor, experiment: Experiment) -> str:
    return reverse("discovery:experiment_detail", args=[actor.workspace.slug, experiment.pk])


@workspace_view
def experiment_list_page(request: WorkspaceRequest) -> HttpResponse:
    """A product's experiments (or the workspace's), newest first, by status."""
    actor = request.actor
    products = list(product_list(actor=actor, owners=False))
    product = product_ref_or_none(actor, request.GET.get("product") or None)
    status = request.GET.get("status", "")
    status = status if status in ExperimentStatus.values else ""
    page = paginate(
        experiment_list(
            actor=actor, product_id=product.pk if product else None, status=status or None
        ),
        order=["-id"],
        cursor=request.GET.get("cursor"),
        limit=PAGE_SIZE,
    )
    links = experiment_links(page.items)
    keep = {k: v for k, v in (("product", product.key if product else ""), ("status", status)) if v}
    return render(
        request,
        "discovery/experiments/list.html",
        {
            "tab": "experiments",
            "rows": [(e, *links[e.pk]) for e in page.items],
            "products": products,
            "product": product,
            "status": status,
            "statuses": ExperimentStatus.choices,
            "writes": can(actor, Permission.EDIT_CONTENT),
            "next_url": "?" + urlencode({**keep, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "first_url": "?" + urlencode(keep) if request.GET.get("cursor") else "",
            "new_url": reverse("discovery:experiment_new", args=[actor.workspace.slug])
            + ("?" + urlencode({"product": product.key}) if product else "")
            if can(actor, Permission.EDIT_CONTENT)
            else "",
        },
    )


def _dates(data: dict[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    return data.get("started_on"), data.get("ended_on")


@require_http_methods(["GET", "POST"])
@workspace_view
def experiment_new(request: WorkspaceRequest) -> HttpResponse:
    """Plan an experiment; opened from a problem or an epic, it is linked to it."""
    actor = request.actor
    products = list(product_list(actor=actor, owners=False))
    source = request.POST if request.method == "POST" else request.GET
    problem = problem_ref(actor, source["problem"]) if source.get("problem") else None
    item = item_ref(actor, source["item"], field="item") if source.get("item") else None
    product = (
        item.product
        if item is not None
        else (problem.product if problem is not None else None)
        or product_ref_or_none(actor, request.GET.get("product") or None)
    )
    if request.method == "POST":
        form = ExperimentForm(request.POST, products=products)
        if form.is_valid():
            data = form.cleaned_data
            started, ended = _dates(data)
            try:
                experiment = services.experiment_create(
                    actor=actor,
                    product=product_ref(actor, data["product"]),
                    title=data["title"],
                    hypothesis=data["hypothesis"],
                    method=data["method"],
                    success_signal=data["success_signal"],
                    status=data["status"],
                    result=data["result"],
                    result_text=data["result_text"],
                    started_on=started,
                    ended_on=ended,
                    problems=[problem] if problem else [],
                    items=[item] if item else [],
                )
            except Invalid as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, f"Experiment “{experiment.title}” planned.")
                return redirect(_experiment_url(actor, experiment))
        status = 422
    else:
        form = ExperimentForm(
            products=products,
            initial={"product": product.key if product else "", "status": "planned"},
        )
        status = 200
    return render(
        request,
        "discovery/experiments/form.html",
        {
            "tab": "experiments",
            "form": form,
            "problem": problem,
            "item": item,
            "writes": can(actor, Permission.EDIT_CONTENT),
        },
        status=status,
    )


def _detail(
    request: WorkspaceRequest,
    experiment: Experiment,
    *,
    form: ExperimentForm | None = None,
    link_form: ExperimentLinkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    writes = can(actor, Permission.EDIT_CONTENT)
    problems = experiment_problems(experiment)
    linked = {p.pk for p in problems}
    return render(
        request,
        "discovery/experiments/detail.html",
        {
            "tab": "experiments",
            "experiment": experiment,
            "problems": problems,
            "items": experiment_items(experiment),
            "risks": experiment.risks.select_related("problem", "item").order_by("id"),
            "writes": writes,
            "form": form
            or ExperimentForm(
                initial={
                    "title": experiment.title,
                    "hypothesis": experiment.hypothesis,
                    "method": experiment.method,
                    "success_signal": experiment.success_signal,
                    "status": experiment.status,
                    "result": experiment.result,
                    "result_text": experiment.result_text,
                    "started_on": experiment.started_on,
                    "ended_on": experiment.ended_on,
                    "version": experiment.version,
                }
            ),
            "link_form": link_form or ExperimentLinkForm(auto_id="link_%s"),
            "problem_options": [p for p in problem_choices(actor=actor) if p.pk not in linked]
            if writes
            else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@workspace_view
def experiment_detail(request: WorkspaceRequest, experiment_id: int) -> HttpResponse:
    """An experiment, its links and the risks it addressed; writers change or conclude it."""
    actor = request.actor
    experiment = access_experiment(actor, experiment_id)
    if request.method != "POST":
        return _detail(request, experiment)
    form = ExperimentForm(request.POST)
    if not form.is_valid():
        return _detail(request, experiment, form=form, status=422)
    data = form.cleaned_data
    started, ended = _dates(data)
    try:
        services.experiment_update(
            actor=actor,
            experiment=experiment,
            title=data["title"],
            hypothesis=data["hypothesis"],
            method=data["method"],
            success_signal=data["success_signal"],
            status=data["status"],
            result=data["result"],
            result_text=data["result_text"],
            started_on=started,
            ended_on=ended,
            expected_version=data["version"],
        )
    except Invalid as error:
        apply_service_errors(form, error)
        return _detail(request, experiment, form=form, status=422)
    except StaleVersion:
        messages.warning(
            request, "Someone else changed this experiment meanwhile: here it is now. Edit again."
        )
        return _detail(request, access_experiment(actor, experiment_id), status=412)
    messages.success(request, "Experiment saved.")
    return redirect(_experiment_url(actor, experiment))


@require_POST
@workspace_view
def experiment_link(request: WorkspaceRequest, experiment_id: int) -> HttpResponse:
    """Link a problem (picked) or a backlog item (by key) to the experiment."""
    actor = request.actor
    experiment = access_experiment(actor, experiment_id)
    form = ExperimentLinkForm(request.POST, auto_id="link_%s")
    if form.is_valid() and not (form.cleaned_data["problem"] or form.cleaned_data["item"]):
        form.add_error("item", "Pick a problem or give an item key.")
    if not form.is_valid():
        return _detail(request, experiment, link_form=form, status=422)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            problem = problem_ref(actor, data["problem"]) if data["problem"] else None
            item = item_ref(actor, data["item"].strip(), field="item") if data["item"] else None
            services.experiment_link(
                actor=actor,
                experiment=experiment,
                problems=[problem] if problem else [],
                items=[item] if item else [],
            )
    except Invalid as error:
        apply_service_errors(form, error)
        return _detail(request, experiment, link_form=form, status=422)
    messages.success(request, "Linked.")
    return redirect(_experiment_url(actor, experiment) + "#links")


@require_POST
@workspace_view
def experiment_unlink(
    request: WorkspaceRequest, experiment_id: int, subject_kind: str, ref: str
) -> HttpResponse:
    actor = request.actor
    experiment = access_experiment(actor, experiment_id)
    if subject_kind == "problem":
        services.experiment_unlink(
            actor=actor, experiment=experiment, problem=access_problem(actor, ref)
        )
    else:
        services.experiment_unlink(actor=actor, experiment=experiment, item=access_item(actor, ref))
    messages.success(request, "Unlinked.")
    return redirect(_experiment_url(actor, experiment) + "#links")
