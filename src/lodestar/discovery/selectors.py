"""Every read of the discovery context, and the evidence of problems, computed from their
insights (never stored, so it cannot drift from what was heard)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from lodestar.core.registry import registry
from lodestar.core.search import similar
from lodestar.discovery.models import (
    Contact,
    Customer,
    Feedback,
    FeedbackState,
    Insight,
    InsightProblem,
    Problem,
    ProblemItem,
    ProblemStatus,
)
from lodestar.discovery.portal_models import PortalVote
from lodestar.discovery.risk_selectors import ExperimentCounts, problem_experiment_counts
from lodestar.people.policy import Actor

TREND_WEEKS = 13  # the last 90 days, in weeks
NO_SEGMENT = ""


@dataclass(frozen=True)
class WeekCount:
    week: dt.date  # the Monday the week starts on
    insights: int


@dataclass(frozen=True)
class SegmentShare:
    segment: str  # "" when the customers have none
    customers: int
    arr: Decimal


@dataclass(frozen=True)
class Evidence:
    """What a problem's insights add up to."""

    customers: int = 0
    contacts: int = 0
    arr: Decimal = Decimal("0.00")
    insights: int = 0
    latest_at: dt.datetime | None = None
    segments: list[SegmentShare] = field(default_factory=list)
    trend: list[WeekCount] = field(default_factory=list)
    # Distinct confirmed voter emails over the portal ideas linked to the problem: interest,
    # not evidence from customers (it moves neither ``customers`` nor ``arr``).
    votes: int = 0
    # The experiments run on the problem (live ones): how many, concluded, validated. They
    # are evidence of what was tested, shown beside the customers; they do not move the
    # customers, ARR or the ranking by them.
    experiments: ExperimentCounts = field(default_factory=ExperimentCounts)


def _live_links(problem_ids: Iterable[int]) -> QuerySet[InsightProblem]:
    return InsightProblem.objects.filter(
        problem_id__in=list(problem_ids),
        insight__deleted_at__isnull=True,
        insight__feedback__deleted_at__isnull=True,
    )


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def trend_weeks(today: dt.date | None = None) -> list[dt.date]:
    """The Mondays of the last ``TREND_WEEKS`` weeks, oldest first (this week last)."""
    this_week = _monday(today or timezone.localdate())
    return [this_week - dt.timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]


# The distinct customers behind each problem's live insights, summed per segment (a customer
# is counted, and its ARR added, once per problem however often it spoke). Portable SQL: a
# derived table Django's ORM cannot express.
# Each problem's distinct customers behind its live insights, as (problem_id, customer_id).
_BEHIND_SQL = """
    SELECT DISTINCT link.problem_id, feedback.customer_id
    FROM discovery_insightproblem link
    JOIN discovery_insight insight ON insight.id = link.insight_id
    JOIN discovery_feedback feedback ON feedback.id = insight.feedback_id
    WHERE link.problem_id IN ({ids})
      AND insight.deleted_at IS NULL
      AND feedback.deleted_at IS NULL
      AND feedback.customer_id IS NOT NULL
"""
_SEGMENTS_SQL = f"""
SELECT behind.problem_id, customer.segment, COUNT(*), SUM(customer.arr)
FROM ({_BEHIND_SQL}) behind
JOIN discovery_customer customer ON customer.id = behind.customer_id
GROUP BY behind.problem_id, customer.segment
"""  # noqa: S608 - the ids are parameters; {ids} is a run of placeholders
_REACH_SQL = f"""
SELECT behind.problem_id, COUNT(*), SUM(customer.arr)
FROM ({_BEHIND_SQL}) behind
JOIN discovery_customer customer ON customer.id = behind.customer_id
GROUP BY behind.problem_id
"""  # noqa: S608 - as above


def _week_starts(weeks: list[dt.date]) -> list[dt.datetime]:
    """The instants the trend's weeks start at (local midnight of each Monday)."""
    return [timezone.make_aware(dt.datetime.combine(week, dt.time())) for week in weeks]


