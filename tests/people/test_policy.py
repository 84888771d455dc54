"""The rules of ``people/policy.py``, persona by persona, and the permissions contexts declare."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from lodestar.backlog.permissions import BacklogPermission
from lodestar.core.errors import Conflict, Forbidden, Invalid
from lodestar.people.models import Membership, Role, Team, TeamRole
from lodestar.people.policy import (
    MANAGERS,
    Permission,
    PermissionRule,
    _declared,
    addable_hats,
    can,
    can_grant_role,
    grantable_roles,
    hat_moves,
    hat_permission,
    may_wear_hat,
    offered_roles,
    permission_rule,
    permission_rules,
    require,
    require_an_owner_left,
    require_grant_role,
    require_hat_added,
    require_may_wear_hat,
)
from lodestar.strategy.models import Product, ProductOwnerHat
from lodestar.strategy.permissions import StrategyPermission
from tests.conftest import Persona
from tests.strategy.conftest import product

ALL_ROLES = [Role.OWNER, Role.ADMIN, Role.MEMBER, Role.VIEWER]


@pytest.mark.parametrize(
    ("persona", "grantable"),
    [
        ("owner", ALL_ROLES),
        ("admin", [Role.ADMIN, Role.MEMBER, Role.VIEWER]),
        ("po", []),
        ("developer", []),
        ("viewer", []),
    ],
)
def test_who_grants_which_role(
    persona: str, grantable: list[Role], request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(persona).actor
    assert grantable_roles(actor) == grantable
    for role in ALL_ROLES:
        assert can_grant_role(actor, role) is (role in grantable)
        if role in grantable:
            require_grant_role(actor, role)
        else:
            with pytest.raises(Forbidden):
                require_grant_role(actor, role)


def test_granting_the_owner_role_is_refused_with_the_owner_sentence(admin: Persona) -> None:
    with pytest.raises(Forbidden) as refused:
        require_grant_role(admin.actor, Role.OWNER)
    assert refused.value.code == "forbidden_manage_owners"
    assert "owner" in refused.value.detail


def test_an_admin_is_offered_every_role_but_owner_unless_the_member_is_one(
    admin: Persona, owner: Persona
) -> None:
    assert Role.OWNER not in offered_roles(admin.actor)
    assert offered_roles(admin.actor, current=Role.OWNER) == ALL_ROLES
    assert offered_roles(owner.actor) == ALL_ROLES


def test_the_last_owner_stays(owner: Persona, admin: Persona) -> None:
    with pytest.raises(Conflict) as refused:
        require_an_owner_left(owner.membership)
    assert refused.value.code == "last_owner"
    require_an_owner_left(admin.membership)  # not an owner: nothing to keep
    Membership.objects.filter(pk=admin.membership.pk).update(role=Role.OWNER)
    require_an_owner_left(owner.membership)  # another owner remains


# -- hats --------------------------------------------------------------------------------------


def test_only_the_product_owner_hat_moves() -> None:
    assert hat_moves(TeamRole.PRODUCT_OWNER)
    assert addable_hats() == [TeamRole.SCRUM_MASTER, TeamRole.DEVELOPER, TeamRole.STAKEHOLDER]
    assert hat_permission(TeamRole.PRODUCT_OWNER) == Permission.MOVE_PRODUCT_OWNER_HAT
    for hat in addable_hats():
        assert hat_permission(hat) == Permission.ASSIGN_TEAM_ROLES
        require_hat_added(hat)
    with pytest.raises(Invalid) as refused:
        require_hat_added(TeamRole.PRODUCT_OWNER)
    assert refused.value.errors[0].field == "role"


@pytest.mark.parametrize(
    ("persona", "may_own_product"),
    [("owner", True), ("admin", True), ("developer", True), ("pm", True), ("viewer", False)],
)
def test_who_may_wear_the_product_owner_hat(
    persona: str, may_own_product: bool, request: pytest.FixtureRequest
) -> None:
    member = request.getfixturevalue(persona).membership
    assert may_wear_hat(member, TeamRole.PRODUCT_OWNER) is may_own_product
    for hat in addable_hats():  # scrum master, developer, stakeholder: anyone, viewers too
        assert may_wear_hat(member, hat)
    if not may_own_product:
        with pytest.raises(Invalid) as refused:
            require_may_wear_hat(member, TeamRole.PRODUCT_OWNER)
        assert refused.value.code == "viewer_cannot_be_product_owner"
        assert refused.value.errors[0].field == "member"


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("owner", True),
        ("admin", True),
        ("po", True),
        ("developer", False),
        ("pm", False),
        ("viewer", False),
    ],
)
def test_who_orders_the_backlog_steers_the_goal_and_edits_the_scorecard(
    persona: str,
    allowed: bool,
    po: Persona,
    team: Team,
    product: Product,
    request: pytest.FixtureRequest,
) -> None:
    """``po`` wears the product owner hat of ``product``, which ``team`` works from: the act
    names the product, or its teams (a list or a query)."""
    actor = request.getfixturevalue(persona).actor
    for permission in (
        BacklogPermission.ORDER_BACKLOG,
        BacklogPermission.EDIT_SCORECARD,
        StrategyPermission.SET_PRODUCT_GOAL,
    ):
        assert can(actor, permission, product=product) is allowed
        assert can(actor, permission, teams=[team]) is allowed
        assert can(actor, permission, teams=Team.objects.filter(pk=team.pk)) is allowed


def test_a_viewer_wearing_the_hat_gains_nothing(
    viewer: Persona, team: Team, product: Product
) -> None:
    ProductOwnerHat.objects.create(product=product, member=viewer.membership)
    with pytest.raises(Forbidden) as refused:
        require(viewer.actor, BacklogPermission.ORDER_BACKLOG, teams=[team])
    with pytest.raises(Forbidden):
        require(viewer.actor, BacklogPermission.ORDER_BACKLOG, product=product)
    assert refused.value.code == "forbidden_order_backlog"


# -- declarations ------------------------------------------------------------------------------


def test_contexts_declare_their_permissions_and_the_policy_collects_them() -> None:
    rules = permission_rules()
    assert rules["order_backlog"].product_owner_hat
    assert rules["set_product_goal"].product_owner_hat
    assert not rules["manage_products"].product_owner_hat
    assert rules["edit_scorecard"].code == "forbidden_scorecard"
    # The people enum's older names still reach the declarations the contexts made.
    assert permission_rule(Permission.ORDER_BACKLOG) is rules["order_backlog"]
    assert permission_rule(Permission.MANAGE_PRODUCTS) is rules["manage_products"]


def test_every_refusal_keeps_its_code() -> None:
    codes = {name: rule.code for name, rule in permission_rules().items()}
    for name, code in codes.items():
        if name != "edit_scorecard":
            assert code == f"forbidden_{name}"


def test_an_undeclared_permission_is_a_programming_error(owner: Persona) -> None:
    with pytest.raises(LookupError, match="no_such_thing"):
        can(owner.actor, "no_such_thing")


@pytest.mark.parametrize(
    "rule",
    [
        PermissionRule("x", frozenset({"superuser"}), "Only superusers.", "forbidden_x"),
        PermissionRule("x", MANAGERS, "", "forbidden_x"),
        PermissionRule("x", MANAGERS, "Only admins.", ""),
    ],
)
def test_a_bad_declaration_is_refused_at_start(rule: PermissionRule) -> None:
    with pytest.raises(ImproperlyConfigured):
        _declared("somewhere.permissions", [rule])
    with pytest.raises(ImproperlyConfigured):
        _declared("somewhere.permissions", "not a list")


__all__ = ["product"]
