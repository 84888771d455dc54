"""Decisions on other contexts' pages: the "Decisions" section of a backlog item's panel and
page (``backlog.extensions.ITEM_SECTIONS``), of a problem's page
(``discovery.extensions.PROBLEM_SECTIONS``) and a metric's page
(``outcomes.extensions.METRIC_SECTIONS``) and a release's page (``releases.extensions
.RELEASE_SECTIONS``), each with a small form that records a decision
already linked to that object. Nothing here names a kind beyond the seams it answers:
another context's page offers its own seam and renders ``object_section``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from lodestar.core.errors import Invalid, error_sentence
from lodestar.core.registry import registry
from lodestar.decisions import links as seam
from lodestar.decisions import services
from lodestar.decisions.forms import CaptureForm
from lodestar.decisions.permissions import DecisionPermission
from lodestar.decisions.selectors import decisions_linked_to
from lodestar.people.policy import Actor, can
from lodestar.people.web import WorkspaceRequest, workspace_view
from lodestar.strategy.models import Product
from lodestar.strategy.refs import product_ref
from lodestar.strategy.selectors import product_list


def _product_of(obj: Any) -> Product | None:
    declared = registry().object_type_for(obj)
    found = declared.product(obj) if declared.product is not None else getattr(obj, "product", None)
    return found if isinstance(found, Product) else None


def object_section(
    request: HttpRequest, obj: Any, *, in_panel: bool = False, as_card: bool = False
) -> str:
    """The decisions linked to ``obj`` and the quick capture form, as one section."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    declared = registry().object_type_for(obj)
    product = _product_of(obj)
    may_record = can(actor, DecisionPermission.RECORD_DECISION)
    return render_to_string(
        "decisions/_section.html",
        {
            "decisions": decisions_linked_to(actor=actor, obj=obj),
            "target": f"{declared.name}:{declared.ref_of(obj)}",
            "slug": f"{declared.name}-{obj.pk}{'-panel' if in_panel else ''}",
            "label": declared.label,
            "product": product,
            "products": list(product_list(actor=actor)) if may_record and product is None else [],
            "may_record": may_record,
            "in_panel": in_panel,
            "as_card": as_card,
            "workspace": actor.workspace,
        },
        request=request,
    )


def item_section(request: HttpRequest, item: Any, in_panel: bool) -> str:
    return object_section(request, item, in_panel=in_panel)


def problem_section(request: HttpRequest, problem: Any) -> str:
    return object_section(request, problem, as_card=True)


def metric_section(request: HttpRequest, metric: Any) -> str:
    return object_section(request, metric, as_card=True)


def release_section(request: HttpRequest, release: Any) -> str:
    return object_section(request, release, as_card=True)


@require_POST
@workspace_view
def capture(request: WorkspaceRequest) -> HttpResponse:
    """Record a decision linked to the object the form names, then go back to its page."""
    actor = request.actor
    services.require_record(actor)
    form = CaptureForm(request.POST)
    target = request.POST.get("target", "")
    kind, ref = seam.split(target, field="target")
    declared, obj = seam.resolve(actor, kind, ref, field="target")
    assert declared.url is not None  # noqa: S101 - resolve gives linkable kinds only
    back = declared.url(obj) + "#decisions"
    if not form.is_valid():
        problems = "; ".join(
            f"{name.capitalize()}: {' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        )
        messages.error(request, f"The decision was not recorded. {problems}")
        return redirect(back)
    data = form.cleaned_data
    try:
        product = _product_of(obj) or product_ref(actor, data["product"] or "", field="product")
        decision = services.decision_create(
            actor=actor,
            product=product,
            title=data["title"],
            decision=data["decision"],
            status=data["status"],
            links=[target],
        )
    except Invalid as error:
        messages.error(request, f"The decision was not recorded. {error_sentence(error)}")
        return redirect(back)
    messages.success(request, f"Recorded {decision.key} “{decision.title}”.")
    return redirect(back)
