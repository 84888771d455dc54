"""The team's portal pages (setting, moderation queue) and the portal's API: who may do what,
bad input, and other workspaces answering 404."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from lodestar.discovery.models import Feedback
from lodestar.discovery.portal_models import Portal, PortalIdea, PortalSubmission
from lodestar.discovery.portal_moderation import submission_publish
from lodestar.discovery.portal_services import portal_update
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.conftest import PASSWORD, Persona
from tests.discovery.test_portal import HOME, _confirm, _link, _submit

ApiClient = Callable[[Persona], Client]
PAGE = "/w/acme/products/ACME/portal"
API = "/api/v1/workspaces/acme/products/ACME/portal"


def _signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(email=persona.email, password=PASSWORD)
    return client


@pytest.fixture
def queued(po: Persona, product: Product) -> list[PortalSubmission]:
    """Two confirmed submissions waiting in ACME's queue."""
    portal_update(actor=po.actor, product=product, enabled=True)
    visitor = Client()
    for title, email in (("Dark mode", "a@x.co"), ("Export to PDF", "b@x.co")):
        _submit(visitor, title=title, email=email)
        _confirm(visitor, _link(mail.outbox[-1]))
    return list(PortalSubmission.objects.order_by("id"))


# -- the setting page ------------------------------------------------------------------------------


def test_the_product_owner_opens_the_portal_from_its_page(po: Persona, product: Product) -> None:
    client = _signed_in(po)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert b"Save the portal" in page.content
    saved = client.post(
        PAGE, {"enabled": "on", "title": "Acme ideas", "intro": "Hello", "version": "1"}
    )
    assert saved.status_code == 302
    portal = Portal.objects.get()
    assert (portal.enabled, portal.title, portal.intro) == (True, "Acme ideas", "Hello")
    shown = client.get(PAGE)
    assert b'data-testid="portal-address"' in shown.content
    assert Client().get(HOME).status_code == 200


def test_members_read_the_setting_but_cannot_change_it(pm: Persona, product: Product) -> None:
    client = _signed_in(pm)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert b"Save the portal" not in page.content
    refused = client.post(PAGE, {"enabled": "on", "title": "Mine", "version": "1"})
    assert refused.status_code == 403
    assert b"product owner and workspace admins" in refused.content
    assert not Portal.objects.exists()


def test_bad_settings_come_back_on_the_form(po: Persona, product: Product) -> None:
    client = _signed_in(po)
    answer = client.post(PAGE, {"enabled": "on", "title": "x" * 121, "version": "1"})
    assert answer.status_code == 422
    assert b"at most 120 characters" in answer.content
    stale = client.post(PAGE, {"enabled": "on", "title": "Ok", "version": "7"})
    assert stale.status_code == 412
    assert not Portal.objects.exists()


# -- the moderation queue -----------------------------------------------------------------------


def test_the_queue_lists_confirmed_submissions_and_publishes_one(
    pm: Persona, queued: list[PortalSubmission]
) -> None:
    client = _signed_in(pm)
    page = client.get(PAGE + "/queue")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dark mode" in html
    assert "Export to PDF" in html
    assert "a@x.co" in html  # the team sees who sent it; the public never does
    dark, export = queued
    published = client.post(
        f"{PAGE}/submissions/{dark.pk}/publish",
        {"title": "Dark mode for reports", "description": "", "status": "planned"},
    )
    assert published.status_code == 302
    idea = PortalIdea.objects.get()
    assert (idea.title, idea.status) == ("Dark mode for reports", "planned")
    merged = client.post(f"{PAGE}/submissions/{export.pk}/merge", {"idea": str(idea.pk)})
    assert merged.status_code == 302
    states = set(PortalSubmission.objects.values_list("state", flat=True))
    assert states == {"published", "merged"}
    assert b"Dark mode for reports" in Client().get(HOME).content
    again = client.post(f"{PAGE}/submissions/{dark.pk}/reject")
    assert again.status_code == 409
    assert b"published already" in again.content
    assert PortalSubmission.objects.get(pk=dark.pk).state == "published"


def test_bad_moderation_input_says_what_to_fix(pm: Persona, queued: list[PortalSubmission]) -> None:
    client = _signed_in(pm)
    dark, _ = queued
    blank = client.post(f"{PAGE}/submissions/{dark.pk}/publish", {"title": " ", "status": "x"})
    assert blank.status_code == 422
    assert b"Title: must not be empty" in blank.content
    unknown = client.post(f"{PAGE}/submissions/{dark.pk}/merge", {"idea": "999999"})
    assert unknown.status_code == 422
    assert b"choose one of this portal" in unknown.content
    assert not PortalIdea.objects.exists()
    assert set(PortalSubmission.objects.values_list("state", flat=True)) == {"queued"}


def test_viewers_read_the_queue_but_do_not_moderate(
    viewer: Persona, queued: list[PortalSubmission]
) -> None:
    client = _signed_in(viewer)
    page = client.get(PAGE + "/queue")
    assert page.status_code == 200
    assert b">Publish<" not in page.content
    refused = client.post(f"{PAGE}/submissions/{queued[0].pk}/reject")
    assert refused.status_code == 403
    assert set(PortalSubmission.objects.values_list("state", flat=True)) == {"queued"}


