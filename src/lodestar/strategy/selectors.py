"""Every read of the strategy context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.urls import reverse

from lodestar.people.extensions import HatSpell, SharedOwner
from lodestar.people.models import Membership, Team
from lodestar.people.policy import Actor
from lodestar.strategy.models import GoalStatus, Product, ProductGoal, ProductOwnerHat, ProductTeam


def product_list(*, actor: Actor, owners: bool = True) -> QuerySet[Product]:
    """The workspace's products by key, each with its active goal and its teams prefetched,
    and (``owners``) its current product owner."""
    prefetches: list[Prefetch[Any]] = [
        Prefetch(
            "goals",
            queryset=ProductGoal.objects.filter(status=GoalStatus.ACTIVE),
            to_attr="active_goals",
        ),
        Prefetch("teams", queryset=Team.objects.order_by("slug")),
    ]
    if owners:
        prefetches.append(
            Prefetch(
                "owner_hats",
                queryset=ProductOwnerHat.objects.filter(ended_at__isnull=True).select_related(
                    "member__user"
                ),
                to_attr="current_owner_hats",
            )
        )
    return (
        Product.objects.filter(workspace_id=actor.workspace_id)
        .prefetch_related(*prefetches)
        .order_by("key")
    )


def product_detail(*, actor: Actor, product: Product) -> Product:
    """``product`` reloaded with what its pages and API answer show (its owner is read when
    asked for: the backlog's pages do not show it)."""
    return product_list(actor=actor, owners=False).get(pk=product.pk)


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


# -- the product owner hat -------------------------------------------------------------------


def current_owner(product: Product) -> ProductOwnerHat | None:
    """Who wears ``product``'s product owner hat now (None: vacant), from ``product_list``'s
    prefetch when there is one."""
    prefetched: list[ProductOwnerHat] | None = getattr(product, "current_owner_hats", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return (
        ProductOwnerHat.objects.select_related("member__user")
        .filter(product=product, ended_at__isnull=True)
        .first()
    )


def product_owner_history(product: Product) -> QuerySet[ProductOwnerHat]:
    """Every spell of ``product``'s product owner hat, the current one first, then newest first."""
    return (
        ProductOwnerHat.objects.select_related("member__user", "assigned_by")
        .filter(product=product)
        .order_by(F("ended_at").desc(nulls_first=True), "-started_at", "-id")
    )


def wears_product_owner_hat(member: Membership, *, teams: Any = None, product: Any = None) -> bool:
    """Whether ``member`` wears the hat of ``product`` or of the product ``teams`` work from
    (a list of teams or ids, or a query of teams): one query."""
    hats = ProductOwnerHat.objects.filter(member=member, ended_at__isnull=True)
    if product is not None:
        return hats.filter(product_id=product.pk).exists()
    if isinstance(teams, QuerySet):
        ids: Any = teams.values("pk")
    else:
        ids = [team if isinstance(team, int) else team.pk for team in teams or []]
        if not ids:
            return False
    return hats.filter(product__team_links__team_id__in=ids).exists()


def shared_owners(workspace_id: int, team_ids: Sequence[int]) -> list[SharedOwner]:
    """For the products ``team_ids`` work from: every team on each (not only those asked
    about), its owner and the earlier ones (two queries, whatever the number of products)."""
    products = ProductTeam.objects.filter(
        team_id__in=list(team_ids), product__workspace_id=workspace_id
    ).values("product_id")
    links = list(
        ProductTeam.objects.filter(product_id__in=products)
        .select_related("product__workspace")
        .order_by("product__key", "team_id")
    )
    owners: dict[int, SharedOwner] = {}
    for link in links:
        product = link.product
        entry = owners.get(product.pk)
        if entry is None:
            entry = owners[product.pk] = SharedOwner(
                product_key=product.key,
                product_name=product.name,
                product_url=reverse(
                    "strategy:product_detail",
                    kwargs={"workspace_slug": product.workspace.slug, "product_key": product.key},
                ),
                team_ids=[],
            )
            entry.manage_url = entry.product_url + "#product-owner"
        entry.team_ids.append(link.team_id)
    hats = ProductOwnerHat.objects.filter(product_id__in=list(owners)).select_related(
        "member__user"
    )
    for hat in hats.order_by("-started_at", "-id"):
        spell = HatSpell(member=hat.member, started_at=hat.started_at, ended_at=hat.ended_at)
        entry = owners[hat.product_id]
        if hat.ended_at is None:
            entry.current = spell
        else:
            entry.earlier.append(spell)
    return list(owners.values())
