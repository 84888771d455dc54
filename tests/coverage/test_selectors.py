"""Coverage counted from what the services record: known-answer scenarios (who did what, when),
the period's exact edges, former members, the trash, the scopes and bad periods."""

from __future__ import annotations

import datetime as dt

import pytest

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.core import trash
from lodestar.core.errors import Invalid
from lodestar.coverage.duties import DUTY_KEYS
from lodestar.coverage.selectors import Coverage, DutyCoverage, clean_days, coverage_for
from lodestar.decisions import services as decisions
from lodestar.discovery import services as discovery
from lodestar.people.models import Team, TeamMembership, TeamRole
from lodestar.people.services import member_remove, team_role_add
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product, ProductOwnerHat
from tests.conftest import Persona
from tests.coverage.conftest import NOW, ago, dated, newest

FEEDBACK, ITEM, DECISION = "discovery.feedback", "backlog.backlogitem", "decisions.decision"


def duty(coverage: Coverage, key: str) -> DutyCoverage:
    return next(row for row in coverage.duties if row.duty.key == key)


def counts(coverage: Coverage, key: str) -> dict[str, int]:
    return {carrier.email: carrier.count for carrier in duty(coverage, key).people}


def _items(actor: Persona, product: Product, n: int) -> list[BacklogItem]:
    return [
        backlog.item_create(actor=actor.actor, product=product, title=f"Item {i}") for i in range(n)
    ]


def test_known_answer_scenario(
    owner: Persona, po: Persona, pm: Persona, developer: Persona, product: Product
) -> None:
    # The product manager holds two interviews (the developer sits in on the first) and
    # takes a support ticket; a survey answer is not a conversation.
    for days, source in ((10, "interview"), (20, "interview"), (5, "support"), (3, "survey")):
        discovery.feedback_create(
            actor=pm.actor,
            text=f"Heard in a {source}",
            source=source,
            product=product,
            received_at=ago(days),
            members=[developer.membership] if days == 10 else None,
        )
        dated(newest(FEEDBACK), ago(days))
    # The product owner orders the backlog three times and writes acceptance criteria once.
    first, second, third = _items(owner, product, 3)
    moves = ((ago(30), third, first), (ago(2), second, third), (ago(1), first, second))
    for when, item, anchor in moves:
        backlog.item_move(actor=po.actor, item=item, before=anchor)
        dated(newest(ITEM, action="moved"), when)
    backlog.item_update(actor=po.actor, item=first, acceptance_criteria=["It works"])
    dated(newest(ITEM, action="updated"), ago(4))
    decisions.decision_create(actor=pm.actor, product=product, title="Charge per seat")
    dated(newest(DECISION), ago(7))

    coverage = coverage_for(pm.actor, product=product, days=90, now=NOW)

    assert [row.duty.key for row in coverage.duties] == list(DUTY_KEYS)
    talk = duty(coverage, "talk_to_customers")
    assert counts(coverage, "talk_to_customers") == {"pm@acme.test": 3, "dev@acme.test": 1}
    assert talk.total == 4
    assert talk.last == ago(5)
    pm_row = talk.people[0]
    assert pm_row.activities == {"feedback_captured": 3}
    assert pm_row.job_title == "Product Manager"
    assert not pm_row.former
    dev_row = talk.people[1]
    assert dev_row.activities == {"interview_held": 1}
    assert dev_row.last == ago(10)
    assert dev_row.hats == ("Developer in Core",)

    order = duty(coverage, "order_backlog")
    assert counts(coverage, "order_backlog") == {"po@acme.test": 3}
    assert order.last == ago(1)
    assert order.people[0].hats == ("Product owner of ACME",)
    assert order.people[0].job_title == "QA Engineer"
    assert counts(coverage, "break_work_down") == {"po@acme.test": 1}
    assert counts(coverage, "make_product_decisions") == {"pm@acme.test": 1}
    for key in ("analyse_data", "measure_success", "decide_go_live", "work_with_stakeholders"):
        assert duty(coverage, key).nobody
        assert duty(coverage, key).last is None
        assert duty(coverage, key).people == []

    # The last 7 days hold two of the moves, the support ticket and neither interview.
    recent = coverage_for(pm.actor, product=product, days=7, now=NOW)
    assert counts(recent, "order_backlog") == {"po@acme.test": 2}
    assert counts(recent, "talk_to_customers") == {"pm@acme.test": 1}


