"""The coverage API's response body: ``selectors.Coverage`` as JSON."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from lodestar.coverage.selectors import Carrier, Coverage, DutyCoverage


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
            people=[CarrierOut.of(carrier) for carrier in row.people],
            unrecorded=list(row.duty.unrecorded),
        )


class CoverageOut(Schema):
    product: str | None = Field(description="The product's key (null: the whole workspace)")
    team: str | None = Field(description="The team's slug, when asked for a team")
    days: int
    since: dt.datetime = Field(description="The period's start, excluded")
    until: dt.datetime = Field(description="The period's end (now), included")
    duties: list[DutyOut]

    @classmethod
    def of(cls, coverage: Coverage) -> CoverageOut:
        return cls(
            product=coverage.product.key if coverage.product else None,
            team=coverage.team.slug if coverage.team else None,
            days=coverage.days,
            since=coverage.since,
            until=coverage.until,
            duties=[DutyOut.of(row) for row in coverage.duties],
        )
