"""Request and response bodies of the strategy API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from lodestar.api.schemas import InSchema
from lodestar.core.markdown import render_markdown
from lodestar.strategy.models import Product, ProductGoal, ProductOwnerHat
from lodestar.strategy.selectors import active_goal, current_owner
from lodestar.strategy.services import NAME_MAX, SCALE_MAX, STATEMENT_MAX


class DefinitionOfReadyIn(InSchema):
    acceptance_criteria: bool | None = None
    estimate: bool | None = None
    serves_goal: bool | None = None
    max_velocity_share: int | None = Field(default=None, ge=1, le=100)
    value_risk_above_points: int | None = Field(
        default=None,
        ge=0,
        le=1000,
        description="Items estimated above this many points need their value risk addressed; "
        "null turns the check off",
    )


class DefinitionOfReadyOut(Schema):
    acceptance_criteria: bool
    estimate: bool
    serves_goal: bool
    max_velocity_share: int | None
    value_risk_above_points: int | None = None


class ProductIn(InSchema):
    key: str = Field(
        pattern=r"^\s*[A-Z]{2,10}\s*$",
        description="2 to 10 capital letters; prefixes item keys (ACME-42)",
    )
    name: str = Field(max_length=NAME_MAX)
    vision: str = ""
    definition_of_ready: DefinitionOfReadyIn | None = None
    estimate_scale: list[float | str] | None = Field(
        default=None,
        min_length=1,
        max_length=SCALE_MAX,
        description='Points of the estimation scale, with "?" for unknown',
    )


class ProductPatch(InSchema):
    name: str | None = Field(default=None, max_length=NAME_MAX)
    vision: str | None = None
    definition_of_ready: DefinitionOfReadyIn | None = None
    estimate_scale: list[float | str] | None = Field(
        default=None, min_length=1, max_length=SCALE_MAX
    )


class GoalOut(Schema):
    id: int
    statement: str
    description: str
    description_html: str
    status: Literal["active", "achieved", "abandoned"]
    started_at: dt.datetime
    ended_at: dt.datetime | None
    version: int

    @staticmethod
    def of(goal: ProductGoal) -> GoalOut:
        return GoalOut(
            id=goal.pk,
            statement=goal.statement,
            description=goal.description,
            description_html=render_markdown(goal.description),
            status=goal.status,  # type: ignore[arg-type]
            started_at=goal.started_at,
            ended_at=goal.ended_at,
            version=goal.version,
        )


class ProductOut(Schema):
    key: str
    name: str
    vision: str
    vision_html: str
    definition_of_ready: DefinitionOfReadyOut
    estimate_scale: list[str]
    goal: GoalOut | None = Field(description="The active Product Goal")
    teams: list[str] = Field(description="Slugs of the teams working from this backlog")
    product_owner: str | None = Field(
        description="The email of the product's product owner (shared by all its teams), or "
        "null while the hat is vacant"
    )
    next_item_number: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def of(product: Product) -> ProductOut:
        goal = active_goal(product)
        return ProductOut(
            key=product.key,
            name=product.name,
            vision=product.vision,
            vision_html=render_markdown(product.vision),
            definition_of_ready=DefinitionOfReadyOut(**product.definition_of_ready),
            estimate_scale=list(product.estimate_scale),
            goal=GoalOut.of(goal) if goal else None,
            teams=[team.slug for team in product.teams.all()],
            product_owner=owner.member.user.email if (owner := current_owner(product)) else None,
            next_item_number=product.next_item_number,
            version=product.version,
            created_at=product.created_at,
            updated_at=product.updated_at,
        )


class GoalIn(InSchema):
    statement: str = Field(max_length=STATEMENT_MAX)
    description: str = ""
    previous_outcome: Literal["achieved", "abandoned"] = Field(
        default="achieved", description="How the goal active until now closes"
    )


class GoalPatch(InSchema):
    statement: str | None = Field(default=None, max_length=STATEMENT_MAX)
    description: str | None = None
    status: Literal["achieved", "abandoned"] | None = Field(
        default=None, description="Close the active goal"
    )


class TeamProductIn(InSchema):
    product: str | None = Field(description="A product key, or null for none")


class TeamProductOut(Schema):
    team: str
    product: str | None


# -- the product owner hat ---------------------------------------------------------------------


class ProductOwnerIn(InSchema):
    member: str | None = Field(
        max_length=254, description="The new holder's email, or null to leave the hat vacant."
    )


class HatSpellOut(Schema):
    member: str
    full_name: str
    job_title: str
    started_at: dt.datetime
    ended_at: dt.datetime | None = Field(description="Null while they still wear it.")
    assigned_by: str | None = Field(description="Who gave them the hat (null: Lodestar).")

    @staticmethod
    def of(hat: ProductOwnerHat) -> HatSpellOut:
        return HatSpellOut(
            member=hat.member.user.email,
            full_name=hat.member.user.full_name,
            job_title=hat.member.job_title,
            started_at=hat.started_at,
            ended_at=hat.ended_at,
            assigned_by=hat.assigned_by.email if hat.assigned_by else None,
        )


class ProductOwnerOut(Schema):
    product: str
    teams: list[str] = Field(description="Slugs of the teams that share this product owner.")
    holder: HatSpellOut | None = Field(description="Who wears the hat now (since started_at).")
    history: list[HatSpellOut] = Field(description="Everyone who wore it, newest first.")
    version: int = Field(description="The product's version; it moves with the hat.")


class TeamHatOut(HatSpellOut):
    role: Literal["product_owner"] = "product_owner"

    @staticmethod
    def of(hat: ProductOwnerHat) -> TeamHatOut:
        return TeamHatOut(**HatSpellOut.of(hat).model_dump())


class TeamProductOwnerOut(Schema):
    team: str
    product: str | None = Field(description="The product the team works from (null: none).")
    holder: TeamHatOut | None = Field(
        description="The product owner of the team's product (since started_at)."
    )
    history: list[TeamHatOut] = Field(description="Everyone who wore it, newest first.")
    version: int = Field(
        description="The version of the team's product (0 without one); it moves with the hat."
    )