def test_period_edges_start_excluded_end_included(
    owner: Persona, po: Persona, product: Product
) -> None:
    first, second = _items(owner, product, 2)
    edges = {
        "exactly N days ago (out)": ago(30),
        "a microsecond later (in)": ago(30, microseconds=-1),
        "now (in)": NOW,
        "a microsecond after now (out)": NOW + dt.timedelta(microseconds=1),
    }
    for when in edges.values():
        backlog.item_move(actor=po.actor, item=first, position="bottom")
        dated(newest(ITEM, action="moved"), when)
        backlog.item_move(actor=po.actor, item=first, before=second)
        dated(newest(ITEM, action="moved"), when)

    coverage = coverage_for(po.actor, product=product, days=30, now=NOW)

    order = duty(coverage, "order_backlog")
    assert order.total == 4  # two edges in, two moves at each
    assert order.last == NOW
    assert coverage.since == ago(30)
    assert coverage.until == NOW


def test_a_former_member_still_counts_and_is_shown_as_former(
    owner: Persona, pm: Persona, product: Product
) -> None:
    decisions.decision_create(actor=pm.actor, product=product, title="Drop the free plan")
    dated(newest(DECISION), ago(3))
    member_remove(actor=owner.actor, member=pm.membership)

    coverage = coverage_for(owner.actor, product=product, now=NOW)

    [carrier] = duty(coverage, "make_product_decisions").people
    assert carrier.email == "pm@acme.test"
    assert carrier.former
    assert carrier.count == 1


def test_trashed_objects_do_not_count(owner: Persona, pm: Persona, product: Product) -> None:
    kept = decisions.decision_create(actor=pm.actor, product=product, title="Keep")
    gone = decisions.decision_create(actor=pm.actor, product=product, title="Gone")
    dated(newest(DECISION, object_id=kept.pk), ago(2))
    dated(newest(DECISION, object_id=gone.pk), ago(2))
    trash.trash_move(actor=owner.actor, obj=gone)

    coverage = coverage_for(owner.actor, product=product, now=NOW)

    assert counts(coverage, "make_product_decisions") == {"pm@acme.test": 1}


def test_product_scope_leaves_out_other_products_and_the_workspace_counts_all(
    owner: Persona, pm: Persona, product: Product
) -> None:
    other = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    for target in (product, other):
        decisions.decision_create(actor=pm.actor, product=target, title=f"On {target.key}")
        dated(newest(DECISION), ago(1))
    discovery.feedback_create(actor=pm.actor, text="No product", source="sales")
    dated(newest(FEEDBACK), ago(1))

    acme = coverage_for(owner.actor, product=product, now=NOW)
    everywhere = coverage_for(owner.actor, now=NOW)

    assert counts(acme, "make_product_decisions") == {"pm@acme.test": 1}
    assert acme.product == product
    assert counts(acme, "talk_to_customers") == {}
    assert counts(everywhere, "make_product_decisions") == {"pm@acme.test": 2}
    assert counts(everywhere, "talk_to_customers") == {"pm@acme.test": 1}
    assert everywhere.product is None


def belonged_since(team: Team, product: Product, when: dt.datetime) -> None:
    """Date the hats worn in ``team`` and ``product``'s product owner hat back to ``when``."""
    TeamMembership.objects.filter(team=team).update(started_at=when)
    ProductOwnerHat.objects.filter(product=product).update(started_at=when)


