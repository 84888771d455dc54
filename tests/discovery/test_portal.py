"""The public portal: off by default, only published ideas shown, nothing private on any public
answer, ideas and votes confirmed by email links that count once, honeypot, rate limits and
field caps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lodestar.core import ratelimit
from lodestar.core.errors import Forbidden, Invalid
from lodestar.discovery import services
from lodestar.discovery.models import Contact, Feedback, FeedbackState
from lodestar.discovery.portal_models import (
    IdeaStatus,
    Portal,
    PortalIdea,
    PortalSubmission,
    PortalVote,
    SubmissionState,
)
from lodestar.discovery.portal_moderation import submission_publish
from lodestar.discovery.portal_services import portal_of, portal_update
from lodestar.strategy.models import Product
from tests.conftest import Persona

HOME = "/portal/acme/ACME/"
LINK = re.compile(r"http://testserver(/portal/\S+/confirm/\S+/)")


@pytest.fixture
def portal(po: Persona, product: Product) -> Portal:
    return portal_update(
        actor=po.actor, product=product, enabled=True, title="Acme ideas", intro="Tell us."
    )


def _link(message: Any) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def _submit(client: Client, **fields: str) -> Any:
    data = {"title": "Dark mode", "description": "", "email": "ana@example.com", "website": ""}
    return client.post(HOME + "ideas", {**data, **fields})


def _confirm(client: Client, link: str) -> Any:
    return client.post(link)


def _published(po: Persona, client: Client, title: str = "Dark mode", **fields: str) -> PortalIdea:
    """Submit ``title``, confirm it, publish it: the idea on the portal."""
    mail.outbox.clear()
    assert _submit(client, title=title, **fields).status_code == 302
    assert _confirm(client, _link(mail.outbox[-1])).status_code == 200
    submission = PortalSubmission.objects.get(title=title)
    return submission_publish(actor=po.actor, submission=submission)


# -- the setting -------------------------------------------------------------------------------


def test_a_portal_is_off_until_turned_on(product: Product, client: Client) -> None:
    portal = portal_of(product)
    assert (portal.pk, portal.enabled, portal.title) == (None, False, "Acme Analytics")
    assert client.get(HOME).status_code == 404


def test_the_product_owner_and_admins_turn_it_on_not_members(
    product: Product, po: Persona, admin: Persona, pm: Persona, viewer: Persona
) -> None:
    for refused in (pm, viewer):
        with pytest.raises(Forbidden):
            portal_update(actor=refused.actor, product=product, enabled=True)
    assert not Portal.objects.exists()
    portal_update(actor=admin.actor, product=product, enabled=True)
    portal = portal_update(actor=po.actor, product=product, title="  Ideas  for   Acme ")
    assert (portal.enabled, portal.title, portal.version) == (True, "Ideas for Acme", 3)


def test_bad_settings_name_every_field_and_write_nothing(product: Product, po: Persona) -> None:
    with pytest.raises(Invalid) as caught:
        portal_update(actor=po.actor, product=product, title=" ", intro="x" * 2001)
    assert {e.field for e in caught.value.errors} == {"title", "intro"}
    assert "at most 2,000 characters" in str(caught.value.errors)
    assert not Portal.objects.exists()


def test_a_portal_turned_off_answers_404_everywhere(
    portal: Portal, po: Persona, product: Product, client: Client
) -> None:
    idea = _published(po, client)
    mail.outbox.clear()
    assert (
        client.post(f"{HOME}ideas/{idea.pk}/vote", {"email": "bo@example.com"}).status_code == 302
    )
    link = _link(mail.outbox[-1])
    portal_update(actor=po.actor, product=product, enabled=False)
    for url in (HOME, f"{HOME}ideas/{idea.pk}/", f"{HOME}sent", link):
        assert client.get(url).status_code == 404, url
    assert _submit(client).status_code == 404
    assert (
        client.post(f"{HOME}ideas/{idea.pk}/vote", {"email": "cy@example.com"}).status_code == 404
    )
    assert _confirm(client, link).status_code == 404
    assert not PortalVote.objects.filter(confirmed_at__isnull=False).exists()


def test_the_address_must_match_the_workspace(
    portal: Portal, client: Client, other_workspace: Any
) -> None:
    assert client.get(HOME).status_code == 200
    assert client.get("/portal/acme/acme/").status_code == 200  # any letter case of the key
    assert client.get("/portal/globex/ACME/").status_code == 404
    assert client.get("/portal/acme/NOPE/").status_code == 404


# -- ideas ---------------------------------------------------------------------------------------


def test_an_idea_is_confirmed_by_its_link_once_and_lands_as_portal_feedback(
    portal: Portal, client: Client, product: Product
) -> None:
    sent = _submit(client, title="Dark mode", description="At night.", email="Ana@Example.com")
    assert sent.status_code == 302
    assert client.get(sent["Location"]).status_code == 200
    submission = PortalSubmission.objects.get()
    assert submission.state == SubmissionState.UNCONFIRMED
    assert not Feedback.objects.exists()
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"]
    assert "Dark mode" not in message.body  # a stranger's words are never mailed on
    assert message.subject == "Confirm your idea for Acme ideas"
    link = _link(message)

    shown = client.get(link)  # opening the link (a mail scanner, say) confirms nothing
    assert shown.status_code == 200
    assert b"Confirm my idea" in shown.content
    assert not Feedback.objects.exists()

    done = _confirm(client, link)
    assert done.status_code == 200
    assert b"Thank you" in done.content
    feedback = Feedback.objects.get()
    assert (feedback.source, feedback.product_id, feedback.text) == (
        "portal",
        product.pk,
        "Dark mode\n\nAt night.",
    )
    assert feedback.contact == Contact.objects.get(email="ana@example.com")
    submission.refresh_from_db()
    assert (submission.state, submission.feedback_id) == (SubmissionState.QUEUED, feedback.pk)

    again = _confirm(client, link)
    assert again.status_code == 200
    assert b"Already confirmed" in again.content
    assert Feedback.objects.count() == 1
    assert Contact.objects.count() == 1


def test_a_known_contact_keeps_its_customer(portal: Portal, client: Client, pm: Persona) -> None:
    globex = services.customer_create(actor=pm.actor, name="Globex", arr=1000)
    contact = services.contact_create(actor=pm.actor, customer=globex, email="ana@globex.test")
    _submit(client, email="ana@globex.test")
    _confirm(client, _link(mail.outbox[-1]))
    feedback = Feedback.objects.get()
    assert (feedback.contact, feedback.customer) == (contact, globex)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 121}, "title", "at most 120 characters"),
        ({"description": "x" * 2001}, "description", "at most 2000 characters"),
        ({"email": "not-an-address"}, "email", "must be an email address"),
        ({"email": "a" * 250 + "@example.com"}, "email", "at most 254 characters"),
        ({"email": "a,b@example.com"}, "email", "must be"),
        ({"email": '"a b"@example.com'}, "email", "must be"),
        ({"email": "a@example.com\nBcc: b@example.com"}, "email", "must be"),
    ],
)
def test_bad_input_says_what_to_fix_and_writes_nothing(
    portal: Portal, client: Client, fields: dict[str, str], field: str, message: str
) -> None:
    answer = _submit(client, **fields)
    assert answer.status_code == 422
    assert message.lower() in answer.content.decode().lower()
    assert not PortalSubmission.objects.exists()
    assert mail.outbox == []


def test_the_honeypot_answers_as_usual_and_writes_nothing(portal: Portal, client: Client) -> None:
    answer = _submit(client, website="http://spam.example")
    assert answer.status_code == 302
    assert client.get(answer["Location"]).status_code == 200
    assert not PortalSubmission.objects.exists()
    assert mail.outbox == []
    idea = PortalIdea.objects.create(
        workspace_id=portal.workspace_id, product_id=portal.product_id, title="Export"
    )
    voted = client.post(f"{HOME}ideas/{idea.pk}/vote", {"email": "a@b.co", "website": "x"})
    assert voted.status_code == 302
    assert not PortalVote.objects.exists()
    assert mail.outbox == []


def test_too_many_ideas_from_one_email_address_answer_429_with_retry_after(
    portal: Portal, client: Client, settings: Any
) -> None:
    settings.PORTAL_RATE_LIMIT_PER_EMAIL = 2
    for _ in range(2):
        assert _submit(client).status_code == 302
    refused = _submit(client)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert b"Too many ideas and votes" in refused.content
    assert PortalSubmission.objects.count() == 2
    assert len(mail.outbox) == 2
    assert _submit(client, email="other@example.com").status_code == 302


def test_too_many_requests_from_one_client_answer_429(
    portal: Portal, client: Client, settings: Any
) -> None:
    settings.PORTAL_RATE_LIMIT_PER_CLIENT = 3
    for number in range(3):
        assert _submit(client, email=f"v{number}@example.com").status_code == 302
    refused = _submit(client, email="v9@example.com")
    assert refused.status_code == 429
    assert refused["Retry-After"]
    other = Client(REMOTE_ADDR="10.0.0.7")
    assert _submit(other, email="v9@example.com").status_code == 302
    moment = ratelimit.now() + 3601
    ratelimit_now = ratelimit.now
    try:
        ratelimit.now = lambda: moment  # type: ignore[assignment]
        assert _submit(client, email="v10@example.com").status_code == 302
    finally:
        ratelimit.now = ratelimit_now  # type: ignore[assignment]


def test_forged_expired_and_foreign_links(
    portal: Portal, client: Client, settings: Any, po: Persona, owner: Persona
) -> None:
    _submit(client)
    link = _link(mail.outbox[-1])
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert client.get(link.replace(token, token[:-2] + "xx")).status_code == 404
    assert _confirm(client, link.replace(token, "nonsense")).status_code == 404
    forged = signing.dumps(["vote", 1], salt="another purpose")
    assert client.get(f"{HOME}confirm/{forged}/").status_code == 404
    # The same link under another product's portal is not that portal's.
    from lodestar.strategy import services as strategy

    shop = strategy.product_create(actor=owner.actor, key="SHOP", name="Shop")
    portal_update(actor=owner.actor, product=shop, enabled=True)
    assert _confirm(client, link.replace("/ACME/", "/SHOP/")).status_code == 404
    settings.PORTAL_CONFIRMATION_MAX_AGE_SECONDS = -1
    expired = _confirm(client, link)
    assert expired.status_code == 410
    assert b"expired" in expired.content
    assert not Feedback.objects.exists()


# -- what the public sees -------------------------------------------------------------------------


def test_only_published_ideas_show_and_nothing_private_does(
    portal: Portal, client: Client, po: Persona, pm: Persona
) -> None:
    globex = services.customer_create(
        actor=pm.actor, name="Globex Corporation", arr="120000", notes="Renewal at risk"
    )
    services.contact_create(actor=pm.actor, customer=globex, email="ana@globex.test")
    shown = _published(po, client, title="Bulk export", email="ana@globex.test")
    feedback = Feedback.objects.get()
    services.feedback_update(actor=pm.actor, feedback=feedback, notes="INTERNAL: churn signal")
    services.problem_create(actor=pm.actor, title="Unpublished problem statement")
    hidden = _published(po, client, title="Hidden idea")
    from lodestar.discovery.portal_moderation import idea_update

    idea_update(actor=po.actor, idea=hidden, published=False)
    _submit(client, title="Still waiting for its link")
    _submit(client, title="Queued and not published", email="bo@example.com")
    _confirm(client, _link(mail.outbox[-1]))
    rejected = _published(po, client, title="Rejected one")  # published, then hidden
    idea_update(actor=po.actor, idea=rejected, published=False)

    pages = [
        client.get(HOME),
        client.get(f"{HOME}ideas/{shown.pk}/"),
        client.get(f"{HOME}sent?kind=idea"),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        for private in (
            "Globex",
            "120000",
            "120,000",
            "ana@globex.test",
            "bo@example.com",
            "Renewal at risk",
            "INTERNAL",
            "Unpublished problem",
            "Hidden idea",
            "Still waiting",
            "Queued and not published",
            "Rejected one",
        ):
            assert private not in html, (private, page.request["PATH_INFO"])
    assert "Bulk export" in pages[0].content.decode()
    assert client.get(f"{HOME}ideas/{hidden.pk}/").status_code == 404
    assert client.post(f"{HOME}ideas/{hidden.pk}/vote", {"email": "x@y.co"}).status_code == 404


def test_script_text_is_shown_as_text(portal: Portal, client: Client, po: Persona) -> None:
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    idea = _published(po, client, title=script[:120], description=script)
    for url in (HOME, f"{HOME}ideas/{idea.pk}/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    portal_update(actor=po.actor, product=portal.product, intro="<b>bold</b>\nline two")
    html = client.get(HOME).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;<br>line two" in html


def test_the_public_page_reads_the_same_queries_for_many_ideas(
    portal: Portal, client: Client, po: Persona
) -> None:
    for number in range(3):
        idea = PortalIdea.objects.create(
            workspace_id=portal.workspace_id, product_id=portal.product_id, title=f"Idea {number}"
        )
        PortalVote.objects.create(idea=idea, email=f"v{number}@x.co", confirmed_at=idea.created_at)
    with CaptureQueriesContext(connection) as few:
        assert client.get(HOME).status_code == 200
    for number in range(20):
        PortalIdea.objects.create(
            workspace_id=portal.workspace_id, product_id=portal.product_id, title=f"More {number}"
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(HOME).status_code == 200
    assert len(many) == len(few)


# -- votes ---------------------------------------------------------------------------------------


def test_a_vote_counts_once_whatever_is_replayed(
    portal: Portal, client: Client, po: Persona
) -> None:
    idea = _published(po, client)
    vote_url = f"{HOME}ideas/{idea.pk}/vote"
    mail.outbox.clear()
    assert client.post(vote_url, {"email": "bo@example.com"}).status_code == 302
    assert client.post(vote_url, {"email": "BO@example.com"}).status_code == 302
    first, second = (_link(m) for m in mail.outbox)
    assert PortalVote.objects.count() == 1
    assert b"<strong>0</strong> votes" in client.get(f"{HOME}ideas/{idea.pk}/").content

    counted = _confirm(client, first)
    assert b"Your vote counts" in counted.content
    assert b"<strong>1</strong> vote" in counted.content
    for replay in (first, second, first):
        again = _confirm(client, replay)
        assert again.status_code == 200
        assert b"Already counted" in again.content
    mail.outbox.clear()
    assert client.post(vote_url, {"email": "bo@example.com"}).status_code == 302
    assert mail.outbox == []  # it counts already: no new link
    assert PortalVote.objects.filter(confirmed_at__isnull=False).count() == 1
    home = client.get(HOME).content.decode()
    assert re.search(r"<strong>1</strong> vote\b", home)


def test_votes_on_a_missing_idea_or_with_a_bad_address(
    portal: Portal, client: Client, po: Persona
) -> None:
    idea = _published(po, client)
    assert client.post(f"{HOME}ideas/999999/vote", {"email": "a@b.co"}).status_code == 404
    bad = client.post(f"{HOME}ideas/{idea.pk}/vote", {"email": "nope"})
    assert bad.status_code == 422
    assert b"Must be an email address" in bad.content
    assert not PortalVote.objects.exists()


# -- moderation (services) -------------------------------------------------------------------------


def test_moderation_publishes_merges_and_rejects_once(
    portal: Portal, client: Client, po: Persona, pm: Persona, viewer: Persona
) -> None:
    for title, email in (("One", "a@x.co"), ("Two", "b@x.co"), ("Three", "c@x.co")):
        _submit(client, title=title, email=email)
        _confirm(client, _link(mail.outbox[-1]))
    one, two, three = PortalSubmission.objects.order_by("id")
    with pytest.raises(Forbidden):
        submission_publish(actor=viewer.actor, submission=one)
    with pytest.raises(Invalid) as caught:
        submission_publish(actor=pm.actor, submission=one, title="", status="shipped")
    assert caught.value.errors[0].field == "title"
    assert not PortalIdea.objects.exists()
    idea = submission_publish(
        actor=pm.actor, submission=one, title="One, reworded", status=IdeaStatus.PLANNED
    )
    assert (idea.title, idea.status, idea.published) == ("One, reworded", "planned", True)
    from lodestar.core.errors import Conflict
    from lodestar.discovery.portal_moderation import submission_merge, submission_reject

    with pytest.raises(Conflict):
        submission_reject(actor=pm.actor, submission=one)
    submission_merge(actor=pm.actor, submission=two, idea=idea)
    submission_reject(actor=pm.actor, submission=three)
    states = dict(PortalSubmission.objects.values_list("title", "state"))
    assert states == {"One": "published", "Two": "merged", "Three": "rejected"}
    feedback_states = dict(Feedback.objects.values_list("text", "state"))
    assert feedback_states == {
        "One": FeedbackState.TRIAGED,
        "Two": FeedbackState.TRIAGED,
        "Three": FeedbackState.ARCHIVED,
    }


def test_links_never_followed_are_forgotten_once_expired(
    portal: Portal, client: Client, po: Persona
) -> None:
    import datetime as dt

    from django.utils import timezone

    from lodestar.discovery.portal_tasks import purge_unconfirmed_portal_requests

    idea = _published(po, client)
    client.post(f"{HOME}ideas/{idea.pk}/vote", {"email": "bo@example.com"})
    _submit(client, title="Never confirmed")
    assert purge_unconfirmed_portal_requests.call() == 0
    old = timezone.now() - dt.timedelta(days=3)
    PortalSubmission.objects.filter(title="Never confirmed").update(created_at=old)
    PortalVote.objects.update(created_at=old)
    assert purge_unconfirmed_portal_requests.call() == 2
    assert list(PortalSubmission.objects.values_list("title", flat=True)) == ["Dark mode"]
    assert not PortalVote.objects.exists()


def test_every_portal_form_needs_its_csrf_token(portal: Portal, po: Persona) -> None:
    strict = Client(enforce_csrf_checks=True)
    idea = PortalIdea.objects.create(
        workspace_id=portal.workspace_id, product_id=portal.product_id, title="Export"
    )
    assert _submit(strict).status_code == 403
    assert strict.post(f"{HOME}ideas/{idea.pk}/vote", {"email": "a@b.co"}).status_code == 403
    page = strict.get(HOME)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token
    assert _submit(strict, csrfmiddlewaretoken=token.group(1)).status_code == 302
    assert PortalSubmission.objects.count() == 1
    assert not PortalVote.objects.exists()
    assert Client(enforce_csrf_checks=True).post(_link(mail.outbox[-1])).status_code == 403
    assert PortalSubmission.objects.get().state == SubmissionState.UNCONFIRMED


@pytest.mark.django_db(transaction=True)
def test_links_followed_at_the_same_moment_count_once(
    portal: Portal, po: Persona, client: Client, tmp_path: Path
) -> None:
    from tests.concurrency import run_concurrently, shared_database

    idea = _published(po, client)
    client.post(f"{HOME}ideas/{idea.pk}/vote", {"email": "bo@example.com"})
    vote_link = _link(mail.outbox[-1])
    _submit(client, title="Twice at once", email="cy@example.com")
    idea_link = _link(mail.outbox[-1])
    answers: list[bytes] = []

    def follow(n: int, wait: Any) -> None:
        wait()
        answers.append(Client().post(vote_link if n % 2 else idea_link).content)

    with shared_database(tmp_path):
        run_concurrently(6, follow)
        votes = PortalVote.objects.filter(confirmed_at__isnull=False).count()
        feedback = Feedback.objects.filter(text="Twice at once").count()
    assert sum(b"Your vote counts" in answer for answer in answers) == 1
    assert sum(b"Thank you</h1>" in answer for answer in answers) == 1
    assert (votes, feedback) == (1, 1)
