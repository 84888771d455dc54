"""The coverage API's response body: ``selectors.Coverage`` as JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ninja import Schema
from pydantic import Field

from lodestar.coverage.selectors import Carrier, Coverage, DutyCoverage
from lodestar.coverage.summary import Sentence
from lodestar.coverage.trace import Trace, TraceNode


class CarrierOut(Schema):
    name: str = Field(description="The person's name (their email when they gave none)")
    email: str
    job_title: str = Field(description="Their job title in the workspace (empty: none given)")
    hats: list[str] = Field(
        description="Hats worn now where the coverage looks, like 'Product owner of ACME'"
    )
    former_member: bool = Field(description="They have left the workspace since; it still counts")
    count: int = Field(description="How many of the duty's activities they did in the period")
    last: dt.datetime = Field(description="When they last did one")
    activities: dict[str, int] = Field(description="Their count by activity key")

    @classmethod
    def of(cls, carrier: Carrier) -> CarrierOut:
        return cls(
            name=carrier.name,
            email=carrier.email,
            job_title=carrier.job_title,
            hats=list(carrier.hats),
            former_member=carrier.former,
            count=carrier.count,
            last=carrier.last,
            activities=carrier.activities,
        )


class DutyOut(Schema):
    key: str = Field(description="The duty's stable key, like talk_to_customers")
    label: str
    total: int = Field(description="Every person's activities for the duty in the period")
    last: dt.datetime | None = Field(description="When anyone last did one; null: nobody did")
    last_before: dt.datetime | None = Field(
        description="For a duty nobody did in the period: when anyone (for a team, of its "
        "people) last did before it, looked for up to five years back; null otherwise, or when "
        "nobody did then either"
    )
    people: list[CarrierOut] = Field(description="Who carried it, most active first")
    unrecorded: list[str] = Field(
        description="What also belongs to the duty but is not recorded, so not counted"
    )

    @classmethod
    def of(cls, row: DutyCoverage) -> DutyOut:
        return cls(
            key=row.duty.key,
            label=row.duty.label,
            total=row.total,
            last=row.last,
            last_before=row.before,
            people=[CarrierOut.of(carrier) for carrier in row.people],
            unrecorded=list(row.duty.unrecorded),
        )


class SentenceOut(Schema):
    rule: str = Field(
        description="The rule that produced it: nobody, product_owner_hat, product_managers, "
        "others, outcome_reviews or discovery_gap (docs/COVERAGE.md)"
    )
    text: str
    why: str = Field(description="The rule in words, with its threshold")
    tone: str = Field(description="ok, warn or gap")


class CoverageOut(Schema):
    product: str | None = Field(description="The product's key (null: the whole workspace)")
    team: str | None = Field(description="The team's slug, when asked for a team")
    days: int
    since: dt.datetime = Field(description="The period's start, excluded")
    until: dt.datetime = Field(description="The period's end (now), included")
    duties: list[DutyOut]
    summary: list[SentenceOut] = Field(
        default_factory=list, description="What the coverage shows, each sentence with its rule"
    )

    @classmethod
    def of(cls, coverage: Coverage, summary: Sequence[Sentence] = ()) -> CoverageOut:
        return cls(
            product=coverage.product.key if coverage.product else None,
            team=coverage.team.slug if coverage.team else None,
            days=coverage.days,
            since=coverage.since,
            until=coverage.until,
            duties=[DutyOut.of(row) for row in coverage.duties],
            summary=[
                SentenceOut(rule=s.rule, text=s.text, why=s.why, tone=s.tone) for s in summary
            ],
        )


class TraceNodeOut(Schema):
    type: str = Field(description="The object's kind: feedback, insight, problem, item, ...")
    id: int
    ref: str = Field(description="How its page and the API name it (ACME-12, an id)")
    title: str
    state: str = Field(description="Its status, state or verdict in words (empty: none)")
    state_code: str = Field(description="The same as a code: done, live, missed, ...")
    url: str | None = Field(description="Its page")
    origin: bool = Field(description="The object the trace was asked for")

    @classmethod
    def of(cls, node: TraceNode) -> TraceNodeOut:
        return cls(
            type=node.type,
            id=node.id,
            ref=node.ref,
            title=node.title,
            state=node.state,
            state_code=node.state_code,
            url=node.url,
            origin=node.origin,
        )


class TraceStageOut(Schema):
    name: str = Field(
        description="feedback, insight, problem, item, sprint, release, success_criterion, "
        "outcome or follow_up (follow-up items and decisions)"
    )
    label: str
    nodes: list[TraceNodeOut]
    more: int = Field(description="Objects reached at this stage beyond those listed")
    capped: bool = Field(
        description="More objects of this stage were reached than a trace follows (200): "
        "``more`` is then a floor"
    )


class TraceGapOut(Schema):
    rule: str = Field(
        description="feedback_without_insight, problem_without_item, "
        "solved_problem_without_release, live_release_without_criterion or "
        "missed_outcome_without_follow_up"
    )
    message: str
    node: TraceNodeOut


class TraceOut(Schema):
    origin: TraceNodeOut
    stages: list[TraceStageOut] = Field(description="The chain's stages, in order")
    gaps: list[TraceGapOut] = Field(description="The broken links, each named by its rule")

    @classmethod
    def of(cls, trace: Trace) -> TraceOut:
        return cls(
            origin=TraceNodeOut.of(trace.origin),
            stages=[
                TraceStageOut(
                    name=stage.name,
                    label=stage.label,
                    nodes=[TraceNodeOut.of(node) for node in stage.nodes],
                    more=stage.more,
                    capped=stage.capped,
                )
                for stage in trace.stages
            ],
            gaps=[
                TraceGapOut(rule=gap.rule, message=gap.message, node=TraceNodeOut.of(gap.node))
                for gap in trace.gaps
            ],
        )


class ThresholdsOut(Schema):
    """The workspace's thresholds for the summary's rules (the defaults until it sets any)."""

    carries_min: int = Field(
        description="Activities of a duty a person must do in the period to carry it"
    )
    discovery_gap_min: int = Field(
        description="Discovery and outcome duties with nobody, for the discovery_gap sentence"
    )
