"""Every read of the strategy context."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from lodestar.people.models import Team
from lodestar.people.policy import Actor
from lodestar.strategy.models import GoalStatus, Product, ProductGoal, ProductTeam


def product_list(*, actor: Actor) -> QuerySet[Product]:
    """The workspace's products by key, each with its active goal and its teams prefetched."""
    return (
        Product.objects.filter(workspace_id=actor.workspace_id)
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=ProductGoal.objects.filter(status=GoalStatus.ACTIVE),
                to_attr="active_goals",
            ),
            Prefetch("teams", queryset=Team.objects.order_by("slug")),
        )
        .order_by("key")
    )


def product_detail(*, actor: Actor, product: Product) -> Product:
    """``product`` reloaded with what its page and API answer show."""
    return product_list(actor=actor).get(pk=product.pk)


def goal_list(*, actor: Actor, product: Product) -> QuerySet[ProductGoal]:
    """The goals of ``product``, newest first (the active one, then the closed ones)."""
    return ProductGoal.objects.filter(
        product=product, product__workspace_id=actor.workspace_id
    ).order_by("-started_at", "-id")


def active_goal(product: Product) -> ProductGoal | None:
    """The product's active goal, from a prefetch when there is one."""
    prefetched: list[ProductGoal] | None = getattr(product, "active_goals", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return ProductGoal.objects.filter(product=product, status=GoalStatus.ACTIVE).first()


def product_teams(product: Product) -> list[Team]:
    """The teams that work from ``product``'s backlog (whose product owners may order it)."""
    return list(product_team_query(product))


def product_team_query(product: Product) -> QuerySet[Team]:
    """``product_teams`` unread: a permission check uses it as a subquery (no extra query)."""
    return Team.objects.filter(
        product_link__product_id=product.pk, workspace_id=product.workspace_id
    )


def team_product(team: Team) -> Product | None:
    """The product whose backlog ``team`` works from, or None."""
    return Product.objects.filter(team_links__team=team).first()


def team_product_ids(*, actor: Actor) -> dict[int, int]:
    """For each team of the workspace that works from a product: team id -> product id."""
    return dict(
        ProductTeam.objects.filter(team__workspace_id=actor.workspace_id).values_list(
            "team_id", "product_id"
        )
    )
