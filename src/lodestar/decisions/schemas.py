"""The decisions API's request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from lodestar.api.schemas import Id, InSchema
from lodestar.decisions.links import Target
from lodestar.decisions.models import Decision

Status = Literal["proposed", "decided", "superseded"]
BornStatus = Literal["proposed", "decided"]
LINK_DOC = "An object as kind:reference, for example item:ACME-12 or problem:7"


class OptionIn(InSchema):
    title: str = Field(max_length=400, description="The option, in a few words")
    pros: str = Field(default="", max_length=10_000, description="What speaks for it")
    cons: str = Field(default="", max_length=10_000, description="What speaks against it")
    chosen: bool = Field(default=False, description="Whether it is the option taken")


class DecisionIn(InSchema):
    title: str = Field(max_length=400)
    context: str = Field(default="", max_length=100_000, description="Markdown: the situation")
    decision: str = Field(default="", max_length=100_000, description="Markdown: what was decided")
    rationale: str = Field(default="", max_length=100_000, description="Markdown: why")
    options: list[OptionIn] = Field(default_factory=list, max_length=40)
    status: BornStatus = "proposed"
    deciders: list[str] | None = Field(
        default=None,
        max_length=40,
        description="Email addresses of the members who decided (decided only; default: you)",
    )
    decided_at: dt.date | None = Field(
        default=None, description="The day it was decided (decided only; default: today)"
    )
    links: list[str] = Field(default_factory=list, max_length=100, description=LINK_DOC + "; each")
    supersedes: Id | None = Field(
        default=None, description="The number of a decision of this product that this one replaces"
    )


class DecisionPatch(InSchema):
    title: str | None = Field(default=None, max_length=400)
    context: str | None = Field(default=None, max_length=100_000)
    decision: str | None = Field(default=None, max_length=100_000)
    rationale: str | None = Field(default=None, max_length=100_000)
    options: list[OptionIn] | None = Field(
        default=None, max_length=40, description="Replaces every option"
    )
    deciders: list[str] | None = Field(default=None, max_length=40)
    decided_at: dt.date | None = None


class DecideIn(InSchema):
    deciders: list[str] | None = Field(
        default=None, max_length=40, description="Email addresses (default: you)"
    )
    decided_at: dt.date | None = Field(default=None, description="Default: today")


class SupersedeIn(InSchema):
    by: Id = Field(description="The number of the decision (same product) that replaces it")


class LinkIn(InSchema):
    target: str = Field(max_length=300, description=LINK_DOC)


class OptionOut(Schema):
    title: str
    pros: str
    cons: str
    chosen: bool


class LinkOut(Schema):
    type: str
    ref: str
    label: str
    title: str
    url: str

    @classmethod
    def of(cls, target: Target) -> LinkOut:
        return cls(
            type=target.type, ref=target.ref, label=target.label, title=target.title, url=target.url
        )


class DecisionRefOut(Schema):
    number: int
    key: str
    title: str
    status: Status


class DecisionOut(Schema):
    number: int
    key: str
    product: str
    title: str
    status: Status
    context: str
    context_html: str
    decision: str
    decision_html: str
    rationale: str
    rationale_html: str
    options: list[OptionOut]
    deciders: list[str]
    decided_at: dt.date | None
    superseded_by: DecisionRefOut | None
    supersedes: list[DecisionRefOut]
    links: list[LinkOut]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @classmethod
    def of(
        cls,
        decision: Decision,
        *,
        links: list[Target],
        supersedes: list[Decision],
    ) -> DecisionOut:
        successor = decision.superseded_by
        return cls(
            number=decision.number,
            key=decision.key,
            product=decision.product.key,
            title=decision.title,
            status=decision.status,  # type: ignore[arg-type]
            context=decision.context,
            context_html=decision.context_html,
            decision=decision.decision,
            decision_html=decision.decision_html,
            rationale=decision.rationale,
            rationale_html=decision.rationale_html,
            options=[
                OptionOut(title=o.title, pros=o.pros, cons=o.cons, chosen=o.chosen)
                for o in decision.options.all()
            ],
            deciders=sorted(m.user.email for m in decision.deciders.all()),
            decided_at=decision.decided_at,
            superseded_by=_ref(successor) if successor is not None else None,
            supersedes=[_ref(d) for d in supersedes],
            links=[LinkOut.of(t) for t in links],
            created_at=decision.created_at,
            updated_at=decision.updated_at,
            version=decision.version,
        )


def _ref(decision: Decision) -> DecisionRefOut:
    return DecisionRefOut(
        number=decision.number,
        key=decision.key,
        title=decision.title,
        status=decision.status,  # type: ignore[arg-type]
    )