def problem_votes(problem_ids: Sequence[int]) -> dict[int, int]:
    """By problem: the distinct email addresses whose confirmed votes went to the portal ideas
    linked to it (an address voting for two of its ideas counts once), in one query."""
    return {
        row["idea__problem_id"]: row["votes"]
        for row in PortalVote.objects.filter(
            idea__problem_id__in=list(problem_ids), confirmed_at__isnull=False
        )
        .values("idea__problem_id")
        .annotate(votes=Count("email", distinct=True))
        .order_by()
    }


def problem_evidence(problem_ids: Sequence[int]) -> dict[int, Evidence]:
    """The evidence of each problem, in four queries whatever their number, each aggregated
    by the database (no insight is read into Python).

    Customers and contacts are counted once each however many insights they are behind; ARR
    is the sum over those distinct customers (a customer with no ARR adds nothing); segments
    split the customers and their ARR; the trend counts insights per week over the last 90
    days by when the feedback was received. Trashed insights and feedback do not count.
    ``votes`` counts the portal's confirmed voters (``problem_votes``) on their own, and
    ``experiments`` the experiments linked to it (``problem_experiment_counts``).
    """
    ids = list(dict.fromkeys(int(pk) for pk in problem_ids))
    if not ids:
        return {}
    weeks = trend_weeks()
    starts = _week_starts(weeks)
    received = "insight__feedback__received_at"
    per_week = {
        f"week_{n}": Count(
            "insight_id",
            filter=Q(**{f"{received}__gte": start})
            & (Q(**{f"{received}__lt": starts[n + 1]}) if n + 1 < len(starts) else Q()),
        )
        for n, start in enumerate(starts)
    }
    totals = {
        row["problem_id"]: row
        for row in _live_links(ids)
        .values("problem_id")
        .annotate(
            # An insight is linked to a problem once (a unique constraint): rows are insights.
            insights=Count("insight_id"),
            contacts=Count("insight__feedback__contact_id", distinct=True),
            latest_at=Max(received),
            **per_week,
        )
    }
    shares: dict[int, list[SegmentShare]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_SEGMENTS_SQL.format(ids=", ".join(["%s"] * len(ids))), ids)
        for problem_id, segment, customers, arr in cursor.fetchall():
            total = Decimal(arr).quantize(Decimal("0.01")) if arr is not None else Decimal("0.00")
            shares[problem_id].append(SegmentShare(segment or NO_SEGMENT, int(customers), total))
    votes = problem_votes(ids)
    experiments = problem_experiment_counts(ids)
    result: dict[int, Evidence] = {}
    for pk in ids:
        row = totals.get(pk)
        segments = sorted(shares.get(pk, []), key=lambda s: (-s.arr, -s.customers, s.segment))
        result[pk] = Evidence(
            customers=sum(s.customers for s in segments),
            contacts=row["contacts"] if row else 0,
            arr=sum((s.arr for s in segments), Decimal("0.00")),
            insights=row["insights"] if row else 0,
            latest_at=row["latest_at"] if row else None,
            segments=segments,
            trend=[WeekCount(week, row[f"week_{n}"] if row else 0) for n, week in enumerate(weeks)],
            votes=votes.get(pk, 0),
            experiments=experiments[pk],
        )
    return result


def problem_reach(problem_ids: Sequence[int]) -> dict[int, tuple[int, Decimal]]:
    """By problem: the customers behind it and their ARR, as ``problem_evidence`` counts them
    (each customer once, trashed insights and feedback left out), in one query: what a card
    shows where the rest of the evidence is not read (the roadmap). A problem with no
    customer behind it is absent."""
    ids = list(dict.fromkeys(int(pk) for pk in problem_ids))
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_REACH_SQL.format(ids=", ".join(["%s"] * len(ids))), ids)
        return {
            problem_id: (
                int(customers),
                Decimal(arr).quantize(Decimal("0.01")) if arr is not None else Decimal("0.00"),
            )
            for problem_id, customers, arr in cursor.fetchall()
        }


# -- lists ---------------------------------------------------------------------------------------


def customer_list(*, actor: Actor, segment: str | None = None, q: str = "") -> QuerySet[Customer]:
    """The workspace's live customers with how much feedback each has."""
    rows: QuerySet[Customer] = Customer.objects.filter(workspace_id=actor.workspace_id).annotate(
        feedback_count=Count("feedback", filter=Q(feedback__deleted_at__isnull=True))
    )
    if segment is not None:
        rows = rows.filter(segment=segment)
    if q:
        rows = rows.filter(name__icontains=q)
    return rows


