"""Request and response bodies of the discovery API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from lodestar.api.schemas import Id, InSchema
from lodestar.discovery.models import Contact, Customer, Feedback, Insight, Problem
from lodestar.discovery.selectors import Evidence, Suggestion
from lodestar.discovery.services import (
    EXTERNAL_ID_MAX,
    NAME_MAX,
    NOTES_MAX,
    QUOTE_MAX,
    SHORT_MAX,
    TAG_MAX,
    TAGS_MAX,
    TEXT_MAX,
    TITLE_MAX,
)

Source = Literal["interview", "support", "sales", "survey", "portal", "import", "other"]
State = Literal["new", "triaged", "archived"]
Status = Literal["new", "validated", "solving", "solved", "wont_solve"]


class CustomerRefOut(Schema):
    id: int
    name: str


class CustomerIn(InSchema):
    name: str = Field(max_length=NAME_MAX)
    segment: str = Field(default="", max_length=SHORT_MAX)
    plan: str = Field(default="", max_length=SHORT_MAX)
    arr: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    external_id: str = Field(default="", max_length=EXTERNAL_ID_MAX)
    notes: str = Field(default="", max_length=NOTES_MAX)


class CustomerPatch(InSchema):
    name: str | None = Field(default=None, max_length=NAME_MAX)
    segment: str | None = Field(default=None, max_length=SHORT_MAX)
    plan: str | None = Field(default=None, max_length=SHORT_MAX)
    arr: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    external_id: str | None = Field(default=None, max_length=EXTERNAL_ID_MAX)
    notes: str | None = Field(default=None, max_length=NOTES_MAX)


class CustomerMergeIn(InSchema):
    into: Id = Field(description="The customer that keeps the feedback and contacts")


class CustomerOut(Schema):
    id: int
    name: str
    segment: str
    plan: str
    arr: Decimal | None
    currency: str
    external_id: str
    notes: str
    feedback_count: int | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def of(customer: Customer, currency: str) -> CustomerOut:
        return CustomerOut(
            id=customer.pk,
            name=customer.name,
            segment=customer.segment,
            plan=customer.plan,
            arr=customer.arr,
            currency=currency,
            external_id=customer.external_id,
            notes=customer.notes,
            feedback_count=getattr(customer, "feedback_count", None),
            created_at=customer.created_at,
            updated_at=customer.updated_at,
            version=customer.version,
        )


class ContactIn(InSchema):
    customer: str | None = Field(default=None, description="The customer's id, external id or name")
    name: str = Field(default="", max_length=NAME_MAX)
    email: str = Field(default="", max_length=254)
    title: str = Field(default="", max_length=100)


class ContactPatch(InSchema):
    customer: str | None = Field(
        default=None, description='The customer\'s id, external id or name; "" for none'
    )
    name: str | None = Field(default=None, max_length=NAME_MAX)
    email: str | None = Field(default=None, max_length=254)
    title: str | None = Field(default=None, max_length=100)


class ContactOut(Schema):
    id: int
    name: str
    email: str
    title: str
    customer: CustomerRefOut | None
    version: int

    @staticmethod
    def of(contact: Contact) -> ContactOut:
        customer = contact.customer
        return ContactOut(
            id=contact.pk,
            name=contact.name,
            email=contact.email,
            title=contact.title,
            customer=CustomerRefOut(id=customer.pk, name=customer.name) if customer else None,
            version=contact.version,
        )


Tags = list[Annotated[str, Field(max_length=TAG_MAX)]]


class FeedbackIn(InSchema):
    text: str = Field(max_length=TEXT_MAX, description="The customer's words (Markdown)")
    source: Source = "other"
    received_at: dt.datetime | dt.date | None = Field(
        default=None, description="When it was heard (default: now); never in the future"
    )
    customer: str | None = Field(default=None, description="Id, external id or name")
    contact: str | None = Field(default=None, description="Id or email address")
    tags: Tags = Field(default_factory=list, max_length=TAGS_MAX)
    product: str | None = Field(default=None, description="A product key")
    notes: str = Field(default="", max_length=NOTES_MAX)
    participants: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="An interview's participants: members' or contacts' email addresses",
    )


class FeedbackPatch(InSchema):
    text: str | None = Field(default=None, max_length=TEXT_MAX)
    source: Source | None = None
    received_at: dt.datetime | dt.date | None = None
    customer: str | None = Field(default=None, description='Id, external id or name; "" for none')
    contact: str | None = Field(default=None, description='Id or email address; "" for none')
    tags: Tags | None = Field(default=None, max_length=TAGS_MAX)
    state: State | None = None
    notes: str | None = Field(default=None, max_length=NOTES_MAX)


class ContactRefOut(Schema):
    id: int
    name: str
    email: str


class FeedbackOut(Schema):
    id: int
    text: str
    text_html: str
    summary: str
    source: Source
    state: State
    received_at: dt.datetime
    customer: CustomerRefOut | None
    contact: ContactRefOut | None
    tags: list[str]
    product: str | None
    notes: str
    captured_by: str | None
    insight_count: int | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def of(feedback: Feedback) -> FeedbackOut:
        customer, contact = feedback.customer, feedback.contact
        return FeedbackOut(
            id=feedback.pk,
            text=feedback.text,
            text_html=feedback.text_html,
            summary=feedback.summary,
            source=feedback.source,  # type: ignore[arg-type]
            state=feedback.state,  # type: ignore[arg-type]
            received_at=feedback.received_at,
            customer=CustomerRefOut(id=customer.pk, name=customer.name) if customer else None,
            contact=(
                ContactRefOut(id=contact.pk, name=contact.name, email=contact.email)
                if contact
                else None
            ),
            tags=list(feedback.tags),
            product=feedback.product.key if feedback.product else None,
            notes=feedback.notes,
            captured_by=feedback.captured_by.email if feedback.captured_by else None,
            insight_count=getattr(feedback, "insight_count", None),
            created_at=feedback.created_at,
            updated_at=feedback.updated_at,
            version=feedback.version,
        )


class InsightIn(InSchema):
    feedback: Id
    quote: str = Field(default="", max_length=QUOTE_MAX)
    start: int | None = Field(default=None, ge=0, le=TEXT_MAX)
    end: int | None = Field(default=None, ge=1, le=TEXT_MAX)
    problems: list[Id] = Field(default_factory=list, max_length=50)
    note: str = Field(default="", max_length=NOTES_MAX)


class InsightPatch(InSchema):
    problems: list[Id] | None = Field(default=None, max_length=50)
    note: str | None = Field(default=None, max_length=NOTES_MAX)


class ProblemRefOut(Schema):
    id: int
    title: str


class InsightOut(Schema):
    id: int
    feedback: int
    quote: str
    start: int | None
    end: int | None
    note: str
    problems: list[ProblemRefOut]
    customer: CustomerRefOut | None
    received_at: dt.datetime
    created_at: dt.datetime
    version: int

    @staticmethod
    def of(insight: Insight) -> InsightOut:
        customer = insight.feedback.customer
        return InsightOut(
            id=insight.pk,
            feedback=insight.feedback_id,
            quote=insight.quote,
            start=insight.start,
            end=insight.end,
            note=insight.note,
            problems=[ProblemRefOut(id=p.pk, title=p.title) for p in insight.problems.all()],
            customer=CustomerRefOut(id=customer.pk, name=customer.name) if customer else None,
            received_at=insight.feedback.received_at,
            created_at=insight.created_at,
            version=insight.version,
        )


class ProblemIn(InSchema):
    title: str = Field(max_length=TITLE_MAX, description="The problem in the customer's words")
    description: str = Field(default="", max_length=TEXT_MAX)
    status: Status = "new"
    owner: str | None = Field(default=None, description="A member's email address")
    product: str | None = Field(default=None, description="A product key")


class ProblemPatch(InSchema):
    title: str | None = Field(default=None, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=TEXT_MAX)
    status: Status | None = None
    owner: str | None = Field(default=None, description='A member\'s email address; "" for none')
    product: str | None = Field(default=None, description='A product key; "" for none')


class SegmentOut(Schema):
    segment: str
    customers: int
    arr: Decimal


class WeekOut(Schema):
    week: dt.date
    insights: int


class ExperimentCountsOut(Schema):
    total: int
    running: int
    concluded: int
    validated: int
    invalidated: int


class EvidenceOut(Schema):
    customers: int
    contacts: int
    arr: Decimal
    currency: str
    insights: int
    latest_at: dt.datetime | None
    segments: list[SegmentOut]
    trend: list[WeekOut] = Field(
        description="Insights per week over the last 90 days, oldest first"
    )
    votes: int = Field(
        description="Distinct email addresses whose confirmed portal votes went to the ideas "
        "linked to the problem; interest, apart from customers and ARR (which come from "
        "insights only)"
    )
    experiments: ExperimentCountsOut = Field(
        description="The experiments linked to the problem: what was tested, apart from the "
        "customers and ARR"
    )

    @staticmethod
    def of(evidence: Evidence, currency: str) -> EvidenceOut:
        return EvidenceOut(
            customers=evidence.customers,
            contacts=evidence.contacts,
            arr=evidence.arr,
            currency=currency,
            insights=evidence.insights,
            latest_at=evidence.latest_at,
            segments=[
                SegmentOut(segment=s.segment, customers=s.customers, arr=s.arr)
                for s in evidence.segments
            ],
            trend=[WeekOut(week=w.week, insights=w.insights) for w in evidence.trend],
            votes=evidence.votes,
            experiments=ExperimentCountsOut(
                total=evidence.experiments.total,
                running=evidence.experiments.running,
                concluded=evidence.experiments.concluded,
                validated=evidence.experiments.validated,
                invalidated=evidence.experiments.invalidated,
            ),
        )


class ProblemWithEvidenceOut(Schema):
    """A customer problem with its evidence. Not named ``ProblemOut``: that is the API's
    problem+json error body, and the OpenAPI document keeps one schema per name (a problem's
    answers were documented as error bodies, its status as an integer)."""

    id: int
    title: str
    description: str
    description_html: str
    status: Status
    owner: str | None
    product: str | None
    evidence: EvidenceOut
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def of(problem: Problem, evidence: Evidence, currency: str) -> ProblemWithEvidenceOut:
        return ProblemWithEvidenceOut(
            id=problem.pk,
            title=problem.title,
            description=problem.description,
            description_html=problem.description_html,
            status=problem.status,  # type: ignore[arg-type]
            owner=problem.owner.user.email if problem.owner else None,
            product=problem.product.key if problem.product else None,
            evidence=EvidenceOut.of(evidence, currency),
            created_at=problem.created_at,
            updated_at=problem.updated_at,
            version=problem.version,
        )


class ProblemItemsIn(InSchema):
    items: list[str] = Field(min_length=1, max_length=100, description="Backlog item keys")


class LinkedItemOut(Schema):
    key: str
    title: str
    status: str
    product: str


class SimilarOut(Schema):
    kind: Literal["problem", "feedback"]
    id: int
    title: str
    score: float = Field(description="How close (higher is closer); comparable within one answer")
    shared: list[str] = Field(description="The words the two texts share")
    url: str | None
    via_quote: str = Field(
        description="For a problem found through one of its insights: that insight's quote"
    )

    @staticmethod
    def of(suggestion: Suggestion) -> SimilarOut:
        return SimilarOut(
            kind=suggestion.kind,  # type: ignore[arg-type]
            id=suggestion.id,
            title=suggestion.title,
            score=suggestion.score,
            shared=suggestion.shared,
            url=suggestion.url,
            via_quote=suggestion.via_quote,
        )


class FeedbackCreatedOut(FeedbackOut):
    similar: list[SimilarOut] = Field(
        description="The problems and feedback this resembles, best first, so a duplicate "
        "lands on the problem that exists"
    )