def test_another_workspace_moderates_nothing_here(
    outsider: Persona, queued: list[PortalSubmission], po: Persona
) -> None:
    shop = strategy.product_create(actor=outsider.actor, key="SHOP", name="Shop")
    client = _signed_in(outsider)
    dark = queued[0]
    assert client.get(PAGE + "/queue").status_code == 404
    assert client.post(f"{PAGE}/submissions/{dark.pk}/reject").status_code == 404
    theirs = "/w/globex/products/SHOP/portal"
    assert client.get(theirs + "/queue").status_code == 200
    for decision in ("publish", "reject", "merge"):
        answer = client.post(f"{theirs}/submissions/{dark.pk}/{decision}", {"title": "Taken"})
        assert answer.status_code == 404
    idea = submission_publish(actor=po.actor, submission=dark)
    assert client.post(f"{theirs}/ideas/{idea.pk}", {"published": "0"}).status_code == 404
    assert shop.portal_ideas.count() == 0
    assert PortalIdea.objects.get().published
    assert set(PortalSubmission.objects.values_list("state", flat=True)) == {"published", "queued"}


def test_an_idea_moves_status_and_hides(pm: Persona, queued: list[PortalSubmission]) -> None:
    idea = submission_publish(actor=pm.actor, submission=queued[0])
    client = _signed_in(pm)
    assert client.post(f"{PAGE}/ideas/{idea.pk}", {"status": "released"}).status_code == 302
    assert b"Released" in Client().get(HOME).content
    assert client.post(f"{PAGE}/ideas/{idea.pk}", {"published": "0"}).status_code == 302
    assert b"Dark mode" not in Client().get(HOME).content
    bad = client.post(f"{PAGE}/ideas/{idea.pk}", {"status": "shipped"})
    assert bad.status_code == 422
    assert b"Status: must be one of" in bad.content


def test_rejecting_archives_the_feedback(pm: Persona, queued: list[PortalSubmission]) -> None:
    client = _signed_in(pm)
    assert client.post(f"{PAGE}/submissions/{queued[0].pk}/reject").status_code == 302
    assert Feedback.objects.get(pk=queued[0].feedback_id).state == "archived"


# -- the API ---------------------------------------------------------------------------------------


def _put(client: Client, body: Any, **headers: str) -> Any:
    return client.put(API, json.dumps(body), content_type="application/json", headers=headers)


def test_the_api_reads_and_changes_the_setting(
    api_client: ApiClient, po: Persona, product: Product
) -> None:
    client = api_client(po)
    default = client.get(API)
    assert default.status_code == 200
    assert default.json() == {
        "product": "ACME",
        "enabled": False,
        "title": "Acme Analytics",
        "intro": "",
        "address": "/portal/acme/ACME/",
        "queued": 0,
        "version": 1,
    }
    opened = _put(client, {"enabled": True, "intro": "Tell us"}, **{"If-Match": '"1"'})
    assert opened.status_code == 200, opened.content
    assert (opened.json()["enabled"], opened.json()["intro"]) == (True, "Tell us")
    stale = _put(client, {"enabled": False}, **{"If-Match": '"1"'})
    assert stale.status_code == 412
    assert Portal.objects.get().enabled


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"enabled": True, "title": ""}, "title"),
        ({"enabled": True, "title": "x" * 121}, "title"),
        ({"enabled": True, "intro": "x" * 2001}, "intro"),
        ({"title": "No enabled"}, "enabled"),
        ({"enabled": True, "surprise": 1}, "surprise"),
    ],
)
def test_the_api_refuses_bad_settings(
    api_client: ApiClient, po: Persona, product: Product, body: Any, field: str
) -> None:
    answer = _put(api_client(po), body)
    assert answer.status_code == 422, answer.content
    assert field in json.dumps(answer.json()["errors"])
    assert not Portal.objects.exists()


def test_the_team_posts_an_idea_itself(
    po: Persona, pm: Persona, viewer: Persona, product: Product
) -> None:
    portal_update(actor=po.actor, product=product, enabled=True)
    refused = _signed_in(viewer).post(f"{PAGE}/ideas", {"title": "Roadmap item"})
    assert refused.status_code == 403
    client = _signed_in(pm)
    too_long = client.post(f"{PAGE}/ideas", {"title": "x" * 121, "status": "planned"})
    assert too_long.status_code == 422
    assert b"Title: must be at most 120 characters" in too_long.content
    assert not PortalIdea.objects.exists()
    posted = client.post(
        f"{PAGE}/ideas", {"title": "Scheduled reports", "description": "", "status": "planned"}
    )
    assert posted.status_code == 302
    idea = PortalIdea.objects.get()
    assert (idea.title, idea.status, idea.published) == ("Scheduled reports", "planned", True)
    assert b"Scheduled reports" in Client().get(HOME).content


def test_the_queue_reads_the_same_queries_for_more_submissions(
    pm: Persona, queued: list[PortalSubmission]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _signed_in(pm)
    submission_publish(actor=pm.actor, submission=queued[0])
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE + "/queue").status_code == 200
    visitor = Client()
    for number in range(4):
        _submit(visitor, title=f"More {number}", email=f"m{number}@x.co")
        _confirm(visitor, _link(mail.outbox[-1]))
    submission_publish(actor=pm.actor, submission=queued[1])
    with CaptureQueriesContext(connection) as many:
        assert client.get(PAGE + "/queue").status_code == 200
    assert len(many) == len(few)