def contact_list(*, actor: Actor, customer: Customer | None = None) -> QuerySet[Contact]:
    rows = Contact.objects.select_related("customer").filter(workspace_id=actor.workspace_id)
    if customer is not None:
        rows = rows.filter(customer=customer)
    return rows


@dataclass(frozen=True)
class FeedbackFilters:
    state: str | None = None
    source: str | None = None
    customer_id: int | None = None
    tag: str | None = None
    product_id: int | None = None
    captured_by_id: int | None = None


def feedback_list(*, actor: Actor, filters: FeedbackFilters | None = None) -> QuerySet[Feedback]:
    """Feedback of the workspace with what a list shows (customer, contact, who captured it,
    how many insights)."""
    f = filters or FeedbackFilters()
    rows: QuerySet[Feedback] = (
        Feedback.objects.filter(workspace_id=actor.workspace_id)
        .select_related("customer", "contact", "captured_by", "product")
        .annotate(insight_count=Count("insights", filter=Q(insights__deleted_at__isnull=True)))
    )
    if f.state:
        rows = rows.filter(state=f.state)
    if f.source:
        rows = rows.filter(source=f.source)
    if f.customer_id:
        rows = rows.filter(customer_id=f.customer_id)
    if f.product_id:
        rows = rows.filter(product_id=f.product_id)
    if f.captured_by_id:
        rows = rows.filter(captured_by_id=f.captured_by_id)
    if f.tag:
        # Tags are a JSON list; match the element (the quotes keep "ux" from matching "uxr").
        rows = rows.filter(tags__icontains=f'"{f.tag.lower()}"')
    return rows


def insight_list(
    *, actor: Actor, feedback: Feedback | None = None, problem: Problem | None = None
) -> QuerySet[Insight]:
    rows = (
        Insight.objects.filter(workspace_id=actor.workspace_id, feedback__deleted_at__isnull=True)
        .select_related("feedback__customer", "feedback__contact", "created_by")
        .prefetch_related("problems")
    )
    if feedback is not None:
        rows = rows.filter(feedback=feedback)
    if problem is not None:
        rows = rows.filter(problem_links__problem=problem)
    return rows


def problem_list(
    *, actor: Actor, status: str | None = None, product_id: int | None = None
) -> QuerySet[Problem]:
    rows = Problem.objects.filter(workspace_id=actor.workspace_id).select_related(
        "owner__user", "product"
    )
    if status:
        rows = rows.filter(status=status)
    if product_id:
        rows = rows.filter(product_id=product_id)
    return rows


def problem_items(problem: Problem) -> list[Any]:
    """The live backlog items linked to ``problem``, in backlog order."""
    return [
        link.item
        for link in ProblemItem.objects.filter(problem=problem, item__deleted_at__isnull=True)
        .select_related("item__product")
        .order_by("item__product__key", "item__rank")
    ]


def portal_problem_choices(*, actor: Actor, product_id: int) -> QuerySet[Problem]:
    """The live problems an idea of the product's portal may be linked to: the product's and
    those of no product, by title."""
    return (
        Problem.objects.filter(workspace_id=actor.workspace_id)
        .filter(Q(product_id=product_id) | Q(product__isnull=True))
        .only("id", "title", "status", "product_id")
        .order_by("title", "id")
    )


def item_problems(item: Any) -> list[Problem]:
    """The live problems the backlog ``item`` solves, by title (one query)."""
    return [
        link.problem
        for link in ProblemItem.objects.filter(item=item, problem__deleted_at__isnull=True)
        .select_related("problem__workspace", "problem__owner__user", "problem__product")
        .order_by("problem__title", "problem_id")
    ]


def item_problem_ids(item_ids: Sequence[int]) -> dict[int, list[int]]:
    """The live problems linked to each backlog item, by item id (one query)."""
    found: dict[int, list[int]] = defaultdict(list)
    for item_id, problem_id in ProblemItem.objects.filter(
        item_id__in=list(item_ids), problem__deleted_at__isnull=True
    ).values_list("item_id", "problem_id"):
        found[item_id].append(problem_id)
    return found


