"""Invitations are emailed (by a task enqueued with the invitation), resent with a fresh link,
and no name or title can inject a header; the invitee without an account signs up from the
emailed link."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client, override_settings

from lodestar.core.errors import Conflict, Forbidden
from lodestar.core.mail import clean_recipient, header_text
from lodestar.core.models import HistoryEntry
from lodestar.people import services
from lodestar.people.models import Invitation, Membership, User, Workspace
from lodestar.people.tasks import send_email
from tests.conftest import Persona
from tests.people.mail_links import link_in, path_of
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/invitations/[A-Za-z0-9_\-]+")
NEW_PASSWORD = "a-much-longer-passphrase-42"


def _link(text: str) -> str:
    return link_in(text, LINK)


def test_the_invitation_email_on_the_smtp_server(
    client: Client, owner: Persona, smtp_server: SmtpServer
) -> None:
    client.force_login(owner.user)
    with override_settings(BASE_URL="https://pm.example.com"):
        response = client.post(
            "/w/acme/members/invite",
            {"email": "Newcomer@Example.test", "role": "member", "job_title": "Designer"},
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "emailed to them" in page
    (message,) = smtp_server.to("newcomer@example.test")
    assert message.subject == "Owner invited you to Acme on Lodestar"
    assert message.message["From"] == "lodestar@localhost"
    text, html = message.part("text/plain"), message.part("text/html")
    link = _link(text)
    assert link.startswith("https://pm.example.com/invitations/")
    assert link in html
    # The inviter still sees the same link, to share another way.
    assert f'value="{link}"' in page
    assert "Owner (owner@acme.test) invited you to join Acme on Lodestar as member (Designer)" in (
        text
    )
    assert "expires in 7 days" in text

    # The invitee has no account: they sign up from the link, and are in.
    invitee = Client()
    path = path_of(link)
    assert invitee.get(path).status_code == 200
    joined = invitee.post(
        path,
        {"full_name": "New Comer", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert joined.status_code == 302
    assert joined["Location"] == "/w/acme/"
    assert Membership.objects.filter(user__email="newcomer@example.test").count() == 1
    assert Client().login(email="newcomer@example.test", password=NEW_PASSWORD)


def test_the_api_route_emails_too(api_client: Callable[[Persona], Client], admin: Persona) -> None:
    response = api_client(admin).post(
        "/api/v1/workspaces/acme/members",
        json.dumps({"email": "api@example.test", "role": "viewer"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    (message,) = mail.outbox
    assert message.to == ["api@example.test"]
    assert response.json()["link"] in message.body
    assert message.alternatives[0][1] == "text/html"


def test_nothing_is_sent_when_the_invitation_is_refused(viewer: Persona, owner: Persona) -> None:
    with pytest.raises(Forbidden):
        services.invitation_create(actor=viewer.actor, email="x@example.test", role="member")
    with pytest.raises(Conflict):
        services.invitation_create(actor=owner.actor, email=viewer.email, role="member")
    assert mail.outbox == []


def test_the_email_is_enqueued_with_the_invitation(owner: Persona) -> None:
    """With a backend that keeps tasks, the request sends nothing itself."""
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        services.invitation_create(actor=owner.actor, email="later@example.test", role="member")
    assert mail.outbox == []
    assert Invitation.objects.filter(email="later@example.test").exists()


@pytest.mark.parametrize(
    ("workspace_name", "inviter_name"),
    [
        ("Acme\r\nBcc: victim@evil.test", "Owner"),
        ("Acme", "Mallory\nBcc: victim@evil.test"),
        ("Acme\u2028X-Injected: yes", "Mal\rlory\x0b"),
    ],
)
def test_no_header_can_be_injected_through_names(
    owner: Persona, smtp_server: SmtpServer, workspace_name: str, inviter_name: str
) -> None:
    Workspace.objects.filter(pk=owner.membership.workspace_id).update(name=workspace_name)
    User.objects.filter(pk=owner.user.pk).update(full_name=inviter_name)
    owner.user.refresh_from_db()
    owner.membership.workspace.refresh_from_db()
    services.invitation_create(actor=owner.actor, email="target@example.test", role="member")
    (message,) = smtp_server.messages
    assert message.rcpt_tos == ["target@example.test"]
    assert message.message["Bcc"] is None
    assert message.message["X-Injected"] is None
    subject = message.subject
    assert "\n" not in subject
    assert "\r" not in subject
    assert "invited you to" in subject


def test_the_task_never_raises_on_a_bad_header(smtp_server: SmtpServer) -> None:
    assert send_email.call("a@example.test\r\nBcc: b@example.test", "Hi", "text", "<p>x</p>") == 0
    assert send_email.call("a@example.test", "Hi\r\nBcc: b@example.test", "t", "<p>t</p>") == 1
    (message,) = smtp_server.messages
    assert message.rcpt_tos == ["a@example.test"]
    assert message.subject == "Hi Bcc: b@example.test"
    assert message.message["Bcc"] is None


def test_header_text_and_recipients() -> None:
    assert header_text("a\r\nb\tc\u2029d  e") == "a b c d e"
    assert len(header_text("x" * 500)) == 150
    assert clean_recipient(" ada@example.test ") == "ada@example.test"
    for bad in ["", "a@b.test, c@d.test", "A <a@b.test>", "a@b.test\nBcc: c@d.test"]:
        assert clean_recipient(bad) == ""


# -- resend ------------------------------------------------------------------------------------


def _invite(owner: Persona, email: str = "later@example.test") -> tuple[Invitation, str]:
    return services.invitation_create(actor=owner.actor, email=email, role="member")


def test_resend_emails_a_fresh_link_and_the_old_one_stops(
    client: Client, admin: Persona, owner: Persona, smtp_server: SmtpServer
) -> None:
    invitation, first = _invite(owner)
    client.force_login(admin.user)
    page = client.get("/w/acme/members").content.decode()
    assert f"/w/acme/invitations/{invitation.pk}/resend" in page
    response = client.post(
        f"/w/acme/invitations/{invitation.pk}/resend", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Invitation emailed again" in response.content.decode()
    first_mail, second_mail = smtp_server.to("later@example.test")
    assert second_mail.subject == "Admin invited you to Acme on Lodestar"
    second = _link(second_mail.part("text/plain"))
    assert second != _link(first_mail.part("text/plain"))
    assert f'value="{second}"' in response.content.decode()
    # The earlier link no longer opens the invitation; the new one does.
    assert Client().get(f"/invitations/{first}").status_code == 404
    assert Client().get(path_of(second)).status_code == 200
    entry = HistoryEntry.objects.filter(object_id=invitation.pk, changes__has_key="resent").get()
    assert first not in json.dumps(entry.changes)
    assert "token_hash" not in entry.changes


def test_resend_is_refused_for_an_answered_invitation_and_for_members(
    client: Client, owner: Persona, developer: Persona
) -> None:
    invitation, _ = _invite(owner)
    services.invitation_revoke(actor=owner.actor, invitation=invitation)
    with pytest.raises(Conflict, match="already answered or withdrawn"):
        services.invitation_resend(actor=owner.actor, invitation=invitation)
    other, _ = _invite(owner, "other@example.test")
    with pytest.raises(Forbidden):
        services.invitation_resend(actor=developer.actor, invitation=other)
    client.force_login(developer.user)
    assert client.post(f"/w/acme/invitations/{other.pk}/resend").status_code == 403
    assert len(mail.outbox) == 2  # the two invitations, nothing more


def test_resend_of_another_workspaces_invitation_is_404(
    client: Client, owner: Persona, outsider: Persona
) -> None:
    theirs, _ = services.invitation_create(
        actor=outsider.actor, email="x@example.test", role="member"
    )
    client.force_login(owner.user)
    assert client.post(f"/w/acme/invitations/{theirs.pk}/resend").status_code == 404
    assert len(mail.outbox) == 1


def test_resend_renews_an_expired_invitation(owner: Persona) -> None:
    from django.utils import timezone

    invitation, _ = _invite(owner)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    invitation.refresh_from_db()
    renewed, secret = services.invitation_resend(actor=owner.actor, invitation=invitation)
    assert renewed.expires_at > timezone.now()
    assert Client().get(f"/invitations/{secret}").status_code == 200


def test_the_api_resends(api_client: Callable[[Persona], Client], admin: Persona) -> None:
    client = api_client(admin)
    created = client.post(
        "/api/v1/workspaces/acme/members",
        json.dumps({"email": "again@example.test", "role": "member"}),
        content_type="application/json",
    ).json()
    resent = client.post(f"/api/v1/workspaces/acme/invitations/{created['id']}/resend")
    assert resent.status_code == 200
    body = resent.json()
    assert body["id"] == created["id"]
    assert body["token"] != created["token"]
    first, second = mail.outbox
    assert body["link"] in second.body
    assert created["link"] in first.body
    client.delete(f"/api/v1/workspaces/acme/invitations/{created['id']}")
    refused = client.post(f"/api/v1/workspaces/acme/invitations/{created['id']}/resend")
    assert refused.status_code == 409
    assert refused.json()["code"] == "invitation_not_open"
    assert client.post("/api/v1/workspaces/acme/invitations/999999/resend").status_code == 404
    assert len(mail.outbox) == 2
