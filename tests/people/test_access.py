from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from lodestar.core.errors import Invalid, NotFound
from lodestar.people import services
from lodestar.people.access import (
    access_invitation,
    access_member,
    access_team,
    access_token,
    access_workspace,
    authenticate_token,
)
from lodestar.people.models import ApiToken, Role, User
from lodestar.people.policy import can_change_member
from lodestar.people.refs import member_ref
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def test_a_member_opens_their_workspace(developer: Persona) -> None:
    actor = access_workspace(developer.user, "acme")
    assert actor.membership == developer.membership
    assert actor.workspace.slug == "acme"


def test_strangers_anonymous_and_inactive_users_get_404(
    developer: Persona, outsider: Persona
) -> None:
    with pytest.raises(NotFound):
        access_workspace(outsider.user, "acme")
    with pytest.raises(NotFound):
        access_workspace(AnonymousUser(), "acme")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        access_workspace(developer.user, "no-such-workspace")
    User.objects.filter(pk=developer.user.pk).update(is_active=False)
    developer.user.refresh_from_db()
    with pytest.raises(NotFound):
        access_workspace(developer.user, "acme")


def test_a_token_opens_only_its_own_workspace(
    owner: Persona, other_workspace: Any, make_token: Any
) -> None:
    # The same person, with a seat in both workspaces.
    globex = owner.user.memberships.create(workspace=other_workspace, role=Role.MEMBER)
    token = authenticate_token(make_token(Persona(user=owner.user, membership=globex)))
    assert token is not None
    assert access_workspace(owner.user, "globex", token=token).membership == globex
    with pytest.raises(NotFound):
        access_workspace(owner.user, "acme", token=token)


def test_teams_and_members_of_another_workspace_are_not_found(
    owner: Persona, outsider: Persona
) -> None:
    services.team_create(actor=outsider.actor, name="Secret")
    with pytest.raises(NotFound):
        access_team(owner.actor, "secret")
    with pytest.raises(NotFound):
        access_member(owner.actor, outsider.email)
    assert access_member(owner.actor, " OWNER@acme.test ") == owner.membership


def test_a_member_named_in_a_body_is_bad_input_when_a_stranger(
    owner: Persona, outsider: Persona
) -> None:
    with pytest.raises(Invalid) as caught:
        member_ref(owner.actor, outsider.email, field="member")
    assert [e.field for e in caught.value.errors] == ["member"]


def test_tokens_are_visible_to_their_holder_and_the_managers(
    developer: Persona, po: Persona, admin: Persona, outsider: Persona
) -> None:
    token, _ = services.token_create(actor=developer.actor, name="ci")
    assert access_token(developer.actor, token.pk) == token
    assert access_token(admin.actor, token.pk) == token
    with pytest.raises(NotFound):
        access_token(po.actor, token.pk)
    with pytest.raises(NotFound):
        access_token(outsider.actor, token.pk)


def test_invitations_of_another_workspace_are_not_found(owner: Persona, outsider: Persona) -> None:
    invitation, _ = services.invitation_create(
        actor=outsider.actor, email="a@b.test", role="member"
    )
    with pytest.raises(NotFound):
        access_invitation(owner.actor, invitation.pk)


def test_authenticate_token_refuses_revoked_and_inactive_and_marks_use(
    developer: Persona, make_token: Any
) -> None:
    secret = make_token(developer)
    token = authenticate_token(secret)
    assert token is not None
    assert token.last_used_at is not None
    assert authenticate_token(secret + "x") is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert authenticate_token(secret) is None
    other = make_token(developer)
    User.objects.filter(pk=developer.user.pk).update(is_active=False)
    assert authenticate_token(other) is None


def test_last_used_is_written_at_most_once_a_minute(developer: Persona, make_token: Any) -> None:
    secret = make_token(developer)
    first = authenticate_token(secret)
    assert first is not None
    stamp = first.last_used_at
    again = authenticate_token(secret)
    assert again is not None
    assert again.last_used_at == stamp
    earlier = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.filter(pk=first.pk).update(last_used_at=earlier)
    later = authenticate_token(secret)
    assert later is not None
    assert later.last_used_at is not None
    assert later.last_used_at > earlier


# -- the policy --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "target", "new_role", "removing", "allowed"),
    [
        ("owner", "admin", Role.OWNER, False, True),
        ("admin", "pm", Role.ADMIN, False, True),
        ("admin", "pm", Role.OWNER, False, False),
        ("admin", "owner", None, False, False),
        ("admin", "owner", None, True, False),
        ("developer", "pm", None, False, False),
        ("developer", "developer", None, False, True),
        ("developer", "developer", Role.ADMIN, False, False),
        ("developer", "developer", None, True, True),
        ("viewer", "viewer", None, False, False),
        ("viewer", "viewer", None, True, True),
    ],
)
def test_who_may_change_whom(
    request: pytest.FixtureRequest,
    persona: str,
    target: str,
    new_role: str | None,
    removing: bool,
    allowed: bool,
) -> None:
    actor = request.getfixturevalue(persona).actor
    member = request.getfixturevalue(target).membership
    assert can_change_member(actor, member, new_role=new_role, removing=removing) is allowed
