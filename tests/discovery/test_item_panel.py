"""The item's panel and page show the problems it solves with their evidence; members link
and unlink problems there; the product owner chooses what reach counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization import services as scoring
from lodestar.backlog.prioritization.models import Score
from lodestar.discovery import services
from lodestar.discovery.models import Customer, Problem, ProblemItem, ProductDiscovery
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.discovery.conftest import Capture

pytestmark = pytest.mark.django_db

PANEL = {"HX-Request": "true", "HX-Target": "item-panel"}
HTMX = {"HX-Request": "true"}


def _as(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


@pytest.fixture
def exports(pm: Persona, customers: dict[str, Customer], capture: Capture) -> Problem:
    problem = services.problem_create(actor=pm.actor, title="Exports are slow")
    for name in ("globex", "initech"):
        feedback = capture("The export takes forever.", customer=customers[name])
        services.insight_create(
            actor=pm.actor, feedback=feedback, quote="takes forever", problems=[problem]
        )
    return problem


def test_the_panel_shows_the_problems_with_their_evidence(
    pm: Persona, viewer: Persona, make_item: Any, exports: Problem
) -> None:
    item = make_item("Faster exports")
    services.problem_items_link(actor=pm.actor, problem=exports, items=[item])
    panel = _as(pm).get(f"/w/acme/items/{item.key}", headers=PANEL)
    assert panel.status_code == 200
    html = panel.content.decode()
    assert 'data-testid="item-problems"' in html
    assert "Exports are slow" in html
    assert "2 customers" in html
    assert "USD 129k ARR" in html  # Globex 120,000 + Initech 9,000, each once
    assert "2 insights" in html
    assert "2 customers behind &#x27;Exports are slow&#x27;" in html
    assert "Link a problem" in html
    # The item's own page shows it too; a viewer reads it without the forms.
    page = _as(viewer).get(f"/w/acme/items/{item.key}").content.decode()
    assert "Exports are slow" in page
    assert "Link a problem" not in page
    assert "Unlink" not in page


def test_a_problem_title_is_escaped(pm: Persona, make_item: Any) -> None:
    item = make_item("Faster exports")
    problem = services.problem_create(actor=pm.actor, title="<script>alert(1)</script>")
    services.problem_items_link(actor=pm.actor, problem=problem, items=[item])
    html = _as(pm).get(f"/w/acme/items/{item.key}", headers=PANEL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_search_link_and_unlink_from_the_panel(
    pm: Persona, make_item: Any, exports: Problem, product: Product
) -> None:
    item = make_item("Faster exports")
    client = _as(pm)
    found = client.get(
        f"/w/acme/items/{item.key}/problems/search", {"q": "export SLOW"}, headers=HTMX
    )
    assert found.status_code == 200
    assert "Exports are slow" in found.content.decode()
    assert "2 customers" in found.content.decode()
    nothing = client.get(
        f"/w/acme/items/{item.key}/problems/search", {"q": "billing"}, headers=HTMX
    )
    assert "No problem not yet linked" in nothing.content.decode()

    linked = client.post(
        f"/w/acme/items/{item.key}/problems/link",
        {"problem": exports.pk, "panel": "1"},
        headers=HTMX,
    )
    # The answer is the section itself, re-rendered for the panel, swapped in place; the list
    # refreshes at once and the item's view (flag, score) after the swap.
    assert linked.status_code == 200
    section = linked.content.decode()
    assert 'id="problems"' in section
    assert "Exports are slow" in section
    assert "2 customers" in section
    assert "<h3" in section
    assert "?panel=1" in section
    assert linked["HX-Trigger"] == "backlog-changed"
    assert linked["HX-Trigger-After-Settle"] == "problems-changed"
    assert ProblemItem.objects.filter(problem=exports, item=item).exists()
    # Once linked, the search no longer offers it.
    again = client.get(f"/w/acme/items/{item.key}/problems/search", {"q": "export"}, headers=HTMX)
    assert "Exports are slow" not in again.content.decode()

    unlinked = client.post(f"/w/acme/items/{item.key}/problems/{exports.pk}/unlink", headers=HTMX)
    assert unlinked.status_code == 200
    # On the item's own page (no panel flag): the section's heading is a level higher.
    assert "Solves no customer problem yet." in unlinked.content.decode()
    assert "<h2" in unlinked.content.decode()
    assert unlinked["HX-Trigger"] == "backlog-changed"
    assert not ProblemItem.objects.filter(item=item).exists()
    # Without scripts, a plain form goes back to the item's page.
    plain = client.post(f"/w/acme/items/{item.key}/problems/link", {"problem": exports.pk})
    assert plain.status_code == 302
    assert plain["Location"] == f"/w/acme/items/{item.key}"


def test_bad_links_say_what_to_fix_and_change_nothing(
    pm: Persona, viewer: Persona, make_item: Any, exports: Problem, outsider: Persona
) -> None:
    item = make_item("Faster exports")
    client = _as(pm)
    empty = client.post(f"/w/acme/items/{item.key}/problems/link", {"problem": ""}, headers=HTMX)
    assert empty.status_code == 422
    assert "choose a problem to link" in empty.content.decode()
    # Shown under the search box, never in place of the section.
    assert empty["HX-Retarget"] == f"#ip-results-{item.key}"
    unknown = client.post(
        f"/w/acme/items/{item.key}/problems/link", {"problem": "999999"}, headers=HTMX
    )
    assert unknown.status_code == 404
    missing_item = client.post("/w/acme/items/ACME-999/problems/link", {"problem": exports.pk})
    assert missing_item.status_code == 404
    refused = _as(viewer).post(
        f"/w/acme/items/{item.key}/problems/link", {"problem": exports.pk}, headers=HTMX
    )
    assert refused.status_code == 403
    # Another workspace's member sees nothing of it.
    other = _as(outsider).post(f"/w/acme/items/{item.key}/problems/link", {"problem": exports.pk})
    assert other.status_code == 404
    assert not ProblemItem.objects.exists()


def test_linking_unflags_the_item_and_its_derived_score_follows(
    pm: Persona,
    po: Persona,
    make_item: Any,
    exports: Problem,
    django_capture_on_commit_callbacks: Any,
) -> None:
    item: BacklogItem = make_item("Faster exports")
    client = _as(pm)
    before = client.get(f"/w/acme/items/{item.key}", headers=PANEL).content.decode()
    assert 'data-testid="flag"' in before
    scoring.score_set(
        actor=po.actor,
        item=item,
        framework="rice",
        inputs={"impact": 1, "confidence": 100, "effort": 1},
        derived=["reach"],
    )
    assert Score.objects.get(item=item).inputs["reach"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/w/acme/items/{item.key}/problems/link", {"problem": exports.pk}, headers=HTMX
        )
    after = client.get(f"/w/acme/items/{item.key}", headers=PANEL).content.decode()
    assert 'data-testid="flag"' not in after
    score = Score.objects.get(item=item)
    assert score.inputs["reach"] == 2
    assert score.value == 2
    assert "from evidence: 2 customers behind &#x27;Exports are slow&#x27;" in after


def test_the_score_form_offers_reach_from_evidence(
    po: Persona, make_item: Any, exports: Problem, pm: Persona
) -> None:
    item = make_item("Faster exports")
    services.problem_items_link(actor=pm.actor, problem=exports, items=[item])
    client = _as(po)
    html = client.get(f"/w/acme/items/{item.key}", headers=PANEL).content.decode()
    assert "Reach from the linked problems&#x27; evidence" in html
    saved = client.post(
        f"/w/acme/items/{item.key}/score",
        {
            "framework": "rice",
            "panel": "1",
            "rice-reach": "",
            "rice-reach_from_evidence": "on",
            "rice-impact": "2",
            "rice-confidence": "50",
            "rice-effort": "1",
        },
        headers=HTMX,
    )
    assert saved.status_code == 200, saved.content.decode()[:2000]
    score = Score.objects.get(item=item)
    assert score.reach_from_evidence
    assert score.inputs["reach"] == 2
    assert re.search(r'name="rice-reach_from_evidence"[^>]*checked', saved.content.decode())


def test_the_panel_costs_the_same_with_more_problems(
    pm: Persona, make_item: Any, customers: dict[str, Customer], capture: Capture
) -> None:
    item = make_item("Faster exports")
    client = _as(pm)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/w/acme/items/{item.key}", headers=PANEL).status_code == 200
        return len(queries)

    first = services.problem_create(actor=pm.actor, title="Problem 0")
    services.problem_items_link(actor=pm.actor, problem=first, items=[item])
    count()  # the first request of a session also writes the session
    one = count()
    for number in range(1, 6):
        problem = services.problem_create(actor=pm.actor, title=f"Problem {number}")
        services.problem_items_link(actor=pm.actor, problem=problem, items=[item])
        for customer in customers.values():
            feedback = capture("Slow.", customer=customer)
            services.insight_create(
                actor=pm.actor, feedback=feedback, quote="Slow.", problems=[problem]
            )
    assert count() == one


def test_the_product_owner_chooses_what_reach_counts(
    po: Persona, developer: Persona, product: Product
) -> None:
    url = "/w/acme/products/ACME/discovery"
    page = _as(developer).get(url)
    assert page.status_code == 200
    assert "Only its product owner" in page.content.decode()
    refused = _as(developer).post(url, {"reach_from": "contacts", "version": "0"})
    assert refused.status_code == 403
    assert not ProductDiscovery.objects.exists()
    client = _as(po)
    bad = client.post(url, {"reach_from": "everyone", "version": "0"})
    assert bad.status_code == 422
    assert "Reach from: must be one of customers, contacts" in bad.content.decode()
    saved = client.post(url, {"reach_from": "contacts", "version": "0"})
    assert saved.status_code == 302
    assert ProductDiscovery.objects.get(product=product).reach_from == "contacts"
    stale = client.post(url, {"reach_from": "customers", "version": "0"})
    assert stale.status_code == 412
    assert ProductDiscovery.objects.get(product=product).reach_from == "contacts"
