"""The workspace pages for each persona: home, members, teams, the product owner hat, who does what.

Writes go through htmx (``HX-Request``) as the pages send them, and also as plain form posts.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lodestar.core.registry import NavChild, NavChildren, NavEntry, Plugin, registry
from lodestar.people import navigation, services
from lodestar.people.models import (
    Invitation,
    Membership,
    Role,
    Team,
    TeamMembership,
    TeamRole,
    User,
)
from lodestar.strategy import services as strategy
from tests.conftest import PASSWORD, Persona

HTMX = {"HX-Request": "true"}
PAGES = [
    "/w/acme/",
    "/w/acme/members",
    "/w/acme/teams",
    "/w/acme/teams/core",
    "/w/acme/who",
    "/w/acme/settings",
    "/w/acme/search",
]
PERSONAS = ["owner", "admin", "po", "developer", "pm", "viewer"]


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _htmx(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, headers=HTMX)


def _po_of(team: Team) -> str | None:
    row = TeamMembership.objects.filter(
        team=team, role=TeamRole.PRODUCT_OWNER, ended_at__isnull=True
    ).first()
    return row.member.user.email if row else None


# -- every page x every persona ----------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_members_see_every_page(
    client: Client, request: pytest.FixtureRequest, team: Team, persona: str, url: str
) -> None:
    _as(client, request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == 200
    assert b"Skip to content" in response.content
    assert b'hx-headers=\'{"X-CSRFToken": "' in response.content


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_go_to_sign_in(client: Client, team: Team, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/signin?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_members_of_another_workspace_get_404(
    client: Client, team: Team, outsider: Persona, url: str
) -> None:
    _as(client, outsider)
    assert client.get(url).status_code == 404


def test_an_htmx_request_to_another_workspace_is_404_with_a_message(
    client: Client, team: Team, outsider: Persona
) -> None:
    _as(client, outsider)
    response = _htmx(client, "/w/acme/teams/core/hats", {"member": "x", "role": "developer"})
    assert response.status_code == 404
    assert response["HX-Reswap"] == "none"
    assert b"not a member of it" in response.content


def test_a_missing_workspace_or_team_is_404(client: Client, developer: Persona) -> None:
    _as(client, developer)
    assert client.get("/w/nope/").status_code == 404
    assert client.get("/w/acme/teams/nope").status_code == 404


def test_an_htmx_request_after_the_session_ended_reloads_into_sign_in(
    client: Client, team: Team
) -> None:
    response = client.post(
        "/w/acme/teams/core/hats", {}, headers={**HTMX, "HX-Current-URL": "/w/acme/teams/core"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/signin?next=")


def test_navigation_marks_the_current_page(client: Client, developer: Persona) -> None:
    _as(client, developer)
    body = client.get("/w/acme/teams/core").content.decode()
    assert 'href="/w/acme/teams" data-nav="teams" aria-current="page"' in body
    assert 'href="/w/acme/" data-nav="home">' in body


def test_other_contexts_add_navigation_entries(client: Client, developer: Persona) -> None:
    entry = NavEntry("extra", "Extra page", "people:who_does_what", icon="list", order=99)
    missing = NavEntry("missing", "Not installed", "no_such_page", order=98)
    with registry().scoped():
        registry().install(Plugin(name="extra", navigation=[entry, missing]))
        links = navigation.links("acme", "/w/acme/who")
    assert [link.key for link in links][-1] == "extra"
    assert "missing" not in [link.key for link in links]
    assert next(link for link in links if link.key == "extra").active
    assert "extra" not in [link.key for link in navigation.links("acme", "/w/acme/who")]


def test_other_contexts_add_sub_entries_for_the_signed_in_member(
    client: Client, developer: Persona, po: Persona
) -> None:
    def pinned(actor: Any) -> list[NavChild]:
        # Each member gets their own sub-entries: the provider is given who is asking.
        label = f"Pinned by member {actor.user.pk}"
        return [NavChild(f"pin-{actor.user.pk}", label, "/w/acme/who?pin=1", "mine")]

    with registry().scoped():
        registry().install(
            Plugin(name="extra", navigation_children=[NavChildren("teams", "Pinned", pinned)])
        )
        links = navigation.links(
            "acme", "/w/acme/who", actor=developer.actor, full_path="/w/acme/who?pin=1"
        )
        teams = next(link for link in links if link.key == "teams")
        assert teams.children_label == "Pinned"
        assert [(c.label, c.hint, c.active) for c in teams.children] == [
            (f"Pinned by member {developer.user.pk}", "mine", True)
        ]
        assert all(not link.children for link in links if link.key != "teams")
        _as(client, po)
        page = client.get("/w/acme/who").content.decode()
        assert 'aria-label="Pinned"' in page
        assert f"Pinned by member {po.user.pk}" in page
        assert f"Pinned by member {developer.user.pk}" not in page
    assert not navigation.links("acme", "/w/acme/who", actor=developer.actor)[2].children


def test_the_workspace_switcher_lists_only_my_workspaces(
    client: Client, developer: Persona, outsider: Persona
) -> None:
    _as(client, developer)
    body = client.get("/w/acme/").content.decode()
    assert 'href="/w/acme/"' in body
    assert "/w/globex/" not in body


# -- home --------------------------------------------------------------------------------------


def test_home_lists_products_with_their_active_goal(
    client: Client, admin: Persona, developer: Persona
) -> None:
    product = strategy.product_create(actor=admin.actor, key="ACME", name="Acme Analytics")
    strategy.goal_set(actor=admin.actor, product=product, statement="Trusted weekly numbers")
    _as(client, developer)
    body = client.get("/w/acme/").content.decode()
    assert 'id="products-h"' in body
    assert "Trusted weekly numbers" in body
    assert "/w/acme/products/ACME" in body


def test_home_reads_in_a_fixed_number_of_queries(
    client: Client,
    admin: Persona,
    po: Persona,
    developer: Persona,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(5):
        team = services.team_create(actor=admin.actor, name=f"Team {n}")
        services.team_role_add(
            actor=admin.actor, team=team, member=developer.membership, role="developer"
        )
    _as(client, developer)
    # 16, one for the customer contact card of discovery (none here: no customers), and the
    # sidebar's unread count.
    with django_assert_max_num_queries(18):
        assert client.get("/w/acme/").status_code == 200


def test_home_says_when_i_wear_no_hats(client: Client, viewer: Persona, team: Team) -> None:
    _as(client, viewer)
    assert b"You wear no hats yet" in client.get("/w/acme/").content


# -- members -----------------------------------------------------------------------------------


def test_admins_get_editable_rows_and_an_invite_form(
    client: Client, admin: Persona, developer: Persona, owner: Persona
) -> None:
    _as(client, admin)
    body = client.get("/w/acme/members").content.decode()
    assert 'id="invite-panel"' in body
    assert 'hx-post="/w/acme/members/dev@acme.test"' in body
    # Admins cannot change owners: that row stays read-only.
    assert 'hx-post="/w/acme/members/owner@acme.test"' not in body


@pytest.mark.parametrize("persona", ["po", "developer", "viewer"])
def test_others_see_members_read_only(
    client: Client, request: pytest.FixtureRequest, persona: str, admin: Persona
) -> None:
    _as(client, request.getfixturevalue(persona))
    body = client.get("/w/acme/members").content.decode()
    assert "Engineering Manager" in body  # the admin's job title
    assert 'id="invite-panel"' not in body
    assert "hx-post" not in body


def test_members_show_job_titles_roles_and_hats(
    client: Client, admin: Persona, po: Persona, developer: Persona, pm: Persona, team: Team
) -> None:
    product = strategy.product_create(actor=admin.actor, key="ACME", name="Acme Analytics")
    strategy.team_product_set(actor=admin.actor, team=team, product=product)
    strategy.product_owner_set(actor=admin.actor, product=product, member=po.membership)
    _as(client, pm)
    body = client.get("/w/acme/members").content.decode()
    assert "QA Engineer" in body
    assert "Product owner · ACME Acme Analytics" in body
    assert "Developer · Core" in body
    assert 'class="badge badge-job"' in body  # the product manager's job title


def test_admin_changes_role_and_job_title(
    client: Client, admin: Persona, developer: Persona
) -> None:
    _as(client, admin)
    response = _htmx(
        client,
        "/w/acme/members/dev@acme.test",
        {"role": "viewer", "job_title": "Staff Engineer", "version": developer.membership.version},
    )
    assert response.status_code == 200
    assert b'id="member-' in response.content
    assert b"Saved Dev." in response.content  # the flash, out of band
    developer.membership.refresh_from_db()
    assert (developer.membership.role, developer.membership.job_title) == (
        Role.VIEWER,
        "Staff Engineer",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "emperor", "job_title": "x"}, b"Select a valid choice."),
        ({"role": "member", "job_title": "x" * 101}, b"at most 100 characters"),
        ({"role": "member", "job_title": "x", "version": "nope"}, b"out of date; reload the page"),
    ],
)
def test_bad_member_input_shows_the_error_and_writes_nothing(
    client: Client, admin: Persona, developer: Persona, data: dict[str, Any], message: bytes
) -> None:
    _as(client, admin)
    data = {"version": developer.membership.version, **data}
    response = _htmx(client, "/w/acme/members/dev@acme.test", data)
    assert response.status_code == 422
    assert message in response.content
    developer.membership.refresh_from_db()
    assert (developer.membership.role, developer.membership.job_title) == (Role.MEMBER, "Engineer")


def test_a_stale_member_edit_answers_412_and_shows_the_current_values(
    client: Client, admin: Persona, developer: Persona
) -> None:
    services.member_update(actor=admin.actor, member=developer.membership, job_title="SRE")
    _as(client, admin)
    response = _htmx(
        client,
        "/w/acme/members/dev@acme.test",
        {"role": "member", "job_title": "Overwritten", "version": 1},
    )
    assert response.status_code == 412
    assert b'value="SRE"' in response.content
    assert b"Someone else changed Dev meanwhile" in response.content
    developer.membership.refresh_from_db()
    assert developer.membership.job_title == "SRE"


@pytest.mark.parametrize("persona", ["developer", "viewer", "po"])
def test_non_admins_cannot_change_members(
    client: Client, request: pytest.FixtureRequest, persona: str, pm: Persona
) -> None:
    _as(client, request.getfixturevalue(persona))
    response = _htmx(
        client, "/w/acme/members/pm@acme.test", {"role": "admin", "job_title": "x", "version": 1}
    )
    assert response.status_code == 403
    assert response["HX-Reswap"] == "none"
    assert b"Only workspace owners and admins manage members." in response.content
    pm.membership.refresh_from_db()
    assert pm.membership.role == Role.MEMBER


def test_a_plain_form_post_that_is_refused_gets_a_page_with_the_reason(
    client: Client, developer: Persona, pm: Persona
) -> None:
    _as(client, developer)
    response = client.post(
        "/w/acme/members/pm@acme.test", {"role": "admin", "job_title": "x", "version": 1}
    )
    assert response.status_code == 403
    assert b"Only workspace owners and admins manage members." in response.content


def test_an_admin_cannot_make_an_owner(client: Client, admin: Persona, developer: Persona) -> None:
    _as(client, admin)
    response = _htmx(
        client,
        "/w/acme/members/dev@acme.test",
        {"role": "owner", "job_title": "Engineer", "version": developer.membership.version},
    )
    assert response.status_code == 422  # "owner" is not among an admin's choices
    developer.membership.refresh_from_db()
    assert developer.membership.role == Role.MEMBER


def test_changing_a_member_of_another_workspace_is_404(
    client: Client, admin: Persona, outsider: Persona
) -> None:
    _as(client, admin)
    response = _htmx(client, "/w/acme/members/boss@globex.test", {"role": "viewer", "version": 1})
    assert response.status_code == 404
    outsider.membership.refresh_from_db()
    assert outsider.membership.role == Role.OWNER


def test_admin_removes_a_member(client: Client, admin: Persona, developer: Persona) -> None:
    _as(client, admin)
    response = _htmx(client, "/w/acme/members/dev@acme.test/remove")
    assert response.status_code == 200
    assert b'id="member-count"' in response.content
    assert not Membership.objects.filter(pk=developer.membership.pk).exists()


def test_a_member_cannot_remove_another(client: Client, developer: Persona, pm: Persona) -> None:
    _as(client, developer)
    assert _htmx(client, "/w/acme/members/pm@acme.test/remove").status_code == 403
    assert Membership.objects.filter(pk=pm.membership.pk).exists()


def test_invite_a_new_person_shows_the_link_once(client: Client, admin: Persona) -> None:
    _as(client, admin)
    response = _htmx(
        client,
        "/w/acme/members/invite",
        {"email": "New@Acme.test", "role": "member", "job_title": "Designer"},
    )
    assert response.status_code == 200
    invitation = Invitation.objects.get(email="new@acme.test")
    assert invitation.job_title == "Designer"
    assert b"http://testserver/invitations/" in response.content
    assert b"Waiting for an answer" in response.content


def test_invite_an_existing_user_asks_them_first(client: Client, admin: Persona, db: None) -> None:
    User.objects.create_user("known@example.test", PASSWORD)
    _as(client, admin)
    response = client.post(
        "/w/acme/members/invite", {"email": "known@example.test", "role": "viewer"}
    )
    assert response.status_code == 200
    assert b"They join when they accept it" in response.content
    assert not Membership.objects.filter(user__email="known@example.test").exists()
    assert Invitation.objects.get(email="known@example.test").role == Role.VIEWER


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"email": "not-an-email", "role": "member"}, 422, b"Enter a valid email address."),
        ({"email": "x@acme.test", "role": "emperor"}, 422, b"Select a valid choice."),
        ({"email": "dev@acme.test", "role": "member"}, 409, b"already a member"),
    ],
)
def test_bad_invitations_show_the_error_and_write_nothing(
    client: Client,
    admin: Persona,
    developer: Persona,
    data: dict[str, str],
    status: int,
    message: bytes,
) -> None:
    _as(client, admin)
    members = Membership.objects.count()
    response = _htmx(client, "/w/acme/members/invite", data)
    assert response.status_code == status
    assert message in response.content
    assert not Invitation.objects.exists()
    assert Membership.objects.count() == members


def test_members_cannot_invite(client: Client, developer: Persona) -> None:
    _as(client, developer)
    response = _htmx(client, "/w/acme/members/invite", {"email": "x@acme.test", "role": "member"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_admin_withdraws_an_invitation(client: Client, admin: Persona) -> None:
    invitation, _ = services.invitation_create(
        actor=admin.actor, email="x@acme.test", role="member"
    )
    _as(client, admin)
    response = _htmx(client, f"/w/acme/invitations/{invitation.pk}/revoke")
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_a_member_cannot_withdraw_an_invitation(
    client: Client, admin: Persona, developer: Persona
) -> None:
    invitation, _ = services.invitation_create(
        actor=admin.actor, email="x@acme.test", role="member"
    )
    _as(client, developer)
    assert _htmx(client, f"/w/acme/invitations/{invitation.pk}/revoke").status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# -- teams -------------------------------------------------------------------------------------


def test_admin_creates_a_team(client: Client, admin: Persona) -> None:
    _as(client, admin)
    response = _htmx(client, "/w/acme/teams", {"name": "Platform", "description": "The core"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/w/acme/teams/platform"
    assert Team.objects.get(slug="platform").description == "The core"
    response = client.post("/w/acme/teams", {"name": "Growth"})
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/teams/growth"


def test_a_team_without_a_name_is_refused(client: Client, admin: Persona) -> None:
    _as(client, admin)
    response = _htmx(client, "/w/acme/teams", {"name": "   "})
    assert response.status_code == 422
    assert b"This field is required." in response.content
    assert not Team.objects.exists()


def test_members_cannot_create_teams(client: Client, developer: Persona) -> None:
    _as(client, developer)
    assert _htmx(client, "/w/acme/teams", {"name": "Rogue"}).status_code == 403
    assert not Team.objects.filter(slug="rogue").exists()


@pytest.mark.parametrize("persona", ["po", "developer", "viewer"])
def test_team_page_is_read_only_for_others(
    client: Client, request: pytest.FixtureRequest, persona: str, po: Persona
) -> None:
    _as(client, request.getfixturevalue(persona))
    body = client.get("/w/acme/teams/core").content.decode()
    assert "Move hat" not in body
    assert "Give someone a hat" not in body


def test_admin_gives_and_takes_off_a_hat(
    client: Client, admin: Persona, team: Team, pm: Persona
) -> None:
    _as(client, admin)
    response = _htmx(
        client, "/w/acme/teams/core/hats", {"member": "pm@acme.test", "role": "stakeholder"}
    )
    assert response.status_code == 200
    assert b"Pm is now stakeholder." in response.content
    assert TeamMembership.objects.filter(
        team=team, member=pm.membership, role=TeamRole.STAKEHOLDER, ended_at__isnull=True
    ).exists()
    response = _htmx(
        client, "/w/acme/teams/core/hats/end", {"member": "pm@acme.test", "role": "stakeholder"}
    )
    assert response.status_code == 200
    row = TeamMembership.objects.get(team=team, member=pm.membership)
    assert row.ended_at is not None


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"member": "pm@acme.test", "role": "product_owner"}, 422, b"Select a valid choice."),
        ({"member": "boss@globex.test", "role": "developer"}, 422, b"Select a valid choice."),
        ({"member": "", "role": "developer"}, 422, b"This field is required."),
        ({"member": "dev@acme.test", "role": "developer"}, 409, b"already developer"),
    ],
)
def test_bad_hat_input_shows_the_error_and_writes_nothing(
    client: Client,
    admin: Persona,
    developer: Persona,
    outsider: Persona,
    pm: Persona,
    data: dict[str, str],
    status: int,
    message: bytes,
) -> None:
    _as(client, admin)
    rows = TeamMembership.objects.count()
    response = _htmx(client, "/w/acme/teams/core/hats", data)
    assert response.status_code == status
    assert message in response.content
    assert TeamMembership.objects.count() == rows


def test_members_cannot_hand_out_hats(
    client: Client, developer: Persona, pm: Persona, team: Team
) -> None:
    _as(client, developer)
    response = _htmx(
        client, "/w/acme/teams/core/hats", {"member": "pm@acme.test", "role": "developer"}
    )
    assert response.status_code == 403
    assert not TeamMembership.objects.filter(member=pm.membership).exists()
    response = _htmx(
        client, "/w/acme/teams/core/hats/end", {"member": "dev@acme.test", "role": "developer"}
    )
    assert response.status_code == 403
    assert TeamMembership.objects.get(member=developer.membership).ended_at is None


# -- who does what -----------------------------------------------------------------------------


# -- CSRF on every form and htmx request -------------------------------------------------------

WRITES = {
    "member_invite": ("/w/acme/members/invite", {"email": "x@acme.test", "role": "member"}),
    "member_update": ("/w/acme/members/dev@acme.test", {"role": "viewer", "version": 1}),
    "member_remove": ("/w/acme/members/dev@acme.test/remove", {}),
    "my_handle": ("/w/acme/members/me/handle", {"handle": "sneaky", "version": 1}),
    "team_list": ("/w/acme/teams", {"name": "Sneaky"}),
    "team_hat_add": ("/w/acme/teams/core/hats", {"member": "pm@acme.test", "role": "developer"}),
    "team_hat_end": (
        "/w/acme/teams/core/hats/end",
        {"member": "dev@acme.test", "role": "developer"},
    ),
    "invitation_revoke": ("/w/acme/invitations/{invitation}/revoke", {}),
    "invitation_resend": ("/w/acme/invitations/{invitation}/resend", {}),
    "token_page": ("/w/acme/tokens", {"name": "Sneaky"}),
    "workspace_settings": ("/w/acme/settings", {"allow_external_images": "on", "version": 1}),
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_needs_the_csrf_token(
    admin: Persona, developer: Persona, pm: Persona, po: Persona, name: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin.user)
    invitation, _ = services.invitation_create(
        actor=admin.actor, email="y@acme.test", role="member"
    )
    url, data = WRITES[name]
    url = url.format(invitation=invitation.pk)
    rows = (Membership.objects.count(), Team.objects.count(), TeamMembership.objects.count())
    response = client.post(url, data, headers=HTMX)
    assert response.status_code == 403
    assert rows == (
        Membership.objects.count(),
        Team.objects.count(),
        TeamMembership.objects.count(),
    )
    assert list(Invitation.objects.values_list("email", "revoked_at")) == [("y@acme.test", None)]
    assert not TeamMembership.objects.filter(ended_at__isnull=False).exists()


def test_htmx_sends_the_token_from_the_page(admin: Persona, developer: Persona) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin.user)
    page = client.get("/w/acme/members").content.decode()
    marker = '"X-CSRFToken": "'
    token = page[page.index(marker) + len(marker) :].split('"', 1)[0]
    response = client.post(
        "/w/acme/members/dev@acme.test",
        {"role": "member", "job_title": "SRE", "version": developer.membership.version},
        headers={**HTMX, "X-CSRFToken": token},
    )
    assert response.status_code == 200
    developer.membership.refresh_from_db()
    assert developer.membership.job_title == "SRE"


def test_every_people_page_route_is_covered_here() -> None:
    """A new page route fails this test until it has its persona and CSRF rows above."""
    from lodestar.people import urls

    names = {pattern.name for pattern in urls.urlpatterns if hasattr(pattern, "name")}
    covered = {
        # Outside a workspace: tests/people/test_views_auth.py.
        "home",
        "login",
        "logout",
        "password_change",
        "invitation",
        # The account page, password reset, email change and the token page's revoke (personas,
        # CSRF, bad input): tests/people/test_account_*.py.
        "account",
        "email_change",
        "email_change_confirm",
        "password_reset",
        "password_reset_confirm",
        "token_revoke",
        # The invitee's own invitations (personas, CSRF): tests/people/test_joining.py.
        "my_invitations",
        "my_invitation_accept",
        "my_invitation_decline",
        # Pages read by every persona (PAGES), writes with CSRF rows (WRITES).
        "workspace_home",
        "member_list",
        "team_detail",
        "who_does_what",
        "search",  # a read: PAGES; its own tests in tests/people/test_search_page.py
        *WRITES,
    }
    assert names == covered


# -- lowering one's own role asks first ----------------------------------------------------------


def test_an_admin_lowering_their_own_role_is_asked_first(client: Client, admin: Persona) -> None:
    _as(client, admin)
    url = "/w/acme/members/admin@acme.test"
    data = {"role": "member", "job_title": "", "version": admin.membership.version}
    asked = _htmx(client, url, data)
    assert asked.status_code == 409
    assert b"You are lowering your own role" in asked.content
    assert b"Yes, make me member" in asked.content
    admin.membership.refresh_from_db()
    assert admin.membership.role == Role.ADMIN  # nothing saved yet
    confirmed = _htmx(client, url, {**data, "confirm": "yes"})
    assert confirmed.status_code == 200
    admin.membership.refresh_from_db()
    assert admin.membership.role == Role.MEMBER


def test_no_question_for_others_or_for_a_job_title(
    client: Client, admin: Persona, developer: Persona
) -> None:
    _as(client, admin)
    other = _htmx(
        client,
        "/w/acme/members/dev@acme.test",
        {"role": "viewer", "job_title": "SRE", "version": developer.membership.version},
    )
    assert other.status_code == 200
    own_title = _htmx(
        client,
        "/w/acme/members/admin@acme.test",
        {"role": "admin", "job_title": "CTO", "version": admin.membership.version},
    )
    assert own_title.status_code == 200
    admin.membership.refresh_from_db()
    assert admin.membership.job_title == "CTO"


def test_removing_oneself_says_what_it_means(client: Client, admin: Persona) -> None:
    _as(client, admin)
    page = client.get("/w/acme/members").content.decode()
    assert "Remove yourself from Acme? You lose access at once" in page
