"""The coverage page: who carried each product-management duty over a period, for the
workspace, a product or a team, with the summary of what that shows and the rule behind each
sentence. Every member reads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from lodestar.core.errors import Invalid, NotFound, StaleVersion, error_sentence
from lodestar.coverage.duties import DUTIES, Duty
from lodestar.coverage.facts import coverage_summary
from lodestar.coverage.focus import backlog_focus
from lodestar.coverage.models import CARRIES_MIN_RANGE, DISCOVERY_GAP_MIN_RANGE
from lodestar.coverage.opportunity import GAP_WORDS, opportunity_map
from lodestar.coverage.permissions import CoveragePermission
from lodestar.coverage.selectors import (
    DEFAULT_DAYS,
    Coverage,
    DutyCoverage,
    clean_days,
    coverage_for,
)
from lodestar.coverage.services import thresholds_of, thresholds_set
from lodestar.coverage.summary import Sentence, Thresholds
from lodestar.people.access import access_team
from lodestar.people.models import Team
from lodestar.people.policy import can
from lodestar.people.selectors import team_list
from lodestar.people.web import WorkspaceRequest, workspace_view
from lodestar.strategy.access import access_product, goal_by_id
from lodestar.strategy.selectors import product_list, team_product_ids

PERIODS = (30, 90, 180)
TEAMS = "teams"  # the scope that puts every team's coverage side by side
# The most teams side by side (each is one coverage read): a wider table reads badly anyway.
MAX_SIDE_BY_SIDE = 12


def _scopes(request: WorkspaceRequest) -> list[tuple[str, str]]:
    actor = request.actor
    products = [(f"product:{p.key}", f"{p.key} · {p.name}") for p in product_list(actor=actor)]
    teams = [(f"team:{t.slug}", f"Team {t.name}") for t in team_list(actor=actor)]
    side = [(TEAMS, "The teams side by side")] if teams else []
    return [("", "The whole workspace"), *side, *products, *teams]


@dataclass(frozen=True)
class TeamColumn:
    """One team's coverage and summary, a column of the side-by-side table."""

    team: Team
    coverage: Coverage
    summary: list[Sentence]


@dataclass(frozen=True)
class DutyRow:
    """One duty across the teams: each team's coverage of it, in the columns' order."""

    duty: Duty
    cells: list[DutyCoverage]


def _side_by_side(request: WorkspaceRequest, days: int, thresholds: Thresholds) -> dict[str, Any]:
    """Every team that works from a product (the first ``MAX_SIDE_BY_SIDE`` by name), each
    counted as its own scope is (``coverage_for(team=...)``), duty by duty."""
    actor = request.actor
    working = set(team_product_ids(actor=actor))
    every = list(team_list(actor=actor))
    teams = [team for team in every if team.pk in working]
    columns = []
    for team in teams[:MAX_SIDE_BY_SIDE]:
        coverage = coverage_for(actor, team=team, days=days)
        summary = coverage_summary(actor, coverage, thresholds)
        columns.append(TeamColumn(team, coverage, summary))
    rows = [
        DutyRow(duty, [column.coverage.duties[index] for column in columns])
        for index, duty in enumerate(DUTIES)
    ]
    return {
        "columns": columns,
        "rows": rows,
        "left_out": len(teams) - len(columns),
        "idle": [team for team in every if team.pk not in working],
    }


def _scope(request: WorkspaceRequest, value: str) -> dict[str, Any]:
    """``product:KEY`` or ``team:SLUG`` (empty: the workspace), through their gates; anything
    else is a 422 naming ``scope``."""
    kind, _, ref = value.partition(":")
    if not value:
        return {}
    try:
        if kind == "product" and ref:
            return {"product": access_product(request.actor, ref)}
        if kind == "team" and ref:
            return {"team": access_team(request.actor, ref)}
    except NotFound as error:
        raise Invalid.field("scope", error.detail) from error
    raise Invalid.field(
        "scope", "choose the workspace, the teams side by side, a product or a team from the list"
    )


@require_GET
@workspace_view
def coverage_page(request: WorkspaceRequest) -> HttpResponse:
    return _page(request, request.GET.get("scope", "").strip(), request.GET.get("days", ""))


