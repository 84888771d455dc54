"""The stakeholder report: one read of a product over a period, which the page, the Markdown,
the printable HTML, the API and the CLI all render.

Each section reads its context through that context's public modules: the goals and their
items (strategy's and the backlog's models), the sprints that ended (sprints' models), the
releases and their forecasts (``releases.forecasts``, the product's teams' history read once
for all of them), the decisions taken (``decisions.selectors``), the outcome reviews whose
window closed (``outcomes.selectors``) and the problems with the most
evidence (``discovery.selectors``). Every section costs a fixed number of queries whatever the
number of its rows; the open releases' forecasts come from one simulation of the product
(``releases.forecasts.product_forecasts``), at most ``FORECASTS`` releases listed.
docs/REPORTS.md says what each section holds.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.html import escape, strip_tags

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.coverage.facts import coverage_summary
from lodestar.coverage.focus import backlog_focus
from lodestar.coverage.selectors import MAX_DAYS, coverage_for
from lodestar.decisions.models import DecisionStatus
from lodestar.decisions.selectors import decision_list
from lodestar.discovery.models import ProblemStatus
from lodestar.discovery.selectors import problem_evidence, problem_list_ranked
from lodestar.outcomes.models import Verdict
from lodestar.outcomes.selectors import review_list
from lodestar.people.models import Membership
from lodestar.people.policy import Actor
from lodestar.releases.forecasts import OPEN_STATES, in_order, product_forecasts
from lodestar.releases.models import Release, ReleaseState
from lodestar.releases.selectors import release_list
from lodestar.reports.periods import Period
from lodestar.sprints.models import Sprint, SprintState
from lodestar.strategy.models import Product, ProductGoal

# Open releases listed with their forecast (one simulation answers them all); past these, a
# report counts them in ``Report.unforecast``.
FORECASTS = 30
PROBLEMS = 5
# Decisions and sprints listed in full up to these; a report past them says how many more.
DECISIONS = 50
OUTCOMES = 50
SPRINTS = 40
OPEN_PROBLEMS = (ProblemStatus.NEW, ProblemStatus.VALIDATED, ProblemStatus.SOLVING)
# Verdicts whose reason a report states (too few samples, within the noise, window still open).
_UNSETTLED = (Verdict.INCONCLUSIVE, Verdict.PENDING)


@dataclass(frozen=True)
class GoalProgress:
    """A Product Goal that was active during the period, and the backlog items it holds:
    ``items`` not dropped (won't do), ``done`` of them."""

    id: int
    statement: str
    status: str
    started_on: dt.date
    ended_on: dt.date | None
    items: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.items) if self.items else 0


@dataclass(frozen=True)
class SprintLine:
    """A sprint that closed in the period: its goal and whether it was met (None: not said)."""

    id: int
    name: str
    team: str
    start_date: dt.date
    end_date: dt.date
    goal: str
    goal_met: bool | None
    committed_points: float | None
    completed_points: float | None
    committed_items: int | None
    completed_items: int | None


@dataclass(frozen=True)
class ForecastLine:
    """A planned release's forecast: items left, the dates by which they are done in 50, 85
    and 95% of trials, the chance of the target date, and what limits it, in words."""

    remaining: int
    p50: dt.date | None
    p85: dt.date | None
    p95: dt.date | None
    chance: float | None
    note: str


@dataclass(frozen=True)
class ReleaseLine:
    id: int
    name: str
    state: str
    target_date: dt.date | None
    went_live_on: dt.date | None
    items: int
    done: int
    forecast: ForecastLine | None = None


@dataclass(frozen=True)
class DecisionLine:
    key: str
    number: int
    title: str
    status: str
    decided_on: dt.date
    deciders: list[str]
    decision: str


@dataclass(frozen=True)
class OutcomeLine:
    """An outcome review whose evaluation window ended in the period: the metric, what it
    measured (a release, or an epic by its key), the target as stated (a level, or a change in
    percent of the baseline) and the level it came to, the baseline and observed values, the
    verdict, why when it is not met or missed, and the learnings on one line."""

    id: int
    metric: str
    metric_key: str
    unit: str
    subject: str
    verdict: str
    target: float
    target_kind: str
    target_level: float | None
    baseline_value: float | None
    observed_value: float | None
    observed_until: dt.date
    reason: str
    learnings: str


