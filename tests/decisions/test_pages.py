"""The decision pages: the log and its filters, a decision's page, the forms with their
errors inline, the writes of its page, and the sections on an item's and a problem's pages
with their quick capture; viewers read and never write."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.decisions import services
from lodestar.decisions.models import Decision, DecisionLink, DecisionStatus
from lodestar.discovery.models import Problem
from lodestar.strategy.models import Product
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

LOG = "/w/acme/decisions/ACME"


def _as(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def _text(response: Any) -> str:
    return response.content.decode()


def _decided(owner: Persona, product: Product, title: str, **fields: Any) -> Decision:
    return services.decision_create(
        actor=owner.actor, product=product, title=title, status="decided", **fields
    )


def test_the_log_filters_by_status_and_words(owner: Persona, product: Product) -> None:
    old = _decided(owner, product, "Links never expire")
    _decided(owner, product, "Links expire after 30 days", supersedes=old)
    services.decision_create(actor=owner.actor, product=product, title="Real-time refresh")
    client = _as(owner)
    page = _text(client.get(LOG))
    assert page.count('data-testid="decision-row"') == 3
    assert "Superseded by" in page
    superseded = _text(client.get(LOG, {"status": "superseded"}))
    assert superseded.count('data-testid="decision-row"') == 1
    assert "Links never expire" in superseded
    found = _text(client.get(LOG, {"q": "refresh"}))
    assert found.count('data-testid="decision-row"') == 1
    # The sidebar's entry leads to the only product's log.
    assert client.get("/w/acme/decisions")["Location"] == LOG


def test_a_decision_page_shows_every_field_links_chain_and_history(
    owner: Persona, product: Product, item: BacklogItem, problem: Problem
) -> None:
    old = _decided(
        owner,
        product,
        "Share by link",
        context="Guests *cost* a seat.",
        decision="Read-only links.",
        rationale="Speed.",
        options=[{"title": "Guests", "pros": "Known", "cons": "A seat", "chosen": False},
                 {"title": "Links", "pros": "Fast", "cons": "Forwarded", "chosen": True}],
        links=[f"item:{item.key}", f"problem:{problem.pk}"],
    )  # fmt: skip
    _decided(owner, product, "Links expire", supersedes=old)
    page = _text(_as(owner).get(f"{LOG}/1"))
    assert "<em>cost</em>" in page
    assert "Read-only links." in page
    assert "Speed." in page
    assert page.count('data-testid="decision-option"') == 2
    assert "Chosen" in page
    assert page.count('data-testid="decision-link"') == 2
    assert item.title in page
    assert problem.title in page
    assert 'data-testid="superseded-notice"' in page
    assert "ACME-D2" in page
    assert "marked “ACME-D1 Share by link” superseded by ACME-D2" in page
    assert f"{LOG}/1/edit" not in page  # superseded: kept as it was
    newer = _text(_as(owner).get(f"{LOG}/2"))
    assert 'data-testid="decision-chain"' in newer
    assert "ACME-D1 Share by link" in newer


def test_the_form_shows_errors_inline_and_writes_nothing(owner: Persona, product: Product) -> None:
    client = _as(owner)
    assert client.get(f"{LOG}/new").status_code == 200
    answer = client.post(
        f"{LOG}/new",
        {"title": "Stream exports", "status": "decided", "deciders": "nobody@acme.test",
         "option-0-title": "", "option-0-pros": "Fast"},
    )  # fmt: skip
    assert answer.status_code == 422
    page = _text(answer)
    assert "is not a member of this workspace" in page
    assert "nobody@acme.test" in page
    assert Decision.all_objects.count() == 0
    answer = client.post(
        f"{LOG}/new",
        {"title": "Stream exports", "status": "decided", "option-0-title": "Cap",
         "option-1-title": "Stream", "chosen": "1", "decision": "Stream **every** row"},
    )  # fmt: skip
    assert answer.status_code == 302
    made = Decision.objects.get()
    assert [o.chosen for o in made.options.all()] == [False, True]
    assert made.deciders.get() == owner.membership
    edited = client.post(
        f"{LOG}/1/edit",
        {"title": "", "decision": "x", "version": made.version, "option_rows": "3"},
    )
    assert edited.status_code == 422
    assert "This field is required" in _text(edited)
    edited = client.post(
        f"{LOG}/1/edit",
        {"title": "Stream every export", "decision": "x", "version": made.version,
         "option_rows": "3", "option-0-title": "Stream"},
    )  # fmt: skip
    assert edited.status_code == 302
    made.refresh_from_db()
    assert made.title == "Stream every export"
    assert made.options.count() == 1


def test_decide_supersede_link_and_delete_from_the_page(
    owner: Persona, product: Product, item: BacklogItem
) -> None:
    client = _as(owner)
    services.decision_create(actor=owner.actor, product=product, title="Open question")
    _decided(owner, product, "Later answer")
    assert client.post(f"{LOG}/1/decide", {"deciders": ""}).status_code == 302
    assert Decision.objects.get(number=1).status == DecisionStatus.DECIDED
    client.post(f"{LOG}/1/links", {"kind": "item", "ref": item.key})
    assert DecisionLink.objects.count() == 1
    refused = client.post(f"{LOG}/1/links", {"kind": "item", "ref": "ACME-99"}, follow=True)
    assert "no backlog item ACME-99 in this workspace" in _text(refused)
    client.post(f"{LOG}/1/links/remove", {"target": f"item:{item.key}"})
    assert DecisionLink.objects.count() == 0
    client.post(f"{LOG}/1/supersede", {"by": "2"})
    assert Decision.objects.get(number=1).superseded_by == Decision.objects.get(number=2)
    kept = client.post(f"{LOG}/2/delete", follow=True)
    assert "supersedes ACME-D1" in _text(kept)
    assert client.post(f"{LOG}/1/delete").status_code == 302
    assert Decision.objects.filter(number=1).count() == 0


def test_record_a_decision_from_an_item_and_a_problem(
    owner: Persona, product: Product, item: BacklogItem, problem: Problem
) -> None:
    client = _as(owner)
    item_page = f"/w/acme/items/{item.key}"
    assert "Record a decision" in _text(client.get(item_page))
    answer = client.post(
        "/w/acme/decisions/capture",
        {"target": f"item:{item.key}", "title": "Links only", "decision": "No guests",
         "status": "decided"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert answer["Location"] == item_page + "#decisions"
    page = _text(client.get(item_page))
    assert 'data-testid="object-decision"' in page
    assert "ACME-D1 Links only" in page
    problem_page = f"/w/acme/problems/{problem.pk}"
    answer = client.post(
        "/w/acme/decisions/capture",
        {"target": f"problem:{problem.pk}", "title": "Ask customers first", "status": "proposed"},
    )
    assert answer.status_code == 302
    page = _text(client.get(problem_page, follow=True))
    assert "ACME-D2 Ask customers first" in page
    assert "Proposed" in page
    empty = client.post(
        "/w/acme/decisions/capture", {"target": f"item:{item.key}", "title": ""}, follow=True
    )
    assert "The decision was not recorded" in _text(empty)
    assert Decision.objects.count() == 2


def test_viewers_read_the_log_and_write_nothing(
    owner: Persona, viewer: Persona, product: Product, item: BacklogItem
) -> None:
    _decided(owner, product, "Share by link", links=[f"item:{item.key}"])
    client = _as(viewer)
    assert client.get(f"{LOG}/1").status_code == 200
    assert "Record a decision" not in _text(client.get(LOG))
    assert "Record a decision" not in _text(client.get(f"/w/acme/items/{item.key}"))
    assert client.get(f"{LOG}/new").status_code == 403
    answer = client.post(
        "/w/acme/decisions/capture", {"target": f"item:{item.key}", "title": "Mine"}, follow=True
    )
    assert "Viewers can read the decision log" in _text(answer)
    assert Decision.objects.count() == 1


def test_another_workspace_sees_nothing(
    outsider: Persona, owner: Persona, product: Product
) -> None:
    _decided(owner, product, "Share by link")
    assert _as(outsider).get(f"{LOG}/1").status_code == 404


def test_a_metric_page_shows_its_decisions_and_records_one(
    owner: Persona, product: Product
) -> None:
    from lodestar.outcomes import services as outcomes

    outcomes.metric_create(
        actor=owner.actor, product=product, key="activation", name="Activation", direction="higher"
    )
    client = _as(owner)
    answer = client.post(
        "/w/acme/decisions/capture",
        {"target": "metric:ACME/activation", "title": "Activation is the north star",
         "status": "decided"},
    )  # fmt: skip
    assert answer.status_code == 302
    page = _text(client.get(answer["Location"].split("#")[0]))
    assert 'data-testid="object-decision"' in page
    assert "ACME-D1 Activation is the north star" in page
