"""The releases API's request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from lodestar.api.schemas import InSchema
from lodestar.releases.checklist import ChecklistEntry
from lodestar.releases.forecasts import ReleaseForecast
from lodestar.releases.models import ProductCheck, Release, ReleaseItem, RoadmapShare
from lodestar.releases.selectors import release_progress

State = Literal["planned", "in_progress", "live", "cancelled"]
SettableState = Literal["planned", "in_progress", "cancelled"]


class ReleaseIn(InSchema):
    name: str = Field(max_length=200, description="A name or a version, unique in the product")
    description: str = Field(default="", max_length=50_000, description="Markdown")
    target_date: dt.date | None = None


class ReleasePatch(InSchema):
    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=50_000)
    target_date: dt.date | None = Field(
        default=None, description="Send null to clear it (leave the field out to keep it)"
    )
    state: SettableState | None = Field(
        default=None,
        description="planned, in_progress or cancelled (going live is POST .../go-live)",
    )


class ReleaseItemsIn(InSchema):
    items: list[str] = Field(min_length=1, max_length=500, description="Item keys")


class ReleaseDropIn(InSchema):
    items: list[str] = Field(min_length=1, max_length=500, description="Item keys")
    reason: str = Field(max_length=4000, description="Why they are dropped (required)")


class ReleaseGoLiveIn(InSchema):
    force: bool = Field(
        default=False,
        description="Go live past unmet checks (the product owner or an admin, with a reason)",
    )
    reason: str | None = Field(
        default=None, max_length=4000, description="Why it goes live with unmet checks"
    )


class ReleaseNotesIn(InSchema):
    notes: str = Field(max_length=50_000, description="Markdown")


class ProductCheckIn(InSchema):
    label: str = Field(max_length=400, description="What must hold before going live")


class ReleaseCheckTickIn(InSchema):
    ticked: bool


class ReleaseProgressOut(Schema):
    items: int = Field(description="Items in the release, dropped ones left out")
    done: int
    percent: int


class ReleaseOut(Schema):
    id: int
    product: str
    name: str
    description: str
    description_html: str
    target_date: dt.date | None
    state: State
    went_live_at: dt.datetime | None
    forced: bool = Field(description="Went live past unmet checks")
    force_reason: str
    forced_checks: list[str] = Field(description="The checks unmet when it was forced live")
    forced_by: str | None = Field(description="Email of who forced it live")
    progress: ReleaseProgressOut
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @classmethod
    def of(cls, release: Release) -> ReleaseOut:
        progress = release_progress(release)
        return cls(
            id=release.pk,
            product=release.product.key,
            name=release.name,
            description=release.description,
            description_html=release.description_html,
            target_date=release.target_date,
            state=release.state,  # type: ignore[arg-type]
            went_live_at=release.went_live_at,
            forced=release.forced,
            force_reason=release.force_reason,
            forced_checks=[str(label) for label in release.forced_checks or []],
            forced_by=release.forced_by.email if release.forced_by else None,
            progress=ReleaseProgressOut(
                items=progress.total, done=progress.done, percent=progress.percent
            ),
            created_at=release.created_at,
            updated_at=release.updated_at,
            version=release.version,
        )


class ChecklistEntryOut(Schema):
    key: str = Field(description="items, notes, a provider's name, or product:<check id>")
    label: str
    met: bool
    detail: str
    product_check: int | None = Field(description="The product check's id, for its own checks")

    @classmethod
    def of(cls, entry: ChecklistEntry) -> ChecklistEntryOut:
        return cls(
            key=entry.key,
            label=entry.label,
            met=entry.met,
            detail=entry.detail,
            product_check=entry.product_check_id,
        )


class ChecklistOut(Schema):
    ready: bool = Field(description="Every check is met")
    checks: list[ChecklistEntryOut]
    unmet: list[str] = Field(description="Labels of the unmet checks")


class ReleaseDetailOut(ReleaseOut):
    checklist: ChecklistOut
    notes: str
    notes_html: str


class ReleaseItemOut(Schema):
    key: str
    title: str
    kind: str
    status: str
    added_at: dt.datetime
    dropped: bool
    dropped_at: dt.datetime | None
    drop_reason: str

    @classmethod
    def of(cls, entry: ReleaseItem) -> ReleaseItemOut:
        return cls(
            key=entry.item.key,
            title=entry.item.title,
            kind=entry.item.kind,
            status=entry.item.status,
            added_at=entry.added_at,
            dropped=entry.dropped_at is not None,
            dropped_at=entry.dropped_at,
            drop_reason=entry.drop_reason,
        )


class ReleaseNotesOut(Schema):
    notes: str = Field(description="The saved notes (Markdown); empty until saved")
    notes_html: str
    draft: str = Field(description="Notes drafted now from the done items, grouped by kind")
    version: int


class ProductCheckOut(Schema):
    id: int
    label: str
    created_at: dt.datetime

    @classmethod
    def of(cls, check: ProductCheck) -> ProductCheckOut:
        return cls(id=check.pk, label=check.label, created_at=check.created_at)


class ReleaseForecastDateOut(Schema):
    percentile: int
    weeks: int | None = Field(description="Weeks from today; null beyond the horizon")
    date: dt.date | None


class ReleaseCalibrationOut(Schema):
    calibrated: bool
    backtests: int
    reason: str | None
    sentence: str = Field(description="The record of past forecasts in words")
    warnings: list[str]


class ReleaseForecastBinOut(Schema):
    low: int
    high: int
    trials: int


class ReleaseForecastOut(Schema):
    remaining: int = Field(description="Open items left (not done, not dropped, not won't do)")
    items: int
    done: int
    teams: list[str] = Field(description="The teams whose throughput was used")
    throughput: list[int] = Field(description="Their weekly throughput added up, oldest first")
    dates: list[ReleaseForecastDateOut] = Field(description="50, 85 and 95%: done by then")
    chance_by_target: float | None = Field(
        description="0 to 1: the chance the remaining items are done by the target date"
    )
    target_date: dt.date | None
    calibration: ReleaseCalibrationOut | None
    histogram: list[ReleaseForecastBinOut] = Field(description="Trials per weeks to done")
    reason: str = Field(description="Why something is missing, in words")
    ahead: int = Field(
        default=0,
        description="Open items of the product's releases worked before this one (by target "
        "date, undated last), which the dates count first",
    )
    after: list[str] = Field(
        default_factory=list, description="Those releases' names, in the order they are worked"
    )

    @classmethod
    def of(cls, release: Release, answer: ReleaseForecast) -> ReleaseForecastOut:
        when = answer.when
        calibration = None
        if when is not None:
            calibration = ReleaseCalibrationOut(
                calibrated=when.calibration.calibrated,
                backtests=when.calibration.backtests,
                reason=when.calibration.reason,
                sentence=when.calibration.sentence,
                warnings=[w.message for w in when.calibration.warnings],
            )
        return cls(
            remaining=answer.remaining,
            items=answer.total,
            done=answer.done,
            teams=answer.teams,
            throughput=answer.history,
            dates=[
                ReleaseForecastDateOut(percentile=p.percentile, weeks=p.value, date=p.date)
                for p in (when.percentiles if when else ())
            ],
            chance_by_target=answer.chance,
            target_date=release.target_date,
            calibration=calibration,
            histogram=[
                ReleaseForecastBinOut(low=b.low, high=b.high, trials=b.trials)
                for b in (when.histogram if when else ())
            ],
            reason=answer.reason,
            ahead=answer.ahead,
            after=answer.after,
        )


Lane = Literal["now", "next", "later"]


class RoadmapEntryIn(InSchema):
    type: str = Field(max_length=40, description="goal, item (an epic), problem or release")
    target: str = Field(
        max_length=80, description="The object's reference: an item's key, else its id"
    )
    lane: str = Field(max_length=10, description="now, next or later")
    position: int | None = Field(
        default=None, ge=0, le=100_000, description="0 is first in the lane; empty: last"
    )


class RoadmapMoveIn(InSchema):
    lane: str = Field(max_length=10, description="now, next or later")
    position: int | None = Field(
        default=None, ge=0, le=100_000, description="0 is first in the lane; empty: last"
    )


class RoadmapArrangeIn(InSchema):
    lanes: dict[str, list[str]] = Field(
        description="Each lane (now, next, later) with its objects, first to last, spelled "
        "kind:reference (item:ACME-12, release:7); every object on the roadmap exactly once"
    )


class RoadmapEntryOut(Schema):
    id: int
    lane: str
    type: str
    kind: str
    target_id: int
    ref: str
    spelled: str = Field(description="kind:reference, as PUT .../roadmap names it")
    title: str
    state: str
    date: dt.date | None


class RoadmapLaneOut(Schema):
    name: str
    label: str
    entries: list[RoadmapEntryOut]


class TimelineRowOut(Schema):
    label: str
    target: dt.date | None
    forecast_50: dt.date | None
    forecast_85: dt.date | None
    forecast_95: dt.date | None
    went_live: dt.date | None


class RoadmapOut(Schema):
    product: str
    lanes: list[RoadmapLaneOut]
    timeline: list[TimelineRowOut]


class RoadmapShareIn(InSchema):
    label: str = Field(max_length=200, description="Who the link is for")
    expires_on: dt.date | None = Field(
        default=None, description="The last day the link works; empty: it does not expire"
    )
    include_descriptions: bool = False
    include_problem_evidence: bool = Field(
        default=False, description="Show each problem's customer count and ARR on the link"
    )


class RoadmapShareOut(Schema):
    id: int
    label: str
    created_at: dt.datetime
    created_by: str | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_by: str | None
    include_descriptions: bool
    include_problem_evidence: bool
    active: bool

    @staticmethod
    def of(share: RoadmapShare) -> RoadmapShareOut:
        from django.utils import timezone

        return RoadmapShareOut(
            id=share.pk,
            label=share.label,
            created_at=share.created_at,
            created_by=share.created_by.email if share.created_by else None,
            expires_at=share.expires_at,
            revoked_at=share.revoked_at,
            revoked_by=share.revoked_by.email if share.revoked_by else None,
            include_descriptions=share.include_descriptions,
            include_problem_evidence=share.include_problem_evidence,
            active=share.revoked_at is None
            and (share.expires_at is None or share.expires_at > timezone.now()),
        )


class RoadmapShareCreatedOut(RoadmapShareOut):
    token: str = Field(description="Shown once: only its hash is kept")
    url: str = Field(description="The public page's path")