@dataclass(frozen=True)
class ProblemLine:
    """One of the problems with the most evidence: distinct customers behind it, their ARR,
    the insights, and when the latest was heard."""

    id: int
    title: str
    status: str
    customers: int
    arr: Decimal
    insights: int
    latest_on: dt.date | None


@dataclass(frozen=True)
class CoverageLine:
    """A product-management duty in the period: who carried it, how often, when last."""

    duty: str
    label: str
    people: list[str]  # "Name (job title)", most active first
    total: int
    last_on: dt.date | None


@dataclass(frozen=True)
class FocusLine:
    """The top of the backlog now (``coverage.focus``): is it on the most valuable problems?"""

    items: int
    points: Decimal
    velocity: Decimal | None
    customers: int
    arr: Decimal
    without_evidence: list[str]  # "KEY title"
    stronger_left_out: list[str]  # "problem (N customers)"
    stale: int
    stale_days: int
    ready: int


@dataclass(frozen=True)
class Report:
    """What a stakeholder update says about ``product`` from ``since`` to ``until``."""

    workspace: str
    currency: str
    product_key: str
    product_name: str
    since: dt.date
    until: dt.date
    generated_at: dt.datetime
    goals: list[GoalProgress] = field(default_factory=list)
    sprints: list[SprintLine] = field(default_factory=list)
    sprints_more: int = 0
    live: list[ReleaseLine] = field(default_factory=list)
    planned: list[ReleaseLine] = field(default_factory=list)
    unforecast: int = 0
    decisions: list[DecisionLine] = field(default_factory=list)
    decisions_more: int = 0
    outcomes: list[OutcomeLine] = field(default_factory=list)
    outcomes_more: int = 0
    problems: list[ProblemLine] = field(default_factory=list)
    coverage: list[CoverageLine] = field(default_factory=list)
    coverage_summary: list[str] = field(default_factory=list)
    focus: FocusLine | None = None

    @property
    def period(self) -> Period:
        return Period(self.since, self.until)

    @property
    def goals_met(self) -> int:
        return sum(1 for sprint in self.sprints if sprint.goal_met)

    @property
    def verdicts(self) -> dict[str, int]:
        """How many outcomes of the list came out each way (every verdict, zeros included)."""
        counts = dict.fromkeys(Verdict.values, 0)
        for line in self.outcomes:
            counts[line.verdict] = counts.get(line.verdict, 0) + 1
        return counts


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The instants the period's first day starts and the day after its last starts."""
    start = timezone.make_aware(dt.datetime.combine(period.since, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(period.until + dt.timedelta(days=1), dt.time()))
    return start, end


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def report_goals(product: Product, period: Period) -> list[GoalProgress]:
    """The goals active at some time in the period (started before its end, not ended before
    its start), newest first, with their items counted in one query."""
    start, end = _bounds(period)
    goals = list(
        ProductGoal.objects.filter(product=product, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
        .order_by("-started_at", "-id")
    )
    counts = {
        row["goal_id"]: row
        for row in BacklogItem.objects.filter(goal__in=goals)
        .exclude(status=ItemStatus.WONT_DO)
        .values("goal_id")
        .annotate(items=Count("id"), done=Count("id", filter=Q(status=ItemStatus.DONE)))
        .order_by()
    }
    return [
        GoalProgress(
            id=goal.pk,
            statement=goal.statement,
            status=goal.status,
            started_on=timezone.localdate(goal.started_at),
            ended_on=_local_day(goal.ended_at),
            items=counts.get(goal.pk, {}).get("items", 0),
            done=counts.get(goal.pk, {}).get("done", 0),
        )
        for goal in goals
    ]


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def report_sprints(product: Product, period: Period) -> tuple[list[SprintLine], int]:
    """The product's sprints closed with an end date in the period, oldest first (at most
    ``SPRINTS``, the latest kept), and how many more there were."""
    rows = Sprint.objects.filter(
        product=product,
        state=SprintState.CLOSED,
        end_date__gte=period.since,
        end_date__lte=period.until,
    ).select_related("team")
    sprints = list(rows.order_by("-end_date", "-id")[: SPRINTS + 1])
    more = 0
    if len(sprints) > SPRINTS:
        more = rows.count() - SPRINTS
        sprints = sprints[:SPRINTS]
    return [
        SprintLine(
            id=sprint.pk,
            name=sprint.name,
            team=sprint.team.name,
            start_date=sprint.start_date,
            end_date=sprint.end_date,
            goal=sprint.goal,
            goal_met=sprint.goal_met,
            committed_points=_float(sprint.committed_points),
            completed_points=_float(sprint.completed_points),
            committed_items=sprint.committed_items,
            completed_items=sprint.completed_items,
        )
        for sprint in reversed(sprints)
    ], more


def _release_line(release: Release, forecast: ForecastLine | None = None) -> ReleaseLine:
    return ReleaseLine(
        id=release.pk,
        name=release.name,
        state=release.state,
        target_date=release.target_date,
        went_live_on=_local_day(release.went_live_at),
        items=getattr(release, "item_count", 0),
        done=getattr(release, "done_count", 0),
        forecast=forecast,
    )


def report_releases(
    actor: Actor, product: Product, period: Period, *, today: dt.date
) -> tuple[list[ReleaseLine], list[ReleaseLine], int]:
    """The releases that went live in the period (in the order they did), and the planned and
    in progress ones in the order the teams work them (by target date, undated last), the
    first ``FORECASTS`` with their forecast from the product's one simulation
    (``releases.forecasts.product_forecasts``), and how many more there are."""
    start, end = _bounds(period)
    rows = release_list(actor=actor, product=product)
    live = [
        _release_line(release)
        for release in rows.filter(
            state=ReleaseState.LIVE, went_live_at__gte=start, went_live_at__lt=end
        ).order_by("went_live_at", "id")
    ]
    open_releases = in_order(list(rows.filter(state__in=OPEN_STATES)))
    shown = open_releases[:FORECASTS]
    found = product_forecasts(product, today=today, releases=open_releases) if shown else {}
    planned = []
    for release in shown:
        forecast = found.get(release.pk)
        planned.append(
            _release_line(
                release,
                ForecastLine(
                    remaining=forecast.remaining,
                    p50=forecast.date_at(50),
                    p85=forecast.date_at(85),
                    p95=forecast.date_at(95),
                    chance=forecast.chance,
                    note=forecast.reason,
                )
                if forecast is not None
                else None,
            )
        )
    return live, planned, len(open_releases) - len(shown)


def _summary(html: str, limit: int = 280) -> str:
    """A decision's text (its sanitized HTML, so its Markdown reads as the words it shows) on
    one line, cut at ``limit`` characters."""
    line = " ".join(unescape(strip_tags(html)).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


def report_decisions(
    actor: Actor, product: Product, period: Period
) -> tuple[list[DecisionLine], int]:
    """The decisions decided on a day of the period (superseded since, too: they were taken),
    in the order they were taken; at most ``DECISIONS``, the latest kept."""
    rows = (
        decision_list(actor=actor, product=product)
        .filter(
            status__in=(DecisionStatus.DECIDED, DecisionStatus.SUPERSEDED),
            decided_at__gte=period.since,
            decided_at__lte=period.until,
        )
        # Of what the log's rows bring along, a line shows only who decided.
        .prefetch_related(None)
        .prefetch_related(Prefetch("deciders", queryset=Membership.objects.select_related("user")))
    )
    found = list(rows.order_by("-decided_at", "-number")[: DECISIONS + 1])
    more = 0
    if len(found) > DECISIONS:
        more = rows.count() - DECISIONS
        found = found[:DECISIONS]
    return [
        DecisionLine(
            key=decision.key,
            number=decision.number,
            title=decision.title,
            status=decision.status,
            decided_on=decision.decided_at,
            deciders=[member.user.display_name for member in decision.deciders.all()],
            decision=_summary(decision.decision_html),
        )
        for decision in reversed(found)
        if decision.decided_at is not None
    ], more


def report_outcomes(
    actor: Actor, product: Product, period: Period
) -> tuple[list[OutcomeLine], int]:
    """The outcome reviews whose evaluation window ended in the period, in the order they did
    (``outcomes.selectors.review_list``); at most ``OUTCOMES``, the latest kept."""
    rows = review_list(actor=actor, product=product, since=period.since, until=period.until)
    found = list(rows[: OUTCOMES + 1])
    more = 0
    if len(found) > OUTCOMES:
        more = rows.count() - OUTCOMES
        found = found[:OUTCOMES]
    lines = []
    for review in reversed(found):
        criterion = review.criterion
        if criterion.release is not None:
            subject = criterion.release.name
        elif criterion.item is not None:
            subject = f"{criterion.item.key} {criterion.item.title}"
        else:
            subject = ""
        lines.append(
            OutcomeLine(
                id=review.pk,
                metric=criterion.metric.name,
                metric_key=criterion.metric.key,
                unit=criterion.metric.unit,
                subject=subject,
                verdict=review.verdict,
                target=criterion.target,
                target_kind=criterion.target_kind,
                target_level=review.target_level,
                baseline_value=review.baseline_value,
                observed_value=review.observed_value,
                observed_until=review.observed_until,
                reason=_summary(escape(review.reason)) if review.verdict in _UNSETTLED else "",
                learnings=_summary(review.learnings_html),
            )
        )
    return lines, more


def report_problems(actor: Actor, product: Product) -> list[ProblemLine]:
    """The product's open problems with the most evidence: distinct customers first, then
    their ARR (the problems page's order), ``PROBLEMS`` of them."""
    top = list(
        problem_list_ranked(actor=actor, product_id=product.pk)
        .filter(status__in=OPEN_PROBLEMS)
        .order_by("-customer_count", "-arr_total", "-id")[:PROBLEMS]
    )
    evidence = problem_evidence([problem.pk for problem in top])
    lines = []
    for problem in top:
        found = evidence[problem.pk]
        lines.append(
            ProblemLine(
                id=problem.pk,
                title=problem.title,
                status=problem.status,
                customers=found.customers,
                arr=found.arr,
                insights=found.insights,
                latest_on=_local_day(found.latest_at),
            )
        )
    return lines


def report_coverage(
    actor: Actor, product: Product, period: Period
) -> tuple[list[CoverageLine], list[str]]:
    """Who carried each product-management duty of ``product`` in the period (its days, to
    the end of its last), and the summary's sentences (``coverage.summary``)."""
    start, end = _bounds(period)
    until = min(end, timezone.now())  # a period that runs to today counts to now
    days = max(1, min(MAX_DAYS, math.ceil((until - start) / dt.timedelta(days=1))))
    coverage = coverage_for(actor, product=product, days=days, now=until)
    lines = [
        CoverageLine(
            duty=row.duty.key,
            label=row.duty.label,
            people=[
                f"{person.name}{f' ({person.job_title})' if person.job_title else ''}"
                for person in row.people
            ],
            total=row.total,
            last_on=_local_day(row.last),
        )
        for row in coverage.duties
    ]
    return lines, [sentence.text for sentence in coverage_summary(actor, coverage)]


def report_focus(product: Product) -> FocusLine:
    """The backlog's focus as it stands now, whatever the period."""
    found = backlog_focus(product)
    return FocusLine(
        items=len(found.top),
        points=found.points,
        velocity=found.velocity,
        customers=found.customers,
        arr=found.arr,
        without_evidence=[f"{item.key} {item.title}" for item in found.without_evidence],
        stronger_left_out=[
            f"{problem.title} ({n} customer{'s' if n != 1 else ''})"
            for problem, n in found.stronger_left_out
        ],
        stale=len(found.stale),
        stale_days=found.stale_days,
        ready=found.ready,
    )


def stakeholder_report(
    actor: Actor,
    product: Product,
    since: dt.date,
    until: dt.date,
    *,
    today: dt.date | None = None,
) -> Report:
    """The stakeholder update of ``product`` (which the actor reached through its gate) from
    ``since`` to ``until``, both included (a period ``periods.period_of`` checked).
    ``today``: the day forecasts start from (default: today)."""
    today = today or timezone.localdate()
    period = Period(since, until)
    sprints, sprints_more = report_sprints(product, period)
    live, planned, unforecast = report_releases(actor, product, period, today=today)
    decisions, decisions_more = report_decisions(actor, product, period)
    outcomes, outcomes_more = report_outcomes(actor, product, period)
    coverage, coverage_sentences = report_coverage(actor, product, period)
    return Report(
        workspace=product.workspace.slug,
        currency=product.workspace.currency,
        product_key=product.key,
        product_name=product.name,
        since=period.since,
        until=period.until,
        generated_at=timezone.now(),
        goals=report_goals(product, period),
        sprints=sprints,
        sprints_more=sprints_more,
        live=live,
        planned=planned,
        unforecast=unforecast,
        decisions=decisions,
        decisions_more=decisions_more,
        outcomes=outcomes,
        outcomes_more=outcomes_more,
        problems=report_problems(actor, product),
        coverage=coverage,
        coverage_summary=coverage_sentences,
        focus=report_focus(product),
    )