def item_problem_titles(item_ids: Sequence[int]) -> dict[int, list[str]]:
    """The titles of the live problems each backlog item solves, by item id, in title order
    (one query): discovery's answer to the backlog's ``ITEM_LINKS``."""
    found: dict[int, list[str]] = defaultdict(list)
    for item_id, title in (
        ProblemItem.objects.filter(item_id__in=list(item_ids), problem__deleted_at__isnull=True)
        .order_by("problem__title", "problem_id")
        .values_list("item_id", "problem__title")
    ):
        found[item_id].append(title)
    return found


# -- similar feedback ----------------------------------------------------------------------------

SIMILAR_KINDS = ("problem", "feedback", "insight")
SIMILAR_PER_KIND = 8


@dataclass(frozen=True)
class Suggestion:
    """A stored problem or piece of feedback that a text resembles: its score (higher is
    closer; the search backend's BM25 or ``ts_rank_cd``), the words they share, and for a
    problem found through one of its insights, that insight's quote."""

    kind: str  # "problem" or "feedback"
    id: int
    title: str
    score: float
    shared: list[str]
    url: str | None
    via_quote: str = ""


def similar_to(
    *, actor: Actor, text: str, exclude_feedback: int | None = None, limit: int = 6
) -> list[Suggestion]:
    """The problems and feedback ``text`` most resembles, best first: problems by their own
    words, by the quotes of their insights and by the feedback those insights come from (a
    problem once, at its best score, and before a piece of feedback of the same score: a
    duplicate belongs on the problem), feedback by its text. Lexical
    (``core.search.similar``); nothing is downloaded or learned."""
    exclude = [("feedback", exclude_feedback)] if exclude_feedback is not None else []
    hits = similar(
        actor.workspace_id, text, kinds=SIMILAR_KINDS, limit=SIMILAR_PER_KIND * 3, exclude=exclude
    )
    insight_ids = [hit.id for hit in hits if hit.kind == "insight"]
    feedback_ids = [hit.id for hit in hits if hit.kind == "feedback"]
    # The problems each insight hit, or each feedback hit through its insights, is evidence of,
    # with the quote that ties them.
    problems_of: dict[tuple[str, int], list[tuple[Problem, str]]] = defaultdict(list)
    if insight_ids or feedback_ids:
        links = InsightProblem.objects.filter(
            Q(insight_id__in=insight_ids) | Q(insight__feedback_id__in=feedback_ids),
            problem__deleted_at__isnull=True,
            insight__deleted_at__isnull=True,
        ).select_related("problem", "insight")
        for link in links:
            if link.insight.feedback_id == exclude_feedback:
                continue
            tie = (link.problem, link.insight.quote)
            if link.insight_id in insight_ids:
                problems_of[("insight", link.insight_id)].append(tie)
            if link.insight.feedback_id in feedback_ids:
                problems_of[("feedback", link.insight.feedback_id)].append(tie)
    problem_type = registry().object_type("problem")
    assert problem_type is not None  # noqa: S101 - discovery declares it
    best: dict[tuple[str, int], Suggestion] = {}

    def offer(suggestion: Suggestion) -> None:
        key = (suggestion.kind, suggestion.id)
        known = best.get(key)
        if known is None or suggestion.score > known.score:
            if known is not None:
                merged = list(dict.fromkeys([*suggestion.shared, *known.shared]))
                suggestion = Suggestion(**{**suggestion.__dict__, "shared": merged})
            best[key] = suggestion

    for hit in hits:
        for problem, quote in problems_of.get((hit.kind, hit.id), []):
            offer(
                Suggestion(
                    kind="problem",
                    id=problem.pk,
                    title=problem.title,
                    score=hit.score,
                    shared=hit.shared,
                    url=problem_type.url(problem) if problem_type.url else None,
                    via_quote=quote,
                )
            )
        if hit.kind != "insight":
            offer(Suggestion(hit.kind, hit.id, hit.title, hit.score, hit.shared, hit.url))
    ranked = sorted(best.values(), key=lambda s: (-s.score, s.kind != "problem", s.id))
    return ranked[:limit]


