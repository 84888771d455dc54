"""The team's portal pages, under ``/w/<slug>/products/<key>/portal``: the setting (the product's
product owner or an admin turns it on and words it) and the moderation queue (writers publish a
confirmed submission as an idea, merge it into one, or reject it; they move an idea's public
status or hide it). Thin: access, a service, a page; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.core.errors import DomainError, Invalid, NotFound, error_sentence
from lodestar.discovery.models import Problem
from lodestar.discovery.permissions import DiscoveryPermission
from lodestar.discovery.portal_access import access_portal_idea, access_portal_submission
from lodestar.discovery.portal_links import (
    idea_problem_link,
    idea_problem_unlink,
    idea_status_set,
)
from lodestar.discovery.portal_models import IdeaStatus
from lodestar.discovery.portal_moderation import (
    idea_create,
    idea_update,
    submission_merge,
    submission_publish,
    submission_reject,
)
from lodestar.discovery.portal_selectors import (
    moderation_queue,
    portal_idea_list,
    recent_decisions,
)
from lodestar.discovery.portal_services import (
    IDEA_DESCRIPTION_MAX,
    IDEA_TITLE_MAX,
    INTRO_MAX,
    PORTAL_TITLE_MAX,
    portal_of,
    portal_update,
)
from lodestar.discovery.refs import problem_ref
from lodestar.discovery.selectors import portal_problem_choices
from lodestar.people.policy import can
from lodestar.people.web import WorkspaceRequest, apply_errors, workspace_view
from lodestar.strategy.access import access_product
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import active_goal

_INPUT = {"class": "input"}
# The status form's choice that hands an idea's status back to its problem.
FOLLOW = "follow"


class PortalForm(forms.Form):
    enabled = forms.BooleanField(
        required=False,
        label="Open the portal",
        help_text="When off, its address answers “not found” to everyone.",
    )
    title = forms.CharField(max_length=PORTAL_TITLE_MAX, widget=forms.TextInput(attrs=_INPUT))
    intro = forms.CharField(
        required=False,
        max_length=INTRO_MAX,
        help_text="Plain text above the ideas: what you want to hear about.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 4}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _product(request: WorkspaceRequest, product_key: str) -> Product:
    return access_product(request.actor, product_key)


def _head(request: WorkspaceRequest, product: Product, tab: str) -> dict[str, Any]:
    return {"product": product, "goal": active_goal(product), "tab": "portal", "portal_tab": tab}


def _settings_page(
    request: WorkspaceRequest, product: Product, form: PortalForm | None = None, status: int = 200
) -> HttpResponse:
    portal = portal_of(product)
    form = form or PortalForm(
        initial={
            "enabled": portal.enabled,
            "title": portal.title,
            "intro": portal.intro,
            "version": portal.version,
        }
    )
    manages = can(request.actor, DiscoveryPermission.MANAGE_PORTAL, product=product)
    if not manages:
        for field in form.fields.values():
            field.disabled = True
    context = {
        **_head(request, product, "settings"),
        "portal": portal,
        "form": form,
        "manages": manages,
        "queued": moderation_queue(actor=request.actor, product_id=product.pk).count(),
    }
    return render(request, "discovery/portal/settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
@workspace_view
def portal_settings(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """The product's portal setting; the product owner or an admin saves it here."""
    product = _product(request, product_key)
    if request.method != "POST":
        return _settings_page(request, product)
    form = PortalForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, product, form, status=422)
    try:
        portal = portal_update(
            actor=request.actor,
            product=product,
            enabled=form.cleaned_data["enabled"],
            title=form.cleaned_data["title"],
            intro=form.cleaned_data["intro"],
            expected_version=form.cleaned_data["version"],
        )
    except Invalid as error:
        apply_errors(form, error)
        return _settings_page(request, product, form, status=422)
    messages.success(request, "The portal is open." if portal.enabled else "The portal is off.")
    return redirect("discovery:portal_settings", request.workspace.slug, product.key)


def _queue_page(
    request: WorkspaceRequest, product: Product, error: str = "", status: int = 200
) -> HttpResponse:
    actor = request.actor
    ideas = list(portal_idea_list(actor=actor, product_id=product.pk))
    context = {
        **_head(request, product, "queue"),
        "portal": portal_of(product),
        "queue": list(moderation_queue(actor=actor, product_id=product.pk)),
        "ideas": ideas,
        "decisions": list(recent_decisions(actor=actor, product_id=product.pk)),
        "statuses": IdeaStatus.choices,
        "follow": FOLLOW,
        "problems": list(portal_problem_choices(actor=actor, product_id=product.pk)),
        "moderates": can(actor, DiscoveryPermission.MODERATE_PORTAL, product=product),
        "error": error,
        "title_max": IDEA_TITLE_MAX,
        "description_max": IDEA_DESCRIPTION_MAX,
    }
    return render(request, "discovery/portal/queue.html", context, status=status)


