"""The summary's sentences, one test per rule (coverage.summary): each sentence comes from its
rule with the threshold it names, and not otherwise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lodestar.coverage.duties import DUTIES
from lodestar.coverage.summary import Thresholds, summarize

AT = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class P:
    user_id: int
    name: str
    job_title: str = ""
    count: int = 0
    last: dt.datetime = AT


@dataclass(frozen=True)
class D:
    duty: object
    people: list[P]
    before: dt.datetime | None = None

    @property
    def total(self) -> int:
        return sum(p.count for p in self.people)


@dataclass(frozen=True)
class C:
    days: int
    duties: list[D] = field(default_factory=list)
    until: dt.datetime = AT


QUINN = P(1, "Quinn Alvarez", "QA Engineer")
PRIYA = P(2, "Priya Raman", "Product Manager")
LEE = P(3, "Lee Chen", "Engineer")


def coverage(
    days: int = 90, before: dict[str, dt.datetime] | None = None, **counts: list[tuple[P, int]]
) -> C:
    return C(
        days,
        [
            D(
                duty,
                [P(p.user_id, p.name, p.job_title, n) for p, n in counts.get(duty.key, [])],
                (before or {}).get(duty.key),
            )
            for duty in DUTIES
        ],
    )


def _by_rule(sentences: list) -> dict[str, str]:
    return {s.rule: s.text for s in sentences}


def test_nobody_names_every_duty_without_activity() -> None:
    found = summarize(
        coverage(order_backlog=[(QUINN, 9)]),
        product_owners=[QUINN],
        product_managers=[],
        releases_live=0,
        releases_reviewed=0,
    )
    nobody = next(s for s in found if s.rule == "nobody")
    assert nobody.text.startswith(
        "Nobody covered talking to customers (none on record), analysing data (none on record), "
    )
    assert "ordering the backlog" not in nobody.text
    assert nobody.text.endswith(" in the last 90 days.")
    assert nobody.tone == "gap"


def test_nobody_says_how_long_since_each_duty_was_last_done() -> None:
    everything_else = {
        duty.key: [(QUINN, 2)]
        for duty in DUTIES
        if duty.key not in {"talk_to_customers", "measure_success"}
    }
    found = summarize(
        coverage(
            30,
            {"talk_to_customers": AT - dt.timedelta(days=74, hours=3)},
            **everything_else,
        ),
        product_owners=[QUINN],
        product_managers=[],
        releases_live=0,
        releases_reviewed=0,
    )
    nobody = next(s for s in found if s.rule == "nobody")
    assert nobody.text == (
        "Nobody covered talking to customers (none in 74 days) and measuring success and "
        "changing course (none on record) in the last 30 days."
    )
    assert "looked for up to 5 years before the period" in nobody.why
    yesterday = summarize(
        coverage(1, {"talk_to_customers": AT - dt.timedelta(hours=30)}, **everything_else),
        product_owners=[QUINN],
        product_managers=[],
        releases_live=0,
        releases_reviewed=0,
    )
    assert "talking to customers (none in 1 day)" in _by_rule(yesterday)["nobody"]


def test_the_product_owner_hat_carries_what_its_wearer_did_at_least_the_threshold() -> None:
    found = _by_rule(
        summarize(
            coverage(order_backlog=[(QUINN, 9)], break_work_down=[(QUINN, 1)]),
            product_owners=[QUINN],
            product_managers=[],
            releases_live=0,
            releases_reviewed=0,
        )
    )
    assert found["product_owner_hat"] == (
        "The product owner hat, worn by Quinn Alvarez (QA Engineer), carries ordering the "
        "backlog (9)."
    )  # breaking work down once is under the threshold of 2
    lower = _by_rule(
        summarize(
            coverage(order_backlog=[(QUINN, 9)], break_work_down=[(QUINN, 1)]),
            product_owners=[QUINN],
            product_managers=[],
            releases_live=0,
            releases_reviewed=0,
            thresholds=Thresholds(carries_min=1),
        )
    )
    assert "breaking work down (1)" in lower["product_owner_hat"]


def test_a_vacant_hat_and_a_hat_that_carried_nothing_are_said() -> None:
    vacant = summarize(
        coverage(), product_owners=[], product_managers=[], releases_live=0, releases_reviewed=0
    )
    assert _by_rule(vacant)["product_owner_hat"] == "Nobody wears the product owner hat here."
    idle = summarize(
        coverage(days=30),
        product_owners=[QUINN],
        product_managers=[],
        releases_live=0,
        releases_reviewed=0,
    )
    sentence = next(s for s in idle if s.rule == "product_owner_hat")
    assert sentence.text.endswith("carried none of the duties in the last 30 days.")
    assert sentence.tone == "warn"


def test_the_product_manager_job_and_its_absence() -> None:
    held = _by_rule(
        summarize(
            coverage(talk_to_customers=[(PRIYA, 12)], measure_success=[(PRIYA, 3)]),
            product_owners=[QUINN],
            product_managers=[PRIYA],
            releases_live=0,
            releases_reviewed=0,
        )
    )
    assert held["product_managers"] == (
        "The product manager job, held by Priya Raman (Product Manager), carries talking to "
        "customers (12) and measuring success and changing course (3)."
    )
    none = _by_rule(
        summarize(
            coverage(),
            product_owners=[QUINN],
            product_managers=[],
            releases_live=0,
            releases_reviewed=0,
        )
    )
    assert none["product_managers"] == "Nobody here holds the job of product manager."


@dataclass(frozen=True)
class T:
    name: str


@dataclass(frozen=True)
class TeamC(C):
    team: T | None = None


def test_a_teams_summary_says_nobody_in_the_team_holds_the_job() -> None:
    base = coverage()
    found = _by_rule(
        summarize(
            TeamC(base.days, base.duties, team=T("Checkout")),
            product_owners=[QUINN],
            product_managers=[],
            releases_live=0,
            releases_reviewed=0,
        )
    )
    assert found["product_managers"] == (
        "Nobody in the team Checkout holds the job of product manager."
    )


def test_others_name_who_carries_product_work_outside_the_two_roles() -> None:
    found = _by_rule(
        summarize(
            coverage(order_backlog=[(LEE, 4), (QUINN, 2)], make_product_decisions=[(LEE, 1)]),
            product_owners=[QUINN],
            product_managers=[],
            releases_live=0,
            releases_reviewed=0,
        )
    )
    assert found["others"] == (
        "Also carried outside the two roles: ordering the backlog by Lee Chen (Engineer)."
    )


def test_outcome_reviews_count_the_releases_that_went_live() -> None:
    found = summarize(
        coverage(),
        product_owners=[QUINN],
        product_managers=[],
        releases_live=3,
        releases_reviewed=0,
    )
    sentence = next(s for s in found if s.rule == "outcome_reviews")
    assert sentence.text == (
        "Outcome reviews: 0 of the 3 releases that went live in the last 90 days were reviewed."
    )
    assert sentence.tone == "gap"
    one = summarize(
        coverage(), product_owners=[], product_managers=[], releases_live=1, releases_reviewed=1
    )
    assert next(s for s in one if s.rule == "outcome_reviews").tone == "ok"
    none = summarize(
        coverage(), product_owners=[], product_managers=[], releases_live=0, releases_reviewed=0
    )
    assert not any(s.rule == "outcome_reviews" for s in none)


def test_the_discovery_gap_needs_two_uncovered_duties_and_no_product_manager_at_work() -> None:
    gap = _by_rule(
        summarize(
            coverage(order_backlog=[(QUINN, 9)], analyse_data=[(LEE, 3)]),
            product_owners=[QUINN],
            product_managers=[],
            releases_live=0,
            releases_reviewed=0,
        )
    )
    assert gap["discovery_gap"].startswith(
        "Nobody is talking to customers, pulling research together and measuring success"
    )
    one_left = _by_rule(
        summarize(
            coverage(
                talk_to_customers=[(LEE, 3)],
                pull_research_together=[(LEE, 3)],
                analyse_data=[(LEE, 3)],
            ),
            product_owners=[QUINN],
            product_managers=[],
            releases_live=0,
            releases_reviewed=0,
        )
    )
    assert "discovery_gap" not in one_left  # only measuring success is uncovered
    working = _by_rule(
        summarize(
            coverage(order_backlog=[(PRIYA, 5)]),
            product_owners=[QUINN],
            product_managers=[PRIYA],
            releases_live=0,
            releases_reviewed=0,
        )
    )
    assert "discovery_gap" not in working


def test_every_sentence_says_its_rule_with_the_threshold() -> None:
    found = summarize(
        coverage(order_backlog=[(QUINN, 9), (LEE, 3)]),
        product_owners=[QUINN],
        product_managers=[PRIYA],
        releases_live=2,
        releases_reviewed=1,
    )
    assert {s.rule for s in found} == {
        "nobody",
        "product_owner_hat",
        "product_managers",
        "others",
        "outcome_reviews",
        "discovery_gap",
    }
    for sentence in found:
        assert sentence.why
    carry = [s for s in found if s.rule in ("product_owner_hat", "product_managers", "others")]
    assert all("at least 2 of the duty's activities in the last 90 days" in s.why for s in carry)