def _page(
    request: WorkspaceRequest,
    scope_value: str,
    days_value: str,
    *,
    thresholds: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page for a scope and period as typed; ``thresholds``: the thresholds form as it was
    posted, with its errors (a 422)."""
    actor = request.actor
    scopes = _scopes(request)
    manages = can(actor, CoveragePermission.SET_COVERAGE_THRESHOLDS)
    current, version = thresholds_of(actor.workspace_id)
    context: dict[str, Any] = {
        "scopes": scopes,
        "scope_value": scope_value,
        "days_value": days_value or str(DEFAULT_DAYS),
        "periods": PERIODS,
        "errors": {},
        "has_teams": any(value == TEAMS for value, _ in scopes),
        "manages": manages,
        "thresholds": thresholds
        or {
            "carries_min": current.carries_min,
            "discovery_gap_min": current.discovery_gap_min,
            "version": version,
            "errors": {},
        },
        "ranges": {"carries_min": CARRIES_MIN_RANGE, "discovery_gap_min": DISCOVERY_GAP_MIN_RANGE},
    }
    try:
        days = clean_days(days_value or None)
        if scope_value != TEAMS:
            coverage = coverage_for(actor, days=days, **_scope(request, scope_value))
    except Invalid as error:
        context["errors"] = {e.field: e.message for e in error.errors}
        context["error"] = error_sentence(error)
        return render(request, "coverage/page.html", context, status=422)
    if days not in PERIODS:
        context["periods"] = tuple(sorted({*PERIODS, days}))
    if scope_value == TEAMS:
        context.update(side=_side_by_side(request, days, current), days=days)
        return render(request, "coverage/page.html", context, status=status)
    context.update(
        coverage=coverage,
        days=days,
        summary=coverage_summary(actor, coverage, current),
        scope_label=dict(context["scopes"]).get(scope_value, "The whole workspace"),
    )
    return render(request, "coverage/page.html", context, status=status)


@require_POST
@workspace_view
def thresholds_update(request: WorkspaceRequest) -> HttpResponse:
    """The thresholds form under the summary (owners and admins): saved, back to the page as
    it was; a value out of its range, the page again with the form as typed and what to fix."""
    scope_value = request.POST.get("scope", "").strip()[:80]
    days_value = request.POST.get("days", "").strip()[:12]
    posted = {field: request.POST.get(field, "") for field in ("carries_min", "discovery_gap_min")}
    version_text = request.POST.get("version", "")
    back = reverse("coverage:page", kwargs={"workspace_slug": request.actor.workspace.slug})
    query = urlencode({k: v for k, v in (("scope", scope_value), ("days", days_value)) if v})
    try:
        thresholds_set(
            actor=request.actor,
            expected_version=int(version_text) if version_text.isdigit() else None,
            **posted,
        )
    except Invalid as error:
        form = {
            **posted,
            "version": version_text,
            "errors": {e.field: e.message for e in error.errors},
        }
        form["error"] = error_sentence(error)
        return _page(request, scope_value, days_value, thresholds=form, status=422)
    except StaleVersion:
        messages.error(
            request,
            "Someone changed the thresholds while you were looking; here they are as they are "
            "now. Make your change again.",
        )
        return redirect(f"{back}?{query}" if query else back)
    messages.success(request, "Thresholds saved: the summary uses them from now on.")
    return redirect(f"{back}?{query}" if query else back)


@require_GET
@workspace_view
def opportunity_page(request: WorkspaceRequest, goal_id: int) -> HttpResponse:
    """The opportunity map of a Product Goal: problems by evidence, their items, the outcomes
    measured, the gaps marked (readable in print)."""
    goal = goal_by_id(request.actor, str(goal_id))
    found = opportunity_map(goal)
    return render(
        request,
        "coverage/opportunity.html",
        {"map": found, "goal": goal, "product": goal.product, "gap_words": GAP_WORDS},
    )


def goal_section(request: HttpRequest, goal: Any) -> str:
    """On a Product Goal's page: the way to its opportunity map."""
    return render_to_string(
        "coverage/_goal_section.html",
        {
            "url": reverse(
                "coverage:opportunity",
                kwargs={"workspace_slug": goal.product.workspace.slug, "goal_id": goal.pk},
            )
        },
        request=request,
    )


@require_GET
@workspace_view
def focus_strip(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """The backlog's health strip (``coverage.focus``): asked for by the backlog page once it
    has loaded, so the page itself pays nothing for it."""
    product = access_product(request.actor, product_key)
    return render(
        request,
        "coverage/_focus.html",
        {"focus": backlog_focus(product), "product": product},
    )


def backlog_section(request: HttpRequest, product: Any) -> str:
    """On a product's backlog page: the slot its health strip loads into."""
    return render_to_string(
        "coverage/_focus_slot.html",
        {
            "url": reverse(
                "coverage:focus",
                kwargs={
                    "workspace_slug": request.actor.workspace.slug,  # type: ignore[attr-defined]
                    "product_key": product.key,
                },
            )
        },
        request=request,
    )
