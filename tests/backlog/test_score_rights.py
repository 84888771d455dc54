"""Who sets which side of a score, per persona: business value is the product owner's call,
effort the developers' (the product owner may record the developers' number); admins stand
in; a scrum master, a stakeholder or a member without a hat sets neither; a viewer never.
Only the inputs that change count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization import services
from lodestar.backlog.prioritization.models import Score
from lodestar.core.errors import Forbidden
from lodestar.people import services as people
from lodestar.people.models import Team
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

RICE = {"reach": 100, "impact": 1, "confidence": 80, "effort": 2}


@pytest.fixture
def item(make_item: Callable[..., BacklogItem]) -> BacklogItem:
    return make_item(title="Share a dashboard link")


@pytest.fixture
def scored(po: Persona, item: BacklogItem) -> Score:
    """The product owner scored the item (recording the developers' effort)."""
    return services.score_set(actor=po.actor, item=item, framework="rice", inputs=RICE)


@pytest.fixture
def scrum_master(admin: Persona, pm: Persona, team: Team) -> Persona:
    people.team_role_add(actor=admin.actor, team=team, member=pm.membership, role="scrum_master")
    return pm


def _effort(actor: Persona, item: BacklogItem, effort: float) -> Score:
    return services.score_set(
        actor=actor.actor, item=item, framework="rice", inputs=RICE | {"effort": effort}
    )


def test_the_product_owner_scores_both_sides(scored: Score) -> None:
    assert scored.inputs == RICE


def test_a_developer_sets_effort_but_not_business_value(
    developer: Persona, scored: Score, item: BacklogItem
) -> None:
    assert _effort(developer, item, 5).inputs["effort"] == 5
    with pytest.raises(Forbidden) as refused:
        services.score_set(
            actor=developer.actor, item=item, framework="rice", inputs=RICE | {"reach": 900}
        )
    assert "Business value is the product owner's call" in refused.value.detail
    assert Score.objects.get(item=item).inputs["reach"] == 100


def test_a_developer_cannot_start_a_score_alone(developer: Persona, item: BacklogItem) -> None:
    """A new score sets business value too: the product owner's call."""
    with pytest.raises(Forbidden):
        services.score_set(
            actor=developer.actor,
            item=item,
            framework="wsjf",
            inputs={"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5},
        )
    assert not Score.objects.filter(item=item).exists()


@pytest.mark.parametrize("persona", ["scrum_master", "pm", "viewer"])
def test_without_the_hats_nobody_sets_either_side(
    request: pytest.FixtureRequest, persona: str, scored: Score, item: BacklogItem
) -> None:
    actor: Persona = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        _effort(actor, item, 8)
    with pytest.raises(Forbidden):
        services.score_set(
            actor=actor.actor, item=item, framework="rice", inputs=RICE | {"impact": 3}
        )
    assert Score.objects.get(item=item).inputs == RICE


def test_a_developer_of_another_products_team_does_not_size_this_one(
    admin: Persona, developer: Persona, scored: Score, item: BacklogItem, team: Team
) -> None:
    shop = strategy.product_create(actor=admin.actor, key="SHOP", name="Shop")
    strategy.team_product_set(actor=admin.actor, team=team, product=shop)
    with pytest.raises(Forbidden) as refused:
        _effort(developer, item, 13)
    assert "Effort is the developers' call" in refused.value.detail


def test_admins_stand_in_for_both_sides(admin: Persona, item: BacklogItem) -> None:
    score = services.score_set(actor=admin.actor, item=item, framework="rice", inputs=RICE)
    assert score.inputs == RICE


def test_resending_the_same_value_with_a_new_effort_is_a_developers_change(
    developer: Persona, scored: Score, item: BacklogItem
) -> None:
    assert _effort(developer, item, 3).inputs == RICE | {"effort": 3}


def test_clearing_a_score_is_the_product_owners_call(
    developer: Persona, po: Persona, scored: Score, item: BacklogItem, product: Product
) -> None:
    with pytest.raises(Forbidden):
        services.score_clear(actor=developer.actor, item=item, framework="rice")
    services.score_clear(actor=po.actor, item=item, framework="rice")
    assert not Score.objects.filter(item=item).exists()


@pytest.mark.parametrize(
    ("persona", "says"),
    [
        ("developer", "You set the effort side"),
        ("scrum_master", "you set neither"),
        ("po", None),
    ],
)
def test_the_item_page_says_which_side_the_reader_sets(
    client: Any,
    request: pytest.FixtureRequest,
    persona: str,
    says: str | None,
    scored: Score,
    item: BacklogItem,
) -> None:
    client.force_login(request.getfixturevalue(persona).user)
    body = client.get(f"/w/acme/items/{item.key}").content.decode()
    if says is None:
        assert 'data-testid="score-rights"' not in body
        assert "Save RICE" in body
    else:
        assert says in body