@require_GET
@workspace_view
def portal_queue(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """Confirmed submissions waiting for a decision, and the product's ideas with their votes."""
    return _queue_page(request, _product(request, product_key))


def _after(request: WorkspaceRequest, product: Product, done: str) -> HttpResponse:
    messages.success(request, done)
    return redirect("discovery:portal_queue", request.workspace.slug, product.key)


def _refused(request: WorkspaceRequest, product: Product, error: DomainError) -> HttpResponse:
    if isinstance(error, Invalid):
        return _queue_page(request, product, error_sentence(error), status=error.status)
    raise error


def _problem_or_none(request: WorkspaceRequest, ref: str) -> Problem | None:
    """The problem a moderation form names (blank: none); an unknown one names the field."""
    ref = ref.strip()
    return problem_ref(request.actor, ref, field="problem") if ref else None


@require_POST
@workspace_view
def submission_decide(
    request: WorkspaceRequest, product_key: str, submission_id: int, decision: str
) -> HttpResponse:
    """Publish, merge or reject one queued submission."""
    product = _product(request, product_key)
    submission = access_portal_submission(request.actor, submission_id, product=product)
    data = request.POST
    try:
        if decision == "publish":
            problem = _problem_or_none(request, data.get("problem", ""))
            idea = submission_publish(
                actor=request.actor,
                submission=submission,
                title=data.get("title", ""),
                description=data.get("description", ""),
                status=data.get("status") or None,
                problem=problem,
            )
            linked = f", linked to “{problem.title}”" if problem is not None else ""
            return _after(request, product, f"Published “{idea.title}” on the portal{linked}.")
        if decision == "merge":
            try:
                target = access_portal_idea(request.actor, data.get("idea", ""), product=product)
            except NotFound as missing:
                raise Invalid.field(
                    "idea", "choose one of this portal's ideas to merge into"
                ) from missing
            submission_merge(actor=request.actor, submission=submission, idea=target)
            return _after(request, product, f"Merged into “{target.title}”.")
        submission_reject(actor=request.actor, submission=submission)
        return _after(request, product, "Rejected; its feedback is archived.")
    except Invalid as error:
        return _refused(request, product, error)


@require_POST
@workspace_view
def idea_post(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """Post an idea on the portal directly (one the team plans, say)."""
    product = _product(request, product_key)
    try:
        idea = idea_create(
            actor=request.actor,
            product=product,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            status=request.POST.get("status") or None,
            problem=_problem_or_none(request, request.POST.get("problem", "")),
        )
    except Invalid as error:
        return _refused(request, product, error)
    return _after(request, product, f"Posted “{idea.title}” on the portal.")


@require_POST
@workspace_view
def idea_change(request: WorkspaceRequest, product_key: str, idea_id: int) -> HttpResponse:
    """Change an idea's public status, or hide it from the portal and show it again."""
    product = _product(request, product_key)
    idea = access_portal_idea(request.actor, idea_id, product=product)
    published = request.POST.get("published")
    status = request.POST.get("status") or None
    try:
        if status == FOLLOW:
            idea_status_set(actor=request.actor, idea=idea, status=None)
        else:
            idea_update(
                actor=request.actor,
                idea=idea,
                status=status,
                published=None if published is None else published == "1",
            )
    except Invalid as error:
        return _refused(request, product, error)
    return _after(request, product, f"Saved “{idea.title}”.")


@require_POST
@workspace_view
def idea_problem(request: WorkspaceRequest, product_key: str, idea_id: int) -> HttpResponse:
    """Link an idea to the problem the form names, or unlink it from its problem."""
    product = _product(request, product_key)
    idea = access_portal_idea(request.actor, idea_id, product=product)
    try:
        if request.POST.get("unlink") == "1":
            if idea.problem is not None:
                title = idea.problem.title
                idea_problem_unlink(actor=request.actor, idea=idea, problem=idea.problem)
                return _after(request, product, f"“{idea.title}” is no longer linked to “{title}”.")
            return _after(request, product, f"“{idea.title}” is linked to no problem.")
        problem = _problem_or_none(request, request.POST.get("problem", ""))
        if problem is None:
            raise Invalid.field("problem", "choose the problem this idea is")
        idea_problem_link(actor=request.actor, idea=idea, problem=problem)
    except Invalid as error:
        return _refused(request, product, error)
    return _after(
        request,
        product,
        f"“{idea.title}” is linked to “{problem.title}”: its votes count in its evidence.",
    )
