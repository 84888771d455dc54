"""The coverage page: who carried each product-management duty over a period, for the
workspace, a product or a team, with the summary of what that shows and the rule behind each
sentence. Every member reads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from lodestar.core.errors import Invalid, NotFound, error_sentence
from lodestar.coverage.duties import DUTIES, Duty
from lodestar.coverage.facts import coverage_summary
from lodestar.coverage.focus import backlog_focus
from lodestar.coverage.opportunity import GAP_WORDS, opportunity_map
from lodestar.coverage.selectors import (
    DEFAULT_DAYS,
    Coverage,
    DutyCoverage,
    clean_days,
    coverage_for,
)
from lodestar.coverage.summary import Sentence
from lodestar.people.access import access_team
from lodestar.people.models import Team
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


def _side_by_side(request: WorkspaceRequest, days: int) -> dict[str, Any]:
    """Every team that works from a product (the first ``MAX_SIDE_BY_SIDE`` by name), each
    counted as its own scope is (``coverage_for(team=...)``), duty by duty."""
    actor = request.actor
    working = set(team_product_ids(actor=actor))
    teams = [team for team in team_list(actor=actor) if team.pk in working]
    columns = []
    for team in teams[:MAX_SIDE_BY_SIDE]:
        coverage = coverage_for(actor, team=team, days=days)
        columns.append(TeamColumn(team, coverage, coverage_summary(actor, coverage)))
    rows = [
        DutyRow(duty, [column.coverage.duties[index] for column in columns])
        for index, duty in enumerate(DUTIES)
    ]
    return {
        "columns": columns,
        "rows": rows,
        "left_out": len(teams) - len(columns),
        "idle": [team for team in team_list(actor=actor) if team.pk not in working],
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
    actor = request.actor
    scope_value = request.GET.get("scope", "").strip()
    days_value = request.GET.get("days", "")
    scopes = _scopes(request)
    context: dict[str, Any] = {
        "scopes": scopes,
        "scope_value": scope_value,
        "days_value": days_value or str(DEFAULT_DAYS),
        "periods": PERIODS,
        "errors": {},
        "has_teams": any(value == TEAMS for value, _ in scopes),
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
        context.update(side=_side_by_side(request, days), days=days)
        return render(request, "coverage/page.html", context)
    context.update(
        coverage=coverage,
        days=days,
        summary=coverage_summary(actor, coverage),
        scope_label=dict(context["scopes"]).get(scope_value, "The whole workspace"),
    )
    return render(request, "coverage/page.html", context)


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
