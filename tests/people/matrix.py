"""The people routes' rows of the permission matrix (see ``tests/api/matrix_support.py``)."""

from __future__ import annotations

from lodestar.people import services
from lodestar.people.models import Invitation
from tests.api.matrix_support import (
    ADMIN,
    ANONYMOUS,
    EVERYONE,
    MANAGERS,
    MEMBER,
    OUTSIDER,
    OUTSIDER_TOKEN,
    OWNER,
    PO,
    VIEWER,
    World,
    read,
    row,
)

W = "/workspaces/{workspace_slug}"
TEAM = W + "/teams/{team_slug}"
ME = "/me/invitations"
# Globex invites acme's viewer: only the viewer sees and answers it (a fixed id, see setup).
MINE = "424242"
EVERY_ACCOUNT = {OUTSIDER: 200, OUTSIDER_TOKEN: 200}

ROWS: dict[str, dict[str, int]] = {
    f"GET {W}": read(),
    f"PATCH {W}": row(200, MANAGERS),
    f"GET {W}/members": read(),
    f"POST {W}/members": row(201, MANAGERS),
    f"GET {W}/members/{{email}}": read(),
    f"PATCH {W}/members/{{email}}": row(200, MANAGERS),
    f"DELETE {W}/members/{{email}}": row(204, MANAGERS),
    f"GET {W}/invitations": row(200, MANAGERS),
    f"DELETE {W}/invitations/{{invitation_id}}": row(204, MANAGERS),
    f"POST {W}/invitations/{{invitation_id}}/resend": row(200, MANAGERS),
    f"GET {W}/teams": read(),
    f"POST {W}/teams": row(201, MANAGERS),
    f"GET {TEAM}": read(),
    f"PATCH {TEAM}": row(200, MANAGERS),
    f"GET {TEAM}/members": read(),
    f"POST {TEAM}/members": row(201, MANAGERS),
    f"DELETE {TEAM}/members/{{email}}/{{role}}": row(204, MANAGERS),
    f"GET {W}/tokens": read(),
    # Every member creates tokens, viewers included: a token acts with its holder's role, so a
    # viewer's token only reads (tests/people/test_account_tokens.py).
    f"POST {W}/tokens": row(201, {OWNER, ADMIN, MEMBER, PO, VIEWER}),
    # The member's own token: its holder and the managers revoke it; others cannot even see it.
    f"DELETE {W}/tokens/{{token_id}}": row(204, {OWNER, ADMIN, MEMBER}, denied=404),
    # The caller's own invitations: every account has the list; only the invitee answers.
    f"GET {ME}": row(200, EVERYONE, **EVERY_ACCOUNT),
    f"POST {ME}/{{invitation_id}}/accept": row(200, {VIEWER}, denied=404, **{ANONYMOUS: 401}),
    f"POST {ME}/{{invitation_id}}/decline": row(204, {VIEWER}, denied=404, **{ANONYMOUS: 401}),
}

BODIES: dict[str, object] = {
    f"PATCH {W}": {"allow_external_images": True},
    f"POST {W}/members": {"email": "newcomer@acme.test", "role": "member", "job_title": "Designer"},
    f"PATCH {W}/members/{{email}}": {"job_title": "Senior Product Manager"},
    f"POST {W}/teams": {"name": "Platform"},
    f"PATCH {TEAM}": {"description": "Builds the core of the product."},
    f"POST {TEAM}/members": {"member": "pm@acme.test", "role": "stakeholder"},
    f"POST {W}/tokens": {"name": "ci"},
}

PARAMS: dict[str, dict[str, str]] = {
    f"POST {ME}/{{invitation_id}}/accept": {"invitation_id": MINE},
    f"POST {ME}/{{invitation_id}}/decline": {"invitation_id": MINE},
    # The developer's hat, to take off.
    f"DELETE {TEAM}/members/{{email}}/{{role}}": {"email": "dev@acme.test", "role": "developer"},
}


def setup(world: World) -> dict[str, str]:
    invitation, _ = services.invitation_create(
        actor=world.owner.actor, email="invitee@elsewhere.test", role="member"
    )
    token, _ = services.token_create(actor=world.member.actor, name="laptop")
    theirs, _ = services.invitation_create(
        actor=world.outsider.actor, email=world.viewer.email, role="member"
    )
    Invitation.objects.filter(pk=theirs.pk).update(id=int(MINE))
    return {
        "team_slug": world.team.slug,
        # The product manager: no persona's own seat, so only the rules of the route decide.
        "email": world.pm.email,
        "invitation_id": str(invitation.pk),
        "token_id": str(token.pk),
    }