def test_team_scope_is_its_products_activity_with_the_teams_hats(
    owner: Persona, po: Persona, team: Team, product: Product
) -> None:
    belonged_since(team, product, ago(365))
    first, second = _items(owner, product, 2)
    backlog.item_move(actor=po.actor, item=second, before=first)
    dated(newest(ITEM, action="moved"), ago(1))

    coverage = coverage_for(owner.actor, team=team, now=NOW)

    assert coverage.team == team
    assert coverage.product == product
    assert counts(coverage, "order_backlog") == {"po@acme.test": 1}


def _heard(persona: Persona, product: Product, days: float, **extra: object) -> None:
    discovery.feedback_create(
        actor=persona.actor,
        text=f"Heard {days} days ago",
        source="interview",
        product=product,
        received_at=ago(days),
        **extra,
    )
    dated(newest(FEEDBACK), ago(days))


def test_a_teams_coverage_counts_what_its_people_did_while_they_belonged(
    owner: Persona, po: Persona, pm: Persona, developer: Persona, team: Team, product: Product
) -> None:
    """The product owner of the team's product and the team's hats count; the product manager
    outside the team does not, until they join it, and then only from that day; a hat given
    up ends what counts."""
    belonged_since(team, product, ago(365))
    _heard(pm, product, 20)
    _heard(developer, product, 12)
    _heard(po, product, 8)
    joined = strategy_team_role(owner, team, pm, ago(10))
    _heard(pm, product, 6)
    _heard(developer, product, 4)
    TeamMembership.objects.filter(team=team, member=developer.membership).update(ended_at=ago(5))

    by_team = coverage_for(owner.actor, team=team, days=30, now=NOW)
    by_product = coverage_for(owner.actor, product=product, days=30, now=NOW)

    assert counts(by_product, "talk_to_customers") == {
        "pm@acme.test": 2,
        "dev@acme.test": 2,
        "po@acme.test": 1,
    }
    assert counts(by_team, "talk_to_customers") == {
        "pm@acme.test": 1,
        "dev@acme.test": 1,
        "po@acme.test": 1,
    }
    assert by_team.team_people == {po.user.pk, pm.user.pk, developer.user.pk}
    assert joined.started_at == ago(10)


def strategy_team_role(
    owner: Persona, team: Team, persona: Persona, since: dt.datetime
) -> TeamMembership:
    hat = team_role_add(
        actor=owner.actor, team=team, member=persona.membership, role=TeamRole.STAKEHOLDER
    )
    TeamMembership.objects.filter(pk=hat.pk).update(started_at=since)
    hat.refresh_from_db()
    return hat


def test_two_hats_worn_at_once_count_a_persons_activity_once(
    owner: Persona, developer: Persona, team: Team, product: Product
) -> None:
    belonged_since(team, product, ago(365))
    strategy_team_role(owner, team, developer, ago(100))
    _heard(developer, product, 3)
    coverage = coverage_for(owner.actor, team=team, days=30, now=NOW)
    assert counts(coverage, "talk_to_customers") == {"dev@acme.test": 1}


def test_an_interview_sat_in_on_counts_for_the_team_while_the_participant_belonged(
    owner: Persona, pm: Persona, developer: Persona, team: Team, product: Product
) -> None:
    belonged_since(team, product, ago(365))
    TeamMembership.objects.filter(team=team, member=developer.membership).update(ended_at=ago(7))
    _heard(pm, product, 9, members=[developer.membership])
    _heard(pm, product, 2, members=[developer.membership])
    coverage = coverage_for(owner.actor, team=team, days=30, now=NOW)
    assert counts(coverage, "talk_to_customers") == {"dev@acme.test": 1}
    assert duty(coverage, "talk_to_customers").people[0].activities == {"interview_held": 1}


def test_a_team_with_nobody_in_the_period_has_no_activity(
    owner: Persona, pm: Persona, team: Team, product: Product
) -> None:
    _heard(pm, product, 3)
    coverage = coverage_for(owner.actor, team=team, days=30, now=NOW)
    assert all(row.nobody for row in coverage.duties)
    assert coverage.team_people == frozenset()