# -- what the pages show -------------------------------------------------------------------------

PROBLEM_SORTS = {
    "newest": ["-id"],
    "customers": ["-customer_count", "-arr_total", "-id"],
    "arr": ["-arr_total", "-customer_count", "-id"],
}


def problem_list_ranked(
    *, actor: Actor, status: str | None = None, product_id: int | None = None
) -> QuerySet[Problem]:
    """``problem_list`` with two numbers of its evidence to sort by, one subquery each:
    ``customer_count`` (distinct customers behind live insights) and ``arr_total`` (their ARR,
    each customer once). ``problem_evidence`` stays the full account shown beside them."""
    live = InsightProblem.objects.filter(
        insight__deleted_at__isnull=True, insight__feedback__deleted_at__isnull=True
    )
    counted = (
        live.filter(problem=OuterRef("pk"), insight__feedback__customer__isnull=False)
        .values("problem")
        .annotate(n=Count("insight__feedback__customer", distinct=True))
        .values("n")
    )
    behind = live.filter(
        problem=OuterRef(OuterRef("pk")), insight__feedback__customer=OuterRef("pk")
    )
    summed = (
        Customer.all_objects.filter(Exists(behind))
        .values("workspace")
        .annotate(total=Sum("arr"))
        .values("total")
    )
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
    rows: QuerySet[Problem] = problem_list(
        actor=actor, status=status, product_id=product_id
    ).annotate(
        customer_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
        arr_total=Coalesce(
            Subquery(summed, output_field=money), Value(Decimal("0.00")), output_field=money
        ),
    )
    return rows


def customer_segments(*, actor: Actor) -> list[str]:
    """The segments the workspace's customers are in, by name."""
    return list(
        Customer.objects.filter(workspace_id=actor.workspace_id)
        .exclude(segment="")
        .order_by("segment")
        .values_list("segment", flat=True)
        .distinct()
    )


def customer_choices(*, actor: Actor, limit: int = 500) -> list[Customer]:
    """Customers to offer in a picker, by name (the first ``limit``)."""
    return list(
        Customer.objects.filter(workspace_id=actor.workspace_id).order_by("name", "id")[:limit]
    )


def problem_choices(*, actor: Actor, limit: int = 500) -> list[Problem]:
    """Problems to offer in a picker: the open ones first, newest first."""
    closed = [ProblemStatus.SOLVED, ProblemStatus.WONT_SOLVE]
    return sorted(
        Problem.objects.filter(workspace_id=actor.workspace_id).order_by("-id")[:limit],
        key=lambda problem: problem.status in closed,
    )


def problem_by_title(*, actor: Actor, title: str) -> Problem | None:
    """The live problem called ``title`` (any letter case), the newest if several are."""
    return (
        Problem.objects.filter(workspace_id=actor.workspace_id, title__iexact=title.strip())
        .order_by("-id")
        .first()
    )


def customer_problems(*, customer: Customer) -> QuerySet[Problem]:
    """The live problems that ``customer``'s feedback is evidence of, with how many of its
    insights support each (``insight_count``), the most supported first."""
    mine = Q(
        insight_links__insight__feedback__customer=customer,
        insight_links__insight__deleted_at__isnull=True,
        insight_links__insight__feedback__deleted_at__isnull=True,
    )
    rows: QuerySet[Problem] = (
        Problem.objects.filter(workspace_id=customer.workspace_id)
        .filter(mine)
        .annotate(insight_count=Count("insight_links", filter=mine, distinct=True))
        .order_by("-insight_count", "-id")
    )
    return rows


def merge_preview(*, source: Customer) -> dict[str, int]:
    """What merging ``source`` into another customer moves: its feedback and its contacts."""
    return {
        "feedback": Feedback.all_objects.filter(customer=source).count(),
        "contacts": Contact.objects.filter(customer=source).count(),
    }


def feedback_state_counts(*, actor: Actor) -> dict[str, int]:
    """How much live feedback is in each triage state (one query)."""
    counts = {state: 0 for state in FeedbackState.values}
    for row in (
        Feedback.objects.filter(workspace_id=actor.workspace_id)
        .values("state")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["state"]] = row["n"]
    return counts
