from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from lodestar.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, StaleVersion
from lodestar.core.history import history_for
from lodestar.core.models import HistoryEntry
from lodestar.people import selectors, services
from lodestar.people.access import access_workspace, authenticate_token
from lodestar.people.errors import PeopleErrorCode
from lodestar.people.models import (
    ApiToken,
    Invitation,
    Membership,
    Role,
    Team,
    TeamRole,
    User,
    Workspace,
)
from lodestar.people.tokens import hash_secret
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product, ProductOwnerHat
from tests.conftest import Persona
from tests.strategy.conftest import product

pytestmark = pytest.mark.django_db


def _fields(error: DomainError) -> list[str]:
    return [e.field for e in error.errors]


# -- users and workspaces ----------------------------------------------------------------------


def test_user_create_normalizes_the_email_and_hashes_the_password() -> None:
    user = services.user_create(email="  Ada@Example.TEST ", password="analytical-engine-1843")
    assert user.email == "ada@example.test"
    assert user.check_password("analytical-engine-1843")
    assert user.password != "analytical-engine-1843"


@pytest.mark.parametrize(
    ("email", "password", "field", "code"),
    [
        ("not-an-email", "analytical-engine-1843", "email", PeopleErrorCode.EMAIL_INVALID),
        ("ada@example.test", "short", "password", PeopleErrorCode.PASSWORD_INVALID),
        ("ada@example.test", "password123", "password", PeopleErrorCode.PASSWORD_INVALID),
    ],
)
def test_user_create_refuses_bad_input(email: str, password: str, field: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        services.user_create(email=email, password=password)
    assert _fields(caught.value) == [field]
    assert caught.value.code == code
    assert not User.objects.exists()


def test_user_create_refuses_a_taken_email(owner: Persona) -> None:
    with pytest.raises(Invalid) as caught:
        services.user_create(email="OWNER@acme.test", password="analytical-engine-1843")
    assert caught.value.code == PeopleErrorCode.EMAIL_TAKEN


def test_workspace_create_makes_its_creator_the_owner(owner: Persona) -> None:
    workspace = services.workspace_create(slug="initech", name="Initech", owner=owner.user)
    membership = Membership.objects.get(workspace=workspace)
    assert membership.user == owner.user
    assert membership.role == Role.OWNER
    assert HistoryEntry.objects.filter(workspace=workspace).count() == 2


@pytest.mark.parametrize("slug", ["", "Has Caps", "-dash", "a" * 51, "acme"])
def test_workspace_create_refuses_a_bad_or_taken_slug(owner: Persona, slug: str) -> None:
    count = Workspace.objects.count()
    with pytest.raises(Invalid) as caught:
        services.workspace_create(slug=slug, name="X", owner=owner.user)
    assert _fields(caught.value) == ["slug"]
    assert Workspace.objects.count() == count


# -- members -----------------------------------------------------------------------------------


def test_member_add_adds_an_existing_user_with_history(owner: Persona) -> None:
    user = User.objects.create_user("new@acme.test", "analytical-engine-1843")
    member = services.member_add(
        actor=owner.actor, email="NEW@acme.test", role=Role.MEMBER, job_title="Designer"
    )
    assert (member.user, member.role, member.job_title) == (user, Role.MEMBER, "Designer")
    entry = history_for(workspace_id=member.workspace_id, obj=member).get()
    assert entry.action == HistoryEntry.Action.CREATED
    assert entry.actor == owner.user


def test_member_add_refuses_an_unknown_user_and_a_second_seat(
    owner: Persona, viewer: Persona
) -> None:
    with pytest.raises(Invalid) as caught:
        services.member_add(actor=owner.actor, email="ghost@acme.test", role=Role.MEMBER)
    assert caught.value.code == PeopleErrorCode.USER_NOT_FOUND
    with pytest.raises(Conflict) as conflict:
        services.member_add(actor=owner.actor, email=viewer.email, role=Role.MEMBER)
    assert conflict.value.code == PeopleErrorCode.ALREADY_MEMBER


def test_member_add_refuses_a_bad_role(owner: Persona) -> None:
    User.objects.create_user("new@acme.test", "analytical-engine-1843")
    with pytest.raises(Invalid) as caught:
        services.member_add(actor=owner.actor, email="new@acme.test", role="emperor")
    assert _fields(caught.value) == ["role"]


def test_only_owners_grant_the_owner_role(owner: Persona, admin: Persona) -> None:
    User.objects.create_user("new@acme.test", "analytical-engine-1843")
    with pytest.raises(Forbidden):
        services.member_add(actor=admin.actor, email="new@acme.test", role=Role.OWNER)
    with pytest.raises(Forbidden):
        services.invitation_create(actor=admin.actor, email="x@acme.test", role=Role.OWNER)
    with pytest.raises(Forbidden):
        services.member_update(actor=admin.actor, member=admin.membership, role=Role.OWNER)
    with pytest.raises(Forbidden):
        services.member_update(actor=admin.actor, member=owner.membership, role=Role.ADMIN)
    with pytest.raises(Forbidden):
        services.member_remove(actor=admin.actor, member=owner.membership)
    member = services.member_add(actor=owner.actor, email="new@acme.test", role=Role.OWNER)
    assert member.role == Role.OWNER


@pytest.mark.parametrize("persona", ["developer", "viewer", "po"])
def test_members_and_viewers_cannot_manage_members(
    persona: str, request: pytest.FixtureRequest, pm: Persona
) -> None:
    actor = request.getfixturevalue(persona).actor
    User.objects.create_user("new@acme.test", "analytical-engine-1843")
    before = HistoryEntry.objects.count()
    with pytest.raises(Forbidden):
        services.member_add(actor=actor, email="new@acme.test", role=Role.MEMBER)
    with pytest.raises(Forbidden):
        services.member_update(actor=actor, member=pm.membership, role=Role.ADMIN)
    with pytest.raises(Forbidden):
        services.member_remove(actor=actor, member=pm.membership)
    assert HistoryEntry.objects.count() == before
    assert Membership.objects.get(pk=pm.membership.pk).role == Role.MEMBER


def test_a_workspace_keeps_at_least_one_owner(owner: Persona) -> None:
    with pytest.raises(Conflict) as caught:
        services.member_update(actor=owner.actor, member=owner.membership, role=Role.ADMIN)
    assert caught.value.code == PeopleErrorCode.LAST_OWNER
    with pytest.raises(Conflict):
        services.member_remove(actor=owner.actor, member=owner.membership)
    assert Membership.objects.get(pk=owner.membership.pk).role == Role.OWNER


def test_an_owner_steps_down_once_another_owner_exists(owner: Persona, admin: Persona) -> None:
    services.member_update(actor=owner.actor, member=admin.membership, role=Role.OWNER)
    services.member_update(actor=owner.actor, member=owner.membership, role=Role.MEMBER)
    assert Membership.objects.get(pk=owner.membership.pk).role == Role.MEMBER


def test_member_update_records_before_and_after_and_bumps_the_version(
    owner: Persona, viewer: Persona
) -> None:
    member = services.member_update(
        actor=owner.actor, member=viewer.membership, role=Role.MEMBER, job_title="UX Lead"
    )
    assert member.version == 2
    entry = history_for(workspace_id=member.workspace_id, obj=member).get()
    assert entry.changes == {"role": ["viewer", "member"], "job_title": ["Designer", "UX Lead"]}


def test_member_update_refuses_a_stale_version(owner: Persona, viewer: Persona) -> None:
    with pytest.raises(StaleVersion):
        services.member_update(
            actor=owner.actor, member=viewer.membership, job_title="X", expected_version=7
        )
    assert Membership.objects.get(pk=viewer.membership.pk).job_title == "Designer"


def test_a_member_edits_their_own_job_title_but_not_their_role(developer: Persona) -> None:
    member = services.member_update(
        actor=developer.actor, member=developer.membership, job_title="Staff Engineer"
    )
    assert member.job_title == "Staff Engineer"
    with pytest.raises(Forbidden):
        services.member_update(actor=developer.actor, member=developer.membership, role=Role.ADMIN)


def test_a_viewer_cannot_even_edit_their_own_job_title(viewer: Persona) -> None:
    with pytest.raises(Forbidden):
        services.member_update(actor=viewer.actor, member=viewer.membership, job_title="Boss")


def test_anyone_may_leave(viewer: Persona) -> None:
    services.member_remove(actor=viewer.actor, member=viewer.membership)
    assert not Membership.objects.filter(pk=viewer.membership.pk).exists()


def test_member_remove_ends_hats_revokes_tokens_and_records_it(
    owner: Persona, po: Persona, developer: Persona, team: Team, product: Product
) -> None:
    token, secret = services.token_create(actor=po.actor, name="laptop")
    services.member_remove(actor=owner.actor, member=po.membership)
    services.member_remove(actor=owner.actor, member=developer.membership)
    assert authenticate_token(secret) is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert not ProductOwnerHat.objects.filter(product=product, ended_at__isnull=True).exists()
    changes = [e.changes for e in history_for(workspace_id=team.workspace_id, obj=product)]
    assert {"product_owner": ["po@acme.test", None]} in changes
    changes = [e.changes for e in history_for(workspace_id=team.workspace_id, obj=team)]
    assert {"developer": ["dev@acme.test", None]} in changes


def test_a_removed_member_stays_in_the_hat_history_and_loses_access(
    owner: Persona, po: Persona, team: Team, product: Product
) -> None:
    services.member_remove(actor=owner.actor, member=po.membership)
    history = list(ProductOwnerHat.objects.filter(product=product))
    assert [(row.member.user.email, row.ended_at is not None) for row in history] == [
        ("po@acme.test", True)
    ]
    assert po.email not in {m.user.email for m in selectors.member_list(actor=owner.actor)}
    with pytest.raises(NotFound):
        access_workspace(po.user, "acme")


def test_adding_a_removed_member_again_brings_back_their_membership(
    owner: Persona, po: Persona, team: Team, product: Product
) -> None:
    services.member_remove(actor=owner.actor, member=po.membership)
    again = services.member_add(
        actor=owner.actor, email=po.email, role=Role.VIEWER, job_title="Advisor"
    )
    assert again.pk == po.membership.pk
    assert (again.role, again.job_title, again.removed_at) == (Role.VIEWER, "Advisor", None)
    assert access_workspace(po.user, "acme").role == Role.VIEWER
    # The hat they wore before leaving stays ended: coming back does not put it on again.
    assert not ProductOwnerHat.objects.filter(ended_at__isnull=True).exists()


def test_members_of_another_workspace_are_out_of_reach(owner: Persona, outsider: Persona) -> None:
    with pytest.raises(Invalid) as caught:
        services.member_update(actor=owner.actor, member=outsider.membership, job_title="Spy")
    assert _fields(caught.value) == ["member"]
    with pytest.raises(Invalid):
        services.member_remove(actor=owner.actor, member=outsider.membership)
    assert Membership.objects.filter(pk=outsider.membership.pk).exists()


# -- invitations -------------------------------------------------------------------------------


def test_an_invitation_stores_only_the_hash_and_expires_after_the_ttl(owner: Persona) -> None:
    with override_settings(INVITATION_TTL_DAYS=3):
        invitation, secret = services.invitation_create(
            actor=owner.actor, email="New@Elsewhere.test", role=Role.ADMIN, job_title="PM"
        )
    assert invitation.email == "new@elsewhere.test"
    assert invitation.token_hash == hash_secret(secret)
    assert secret not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        dt.timedelta(days=3), abs=dt.timedelta(seconds=5)
    )


