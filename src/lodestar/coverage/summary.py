"""What the coverage shows, said plainly: the summary's sentences and the rule behind each.

Plain Python, no Django: ``summarize`` takes the coverage of a period (duck-typed: ``duties``
with their ``people``, as ``coverage.selectors.coverage_for`` answers), who wears the product
owner hat and who holds the product manager job where the coverage looks, and the releases
that went live in the period with how many of them had their outcome reviewed. docs/COVERAGE.md
states every rule with its threshold.

The rules, in the order the sentences come:

- ``nobody``: the duties with no recorded activity in the period, each with how long it has
  been since anyone did it (looked for up to five years before the period).
- ``product_owner_hat``: the duties the product owner hat's wearers carried (each at least
  ``carries_min`` activities of the duty in the period); or that nobody wears the hat; or that
  its wearers carried none.
- ``product_managers``: the same for the members who hold the product manager job (their job
  title is one of ``people.models.PRODUCT_MANAGER_TITLES``: Product Manager, Senior Product
  Manager, Head of Product, ...); or that nobody holds it.
- ``others``: duties carried (``carries_min``) by people who wear neither, named with their job
  titles: product work done outside the two roles.
- ``outcome_reviews``: of the releases that went live in the period, how many had an outcome
  review concluded (learnings written); said when at least one went live.
- ``discovery_gap``: when at least ``discovery_gap_min`` of the discovery and outcome duties
  (talk to customers, analyse data, pull research together, measure success) had nobody, and no
  product manager carried any duty: the work a product manager does is not being done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Tone = Literal["ok", "warn", "gap"]

# How each duty reads inside a sentence.
NOUNS: dict[str, str] = {
    "talk_to_customers": "talking to customers",
    "analyse_data": "analysing data",
    "pull_research_together": "pulling research together",
    "break_work_down": "breaking work down",
    "make_product_decisions": "making product decisions",
    "keep_goal_clear": "keeping the Product Goal clear",
    "order_backlog": "ordering the backlog",
    "decide_go_live": "deciding when it goes live",
    "measure_success": "measuring success and changing course",
    "work_with_stakeholders": "working with stakeholders",
}
# How far before the period the last time of a duty nobody carried is looked for
# (``coverage.selectors.LOOK_BACK_DAYS``), in years.
LOOK_BACK_YEARS = 5
DISCOVERY_DUTIES = (
    "talk_to_customers",
    "analyse_data",
    "pull_research_together",
    "measure_success",
)


@dataclass(frozen=True)
class Thresholds:
    """The numbers the rules use (docs/COVERAGE.md)."""

    # Activities of a duty in the period for a person to count as carrying it.
    carries_min: int = 2
    # Discovery and outcome duties with nobody, for the discovery_gap sentence.
    discovery_gap_min: int = 2


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Sentence:
    rule: str
    text: str
    why: str  # the rule that produced it, with its threshold, in words
    tone: Tone


def _names(people: Iterable[Any]) -> str:
    return ", ".join(
        f"{person.name}{f' ({person.job_title})' if person.job_title else ''}" for person in people
    )


def _listing(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _where(coverage: Any) -> str:
    team = getattr(coverage, "team", None)
    return f"in the team {team.name}" if team is not None else "here"


def _since(until: dt.datetime, before: dt.datetime | None) -> str:
    """How long since a duty was last done, as the bracket after it says: 'none in 212
    days', or 'none on record' when it was not done in the years looked at."""
    if before is None:
        return "none on record"
    days = (until - before).days
    return f"none in {days} day{'s' if days != 1 else ''}"


def _carried(coverage: Any, who: set[int], minimum: int) -> list[tuple[str, int]]:
    """The duties ``who`` carried: (duty key, their activities of it), in the duties' order."""
    carried = []
    for duty in coverage.duties:
        count = sum(p.count for p in duty.people if p.user_id in who)
        if count >= minimum:
            carried.append((duty.duty.key, count))
    return carried