def test_a_team_without_a_product_or_both_scopes_are_refused(
    owner: Persona, workspace: object, product: Product, team: Team
) -> None:
    loose = Team.objects.create(workspace=owner.membership.workspace, slug="loose", name="Loose")
    with pytest.raises(Invalid) as error:
        coverage_for(owner.actor, team=loose, now=NOW)
    assert error.value.errors[0].field == "team"
    assert "works from no product" in error.value.errors[0].message
    with pytest.raises(Invalid, match="not both"):
        coverage_for(owner.actor, team=team, product=product, now=NOW)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 90), ("", 90), ("30", 30), (" 180 ", 180), (1, 1), (1826, 1826), ("1826", 1826)],
)
def test_days_accepted(value: object, expected: int) -> None:
    assert clean_days(value) == expected


@pytest.mark.parametrize("value", [0, -1, 1827, "0", "-5", "1827", "ninety", "3.5", "1e3", True])
def test_days_refused_with_a_clear_message(value: object) -> None:
    with pytest.raises(Invalid) as error:
        clean_days(value)
    assert error.value.code == "coverage_days_invalid"
    assert error.value.errors[0].field == "days"
    assert "from 1 to 1826" in error.value.errors[0].message


def test_query_count_does_not_grow_with_history(
    owner: Persona,
    po: Persona,
    pm: Persona,
    product: Product,
    django_assert_max_num_queries: object,
) -> None:
    first, second = _items(owner, product, 2)
    for _ in range(5):
        backlog.item_move(actor=po.actor, item=first, position="bottom")
        backlog.item_move(actor=po.actor, item=second, position="bottom")
        decisions.decision_create(actor=pm.actor, product=product, title="Another")
    # Six, and two for when the duties nobody carried were done last before the period.
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        coverage_for(owner.actor, product=product)


def test_a_duty_nobody_carried_says_when_it_was_last_done_before_the_period(
    owner: Persona, pm: Persona, product: Product
) -> None:
    _heard(pm, product, 200)
    _heard(pm, product, 120)
    other = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    _heard(pm, other, 2)  # another product's conversation: not this product's
    kept = decisions.decision_create(actor=pm.actor, product=product, title="Keep")
    dated(newest(DECISION, object_id=kept.pk), ago(30))  # exactly at the period's start: before
    gone = decisions.decision_create(actor=pm.actor, product=product, title="Gone")
    dated(newest(DECISION, object_id=gone.pk), ago(10))
    trash.trash_move(actor=owner.actor, obj=gone)  # in the trash: neither in nor before

    coverage = coverage_for(owner.actor, product=product, days=30, now=NOW)

    assert duty(coverage, "talk_to_customers").nobody
    assert duty(coverage, "talk_to_customers").before == ago(120)
    assert duty(coverage, "make_product_decisions").nobody
    assert duty(coverage, "make_product_decisions").before == ago(30)
    assert duty(coverage, "analyse_data").before is None  # never done
    # Carried in the period: not looked for before it.
    longer = coverage_for(owner.actor, product=product, days=31, now=NOW)
    assert duty(longer, "make_product_decisions").before is None
    # Looked for up to five years (1826 days) before the period, the start excluded.
    later = ago(120) + dt.timedelta(days=1826 + 1)
    edge = coverage_for(owner.actor, product=product, days=1, now=later)
    assert duty(edge, "talk_to_customers").before is None
    inside = coverage_for(owner.actor, product=product, days=1, now=later - dt.timedelta(0, 0, 1))
    assert duty(inside, "talk_to_customers").before == ago(120)


def test_a_teams_duty_was_last_done_by_its_people_while_they_belonged(
    owner: Persona, pm: Persona, developer: Persona, team: Team, product: Product
) -> None:
    belonged_since(team, product, ago(365))
    _heard(pm, product, 100)  # the product manager is not in the team
    _heard(pm, product, 150, members=[developer.membership])  # the developer sat in
    _heard(pm, product, 400, members=[developer.membership])  # before they joined

    coverage = coverage_for(owner.actor, team=team, days=30, now=NOW)

    assert duty(coverage, "talk_to_customers").before == ago(150)