def test_accepting_an_invitation_creates_the_membership_once(owner: Persona) -> None:
    invitation, secret = services.invitation_create(
        actor=owner.actor, email="new@elsewhere.test", role=Role.ADMIN, job_title="PM"
    )
    user = services.user_create(email="new@elsewhere.test", password="analytical-engine-1843")
    member = services.invitation_accept(token=secret, user=user)
    assert (member.role, member.job_title, member.workspace_id) == (
        Role.ADMIN,
        "PM",
        owner.membership.workspace_id,
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    with pytest.raises(Invalid) as caught:
        services.invitation_accept(token=secret, user=user)
    assert caught.value.code == PeopleErrorCode.INVITATION_USED
    assert Membership.objects.filter(user=user).count() == 1


def test_an_expired_invitation_creates_no_membership(owner: Persona) -> None:
    invitation, secret = services.invitation_create(
        actor=owner.actor, email="late@elsewhere.test", role=Role.MEMBER
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    user = User.objects.create_user("late@elsewhere.test", "analytical-engine-1843")
    with pytest.raises(Invalid) as caught:
        services.invitation_accept(token=secret, user=user)
    assert caught.value.code == PeopleErrorCode.INVITATION_EXPIRED
    assert not Membership.objects.filter(user=user).exists()


def test_a_withdrawn_invitation_no_longer_works(owner: Persona) -> None:
    invitation, secret = services.invitation_create(
        actor=owner.actor, email="x@elsewhere.test", role=Role.MEMBER
    )
    services.invitation_revoke(actor=owner.actor, invitation=invitation)
    user = User.objects.create_user("x@elsewhere.test", "analytical-engine-1843")
    with pytest.raises(Invalid) as caught:
        services.invitation_accept(token=secret, user=user)
    assert caught.value.code == PeopleErrorCode.INVITATION_USED
    with pytest.raises(Invalid) as lookup:
        selectors.invitation_for_token(token=secret)
    assert lookup.value.code == PeopleErrorCode.INVITATION_USED


def test_inviting_again_withdraws_the_earlier_link(owner: Persona) -> None:
    first, first_secret = services.invitation_create(
        actor=owner.actor, email="x@elsewhere.test", role=Role.MEMBER
    )
    _, second_secret = services.invitation_create(
        actor=owner.actor, email="x@elsewhere.test", role=Role.ADMIN
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert selectors.invitation_for_token(token=second_secret).role == Role.ADMIN
    with pytest.raises(Invalid):
        selectors.invitation_for_token(token=first_secret)


def test_an_invitation_is_for_the_invited_address_only(owner: Persona, outsider: Persona) -> None:
    _, secret = services.invitation_create(
        actor=owner.actor, email="x@elsewhere.test", role=Role.MEMBER
    )
    with pytest.raises(Invalid) as caught:
        services.invitation_accept(token=secret, user=outsider.user)
    assert caught.value.code == PeopleErrorCode.INVITATION_WRONG_USER
    assert not Membership.objects.filter(user=outsider.user, workspace__slug="acme").exists()


def test_an_unknown_invitation_token_is_refused(owner: Persona) -> None:
    with pytest.raises(Invalid) as caught:
        services.invitation_accept(token="made-up", user=owner.user)
    assert caught.value.code == PeopleErrorCode.INVITATION_INVALID


def test_members_are_not_invited_twice(owner: Persona, developer: Persona) -> None:
    with pytest.raises(Conflict):
        services.invitation_create(actor=owner.actor, email=developer.email, role=Role.MEMBER)


# -- teams and hats ----------------------------------------------------------------------------


def test_team_create_derives_a_free_slug(owner: Persona, team: Team) -> None:
    assert services.team_create(actor=owner.actor, name="Core").slug == "core-2"
    assert services.team_create(actor=owner.actor, name="Mobile Apps").slug == "mobile-apps"


def test_team_create_refuses_a_taken_slug_and_an_empty_name(owner: Persona, team: Team) -> None:
    with pytest.raises(Invalid) as taken:
        services.team_create(actor=owner.actor, name="Other", slug="core")
    assert (_fields(taken.value), taken.value.code) == (["slug"], PeopleErrorCode.TEAM_SLUG_TAKEN)
    with pytest.raises(Invalid) as empty:
        services.team_create(actor=owner.actor, name="   ")
    assert _fields(empty.value) == ["name"]


def test_team_update_checks_the_version(admin: Persona, team: Team) -> None:
    updated = services.team_update(actor=admin.actor, team=team, name="Core Platform")
    assert updated.version == 2
    with pytest.raises(StaleVersion):
        services.team_update(actor=admin.actor, team=team, description="x", expected_version=1)
    assert Team.objects.get(pk=team.pk).description == ""


def test_team_role_add_and_end_keep_the_row(owner: Persona, pm: Persona, team: Team) -> None:
    row = services.team_role_add(
        actor=owner.actor, team=team, member=pm.membership, role=TeamRole.STAKEHOLDER
    )
    with pytest.raises(Conflict):
        services.team_role_add(
            actor=owner.actor, team=team, member=pm.membership, role=TeamRole.STAKEHOLDER
        )
    services.team_role_end(
        actor=owner.actor, team=team, member=pm.membership, role=TeamRole.STAKEHOLDER
    )
    row.refresh_from_db()
    assert row.ended_at is not None
    with pytest.raises(NotFound):
        services.team_role_end(
            actor=owner.actor, team=team, member=pm.membership, role=TeamRole.STAKEHOLDER
        )


def test_team_role_add_refuses_the_product_owner_hat_and_unknown_roles(
    owner: Persona, pm: Persona, team: Team
) -> None:
    for role in (TeamRole.PRODUCT_OWNER, "boss"):
        with pytest.raises(Invalid) as caught:
            services.team_role_add(actor=owner.actor, team=team, member=pm.membership, role=role)
        assert _fields(caught.value) == ["role"]


def test_who_does_what_in_a_fixed_number_of_queries(
    admin: Persona,
    po: Persona,
    developer: Persona,
    pm: Persona,
    team: Team,
    product: Product,
    django_assert_max_num_queries: Any,
) -> None:
    services.team_role_add(
        actor=admin.actor, team=team, member=pm.membership, role=TeamRole.STAKEHOLDER
    )
    strategy.product_owner_set(actor=admin.actor, product=product, member=developer.membership)
    services.team_create(actor=admin.actor, name="Empty")
    with django_assert_max_num_queries(5):
        hats = selectors.who_does_what(actor=admin.actor)
    core = next(h for h in hats if h.team == team)
    assert core.product_owner is not None
    assert core.product_owner.member == developer.membership
    assert [r.member for r in core.previous_product_owners] == [po.membership]
    assert [r.member for r in core.developers] == [developer.membership]
    assert [r.member for r in core.stakeholders] == [pm.membership]
    assert [m.user.email for m in core.product_managers] == ["pm@acme.test"]
    empty = next(h for h in hats if h.team.slug == "empty")
    assert empty.product_owner is None


# -- API tokens --------------------------------------------------------------------------------


def test_a_token_is_stored_hashed_and_bound_to_its_workspace(developer: Persona) -> None:
    token, secret = services.token_create(actor=developer.actor, name="ci")
    assert token.token_hash == hash_secret(secret)
    assert secret.startswith(token.prefix)
    assert authenticate_token(secret) == token
    assert token.workspace_id == developer.membership.workspace_id


def test_viewers_get_tokens_of_their_own(viewer: Persona) -> None:
    # A token acts with its holder's role: a viewer's reads (tests/people/test_account_tokens.py).
    token, _ = services.token_create(actor=viewer.actor, name="roadmap script")
    assert list(ApiToken.objects.all()) == [token]
    assert token.user == viewer.user


def test_only_the_holder_or_an_admin_revokes_a_token(
    developer: Persona, po: Persona, admin: Persona
) -> None:
    token, secret = services.token_create(actor=developer.actor, name="ci")
    with pytest.raises(Forbidden):
        services.token_revoke(actor=po.actor, token=token)
    assert authenticate_token(secret) is not None
    services.token_revoke(actor=admin.actor, token=token)
    assert authenticate_token(secret) is None
    services.token_revoke(actor=developer.actor, token=token)  # again: harmless
    own, own_secret = services.token_create(actor=developer.actor, name="laptop")
    services.token_revoke(actor=developer.actor, token=own)
    assert authenticate_token(own_secret) is None


def test_token_list_shows_members_their_own_and_admins_all(
    developer: Persona, po: Persona, admin: Persona
) -> None:
    mine, _ = services.token_create(actor=developer.actor, name="mine")
    theirs, _ = services.token_create(actor=po.actor, name="theirs")
    assert list(selectors.token_list(actor=developer.actor)) == [mine]
    assert set(selectors.token_list(actor=admin.actor)) == {mine, theirs}


def test_every_write_records_history(owner: Persona, pm: Persona, team: Team) -> None:
    before = HistoryEntry.objects.count()
    services.team_create(actor=owner.actor, name="Web")
    services.team_update(actor=owner.actor, team=team, description="d")
    services.team_role_add(actor=owner.actor, team=team, member=pm.membership, role="developer")
    services.team_role_end(actor=owner.actor, team=team, member=pm.membership, role="developer")
    token, _ = services.token_create(actor=owner.actor, name="t")
    services.token_revoke(actor=owner.actor, token=token)
    invitation, _ = services.invitation_create(actor=owner.actor, email="a@b.test", role="member")
    services.invitation_revoke(actor=owner.actor, invitation=invitation)
    services.member_update(actor=owner.actor, member=pm.membership, job_title="CPO")
    assert HistoryEntry.objects.count() - before == 9


__all__ = ["product"]
