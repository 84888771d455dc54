"""Email of notifications on a real SMTP server (``tests/smtp.py``): at once for mentions,
digests for the rest, both parts, the one-click unsubscribe header and its link, headers safe
from names and titles."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.comments import services as comments
from lodestar.comments.access import Target
from lodestar.notifications import emails, services
from lodestar.notifications.access import access_target
from lodestar.notifications.models import Notification
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db
Deliver = Callable[[], int]


def _unsubscribe_path(header: str) -> str:
    match = re.fullmatch(r"<https?://[^/]+(/unsubscribe/[^>]+)>", header)
    assert match, header
    return match.group(1)


def test_a_mention_is_emailed_at_once_with_both_parts_and_one_click_unsubscribe(
    owner: Persona,
    developer: Persona,
    item: BacklogItem,
    on_item: Target,
    deliver: Deliver,
    smtp_server: SmtpServer,
) -> None:
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev <b>can</b> you check?")
    assert smtp_server.messages == []  # never in the request
    deliver()
    [mail] = smtp_server.to(developer.email)
    assert mail.subject == f"Owner mentioned you in a comment of {item.key} {item.title}"
    assert f"/w/acme/items/{item.key}" in mail.part("text/plain")
    html = mail.part("text/html")
    assert f'href="http://127.0.0.1:8000/w/acme/items/{item.key}"' in html
    assert "&lt;b&gt;can&lt;/b&gt;" in html, html  # the excerpt is escaped
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = _unsubscribe_path(str(mail.message["List-Unsubscribe"]).strip())
    assert Notification.objects.get(recipient=developer.membership).emailed_at is not None
    # One click: a POST without a session or CSRF token stops mention emails.
    answer = Client(enforce_csrf_checks=True).post(path)
    assert answer.status_code == 200
    assert services.preferences_of(developer.membership)["mention"] == "inbox"
    smtp_server.clear()
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev again")
    deliver()
    assert smtp_server.messages == []
    assert Notification.objects.filter(recipient=developer.membership).count() == 2


def test_the_unsubscribe_link_asks_first_and_refuses_a_tampered_token(developer: Persona) -> None:
    token = emails.unsubscribe_token(developer.membership.pk, ["comment"])
    page = Client().get(f"/unsubscribe/{token}")
    assert page.status_code == 200
    assert b"Stop these emails" in page.content
    assert services.preferences_of(developer.membership)["comment"] == "daily"
    tampered = Client().post(f"/unsubscribe/{token[:-2]}xx")
    assert tampered.status_code == 400
    assert b"This unsubscribe link is not valid" in tampered.content
    assert services.preferences_of(developer.membership)["comment"] == "daily"
    assert Client().post(f"/unsubscribe/{token}").status_code == 200
    assert services.preferences_of(developer.membership)["comment"] == "inbox"


def test_names_and_titles_cannot_add_headers(
    owner: Persona, developer: Persona, product: Product, deliver: Deliver, smtp_server: SmtpServer
) -> None:
    owner.user.full_name = "Evil\r\nBcc: victim@example.com"
    owner.user.save()
    item = backlog.item_create(actor=owner.actor, product=product, title="Fine")
    Notification.objects.all().delete()
    backlog.item_update(actor=owner.actor, item=item, assignee=developer.membership)
    deliver()
    [mail] = smtp_server.to(developer.email)
    assert mail.message["Bcc"] is None
    assert mail.rcpt_tos == [developer.email]
    assert "\n" not in mail.subject
    assert mail.subject.startswith("Evil Bcc: victim@example.com assigned you to")


def test_a_digest_lists_everything_since_the_last_one(
    owner: Persona,
    pm: Persona,
    developer: Persona,
    product: Product,
    item: BacklogItem,
    on_item: Target,
    deliver: Deliver,
    smtp_server: SmtpServer,
) -> None:
    services.watch_start(actor=pm.actor, target=access_target(pm.actor, "products", "ACME"))
    comments.comment_create(actor=owner.actor, target=on_item, body="First thoughts")
    comments.comment_create(actor=developer.actor, target=on_item, body="A reply of sorts")
    deliver()
    assert smtp_server.to(pm.email) == []  # comments come in the daily digest
    assert emails.send_digests() >= 1
    [digest] = smtp_server.to(pm.email)
    assert digest.subject == "Your daily Lodestar digest: 2 notifications in Acme"
    text = digest.part("text/plain")
    assert "Owner commented on" in text
    assert "Dev commented on" in text
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    smtp_server.clear()
    # Nothing new: no digest; a day later with something new: one more.
    assert emails.send_digests() == 0, [(m.rcpt_tos, m.subject) for m in smtp_server.messages]
    comments.comment_create(actor=owner.actor, target=on_item, body="More")
    deliver()
    emails.send_digests()  # the developer's first digest (they watch since their comment)
    assert smtp_server.to(pm.email) == []  # not a day since Priya's last one
    later = timezone.now() + dt.timedelta(days=1)
    assert emails.send_digests(now=later) >= 1
    [second] = smtp_server.to(pm.email)
    assert "1 notification in Acme" in second.subject