def summarize(
    coverage: Any,
    *,
    product_owners: Sequence[Any],
    product_managers: Sequence[Any],
    releases_live: int,
    releases_reviewed: int,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[Sentence]:
    """The summary of ``coverage``. ``product_owners`` and ``product_managers`` are the people
    (``user_id``, ``name``, ``job_title``) who wear the hat and hold the job where it looks."""
    days = coverage.days
    period = f"the last {days} day{'s' if days != 1 else ''}"
    least = thresholds.carries_min
    carry_rule = f"at least {least} of the duty's activities in {period}"
    sentences: list[Sentence] = []

    uncarried = [duty for duty in coverage.duties if duty.total == 0]
    nobody = [duty.duty.key for duty in uncarried]
    if nobody:
        listed = [
            f"{NOUNS[duty.duty.key]} ({_since(coverage.until, duty.before)})" for duty in uncarried
        ]
        sentences.append(
            Sentence(
                "nobody",
                f"Nobody covered {_listing(listed)} in {period}.",
                f"A duty with no recorded activity in {period}; in brackets, how long it has "
                f"been since anyone last did it (looked for up to {LOOK_BACK_YEARS} years before "
                "the period).",
                "gap",
            )
        )

    owner_ids = {person.user_id for person in product_owners}
    if not owner_ids:
        sentences.append(
            Sentence(
                "product_owner_hat",
                "Nobody wears the product owner hat here.",
                "The product owner hat of the product (of any product, for the workspace) is "
                "vacant.",
                "warn",
            )
        )
    else:
        carried = _carried(coverage, owner_ids, least)
        who = f"The product owner hat, worn by {_names(product_owners)},"
        if carried:
            text = f"{who} carries {_listing([f'{NOUNS[k]} ({n})' for k, n in carried])}."
            tone: Tone = "ok"
        else:
            text = f"{who} carried none of the duties in {period}."
            tone = "warn"
        sentences.append(
            Sentence(
                "product_owner_hat",
                text,
                f"The duties whose wearers of the product owner hat did {carry_rule}.",
                tone,
            )
        )

    manager_ids = {person.user_id for person in product_managers}
    managers_carried = _carried(coverage, manager_ids, least) if manager_ids else []
    if not manager_ids:
        sentences.append(
            Sentence(
                "product_managers",
                f"Nobody {_where(coverage)} holds the job of product manager.",
                "No member's job title is a product manager's (Product Manager, Head of "
                "Product, ...).",
                "warn",
            )
        )
    else:
        who = f"The product manager job, held by {_names(product_managers)},"
        if managers_carried:
            listed = [f"{NOUNS[k]} ({n})" for k, n in managers_carried]
            text = f"{who} carries {_listing(listed)}."
            tone = "ok"
        else:
            text = f"{who} carried none of the duties in {period}."
            tone = "warn"
        sentences.append(
            Sentence(
                "product_managers",
                text,
                f"The duties whose holders of the product manager job did {carry_rule}.",
                tone,
            )
        )

    others: list[str] = []
    for duty in coverage.duties:
        people = [
            p for p in duty.people if p.user_id not in owner_ids | manager_ids and p.count >= least
        ]
        if people:
            others.append(f"{NOUNS[duty.duty.key]} by {_names(people)}")
    if others:
        sentences.append(
            Sentence(
                "others",
                f"Also carried outside the two roles: {'; '.join(others)}.",
                f"People who neither wear the product owner hat nor hold the product manager "
                f"job, with {carry_rule}.",
                "ok",
            )
        )

    if releases_live:
        text = (
            f"Outcome reviews: {releases_reviewed} of the {releases_live} release"
            f"{'s' if releases_live != 1 else ''} that went live in {period} "
            f"{'was' if releases_live == 1 else 'were'} reviewed."
        )
        sentences.append(
            Sentence(
                "outcome_reviews",
                text,
                "A release that went live in the period counts as reviewed when an outcome "
                "review of one of its success criteria has its learnings written"
                + (
                    f" by one of the team's people ({coverage.team.name})."
                    if getattr(coverage, "team", None) is not None
                    else "."
                ),
                "ok" if releases_reviewed == releases_live else "gap",
            )
        )

    uncovered = [key for key in DISCOVERY_DUTIES if key in nobody]
    if len(uncovered) >= thresholds.discovery_gap_min and not managers_carried:
        sentences.append(
            Sentence(
                "discovery_gap",
                f"Nobody is {_listing([NOUNS[k] for k in uncovered])}, and no product manager "
                "carries any duty: the discovery and outcome work a product manager does is not "
                "being done.",
                f"At least {thresholds.discovery_gap_min} of the discovery and outcome duties "
                "(talking to customers, analysing data, pulling research together, measuring "
                f"success) had nobody in {period}, and no product manager carried a duty.",
                "gap",
            )
        )
    return sentences
