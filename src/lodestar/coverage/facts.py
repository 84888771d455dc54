"""What the coverage summary needs besides the coverage itself (``coverage.summary``): who
wears the product owner hat and who holds the product manager job where the coverage looks,
and the releases that went live in the period with how many had their outcome reviewed."""

from __future__ import annotations

from dataclasses import dataclass

from lodestar.coverage.selectors import Coverage
from lodestar.coverage.services import thresholds_for
from lodestar.coverage.summary import Sentence, Thresholds, summarize
from lodestar.outcomes.models import OutcomeReview
from lodestar.people.models import Membership
from lodestar.people.policy import Actor
from lodestar.releases.models import Release, ReleaseState
from lodestar.strategy.models import ProductOwnerHat


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    job_title: str


def _person(member: Membership) -> Person:
    return Person(member.user_id, member.user.display_name, member.job_title)


def product_owners(actor: Actor, coverage: Coverage) -> list[Person]:
    """The wearers of the product owner hat of the product (of every product, for the
    workspace), now."""
    hats = ProductOwnerHat.objects.filter(
        ended_at__isnull=True, product__workspace_id=actor.workspace_id
    ).select_related("member__user")
    if coverage.product is not None:
        hats = hats.filter(product=coverage.product)
    people = {hat.member.user_id: _person(hat.member) for hat in hats.order_by("product__key")}
    return list(people.values())


def product_managers(actor: Actor, coverage: Coverage | None = None) -> list[Person]:
    """The members who hold the product manager job (``PRODUCT_MANAGER_TITLES``), now: of the
    workspace, or for a team's coverage those of its people."""
    members = Membership.objects.filter(workspace_id=actor.workspace_id).select_related("user")
    if coverage is not None and coverage.team_people is not None:
        members = members.filter(user_id__in=coverage.team_people)
    return [
        _person(member)
        for member in members.order_by("user__full_name", "pk")
        if member.is_product_manager
    ]


def releases_reviewed(actor: Actor, coverage: Coverage) -> tuple[int, int]:
    """(releases that went live in the period, those of them with an outcome review whose
    learnings are written: for a team's coverage, written by one of its people)."""
    live = Release.objects.filter(
        workspace_id=actor.workspace_id,
        state=ReleaseState.LIVE,
        went_live_at__gt=coverage.since,
        went_live_at__lte=coverage.until,
    )
    if coverage.product is not None:
        live = live.filter(product=coverage.product)
    ids = list(live.values_list("pk", flat=True))
    reviews = OutcomeReview.objects.filter(criterion__release_id__in=ids)
    if coverage.team_people is not None:
        # A team's: reviewed by one of its people.
        reviews = reviews.filter(learnings_by_id__in=coverage.team_people)
    reviewed = (
        reviews.exclude(learnings="").values("criterion__release_id").distinct().count()
        if ids
        else 0
    )
    return len(ids), reviewed


def coverage_summary(
    actor: Actor, coverage: Coverage, thresholds: Thresholds | None = None
) -> list[Sentence]:
    """The summary's sentences for ``coverage`` (``coverage.summary`` says the rules), with the
    workspace's thresholds unless ``thresholds`` are given."""
    live, reviewed = releases_reviewed(actor, coverage)
    return summarize(
        coverage,
        product_owners=product_owners(actor, coverage),
        product_managers=product_managers(actor, coverage),
        releases_live=live,
        releases_reviewed=reviewed,
        thresholds=thresholds or thresholds_for(actor.workspace_id),
    )
