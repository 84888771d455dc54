"""The product risks section on a problem's and an epic's page, and the experiment pages:
what each persona sees and may do, and bad input answered with what to fix."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.discovery import risk_services as services
from lodestar.discovery import services as discovery
from lodestar.discovery.models import Problem
from lodestar.discovery.risk_models import Experiment, ProductRisk
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.conftest import Persona


def _as(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def _page(response: Any) -> str:
    return str(response.content.decode())


def _risk(page: str, kind: str) -> str:
    """The part of ``page`` that shows one risk (its list entry, its form in it)."""
    return page.split(f'data-testid="risk-{kind}"', 1)[1].split("</li>", 1)[0]


@pytest.fixture
def product(owner: Persona) -> Product:
    return strategy.product_create(actor=owner.actor, key="ACME", name="Acme Analytics")


@pytest.fixture
def problem(pm: Persona, product: Product) -> Problem:
    return discovery.problem_create(actor=pm.actor, title="Exports are slow", product=product)


@pytest.fixture
def epic(pm: Persona, product: Product) -> BacklogItem:
    return backlog.item_create(actor=pm.actor, product=product, title="Exports", kind="epic")


def test_the_problem_page_shows_the_four_risks_and_sets_one(pm: Persona, problem: Problem) -> None:
    client = _as(pm)
    url = f"/w/acme/problems/{problem.pk}"
    page = _page(client.get(url))
    assert 'data-testid="product-risks"' in page
    for label in ("Value", "Usability", "Feasibility", "Business viability"):
        assert f"<strong>{label}</strong>" in page
    assert "Plan an experiment" in page
    response = client.post(
        f"{url}/risks/value", {"status": "testing", "note": "Booked **five** calls", "version": 0}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}#risks"
    page = _page(client.get(url))
    assert "<strong>five</strong>" in page
    assert ProductRisk.objects.get().status == "testing"


def test_addressed_without_evidence_says_what_to_fix(pm: Persona, problem: Problem) -> None:
    client = _as(pm)
    url = f"/w/acme/problems/{problem.pk}"
    response = client.post(f"{url}/risks/value", {"status": "addressed", "version": 0}, follow=True)
    assert "The value risk was not changed." in _page(response)
    assert "write the evidence, or choose the experiment" in _page(response)
    assert not ProductRisk.objects.exists()


def test_a_refused_risk_keeps_what_was_typed_open_with_the_error_beside_it(
    pm: Persona, problem: Problem
) -> None:
    client = _as(pm)
    url = f"/w/acme/problems/{problem.pk}"
    # Addressed by an experiment that does not exist: refused, and nothing saved.
    response = client.post(
        f"{url}/risks/usability",
        {"status": "addressed", "note": "Five of <b>eight</b> found it", "experiment": 999_999},
        follow=True,
    )
    page = _page(response)
    assert "The usability risk was not changed." in page
    assert not ProductRisk.objects.exists()
    section = _risk(page, "usability")
    assert '<details class="rk-edit" open>' in section
    assert 'data-testid="risk-draft-error"' in section
    assert "Five of &lt;b&gt;eight&lt;/b&gt; found it</textarea>" in section
    assert '<option value="addressed" selected>' in section
    # The other risks' forms are as they were, and the draft is shown once.
    other = _risk(page, "value")
    assert "risk-draft-error" not in other
    assert '<option value="unknown" selected>' in other
    assert "risk-draft-error" not in _page(client.get(url))


def test_a_risk_changed_meanwhile_keeps_the_evidence_typed(pm: Persona, problem: Problem) -> None:
    client = _as(pm)
    url = f"/w/acme/problems/{problem.pk}"
    services.risk_set(actor=pm.actor, subject=problem, kind="value", status="testing", note="Old")
    response = client.post(
        f"{url}/risks/value",
        {"status": "addressed", "note": "Seven of ten would pay", "version": 0},
        follow=True,
    )
    page = _page(response)
    assert "Someone else changed the value risk meanwhile: yours is kept in its form" in page
    assert "Change it again" not in page
    section = _risk(page, "value")
    assert "Seven of ten would pay</textarea>" in section
    assert "Save it again to replace theirs." in section
    assert ProductRisk.objects.get().note == "Old"
    version = ProductRisk.objects.get().version
    assert f'name="version" value="{version}"' in section
    client.post(
        f"{url}/risks/value",
        {"status": "addressed", "note": "Seven of ten would pay", "version": version},
    )
    assert ProductRisk.objects.get().note == "Seven of ten would pay"


def test_viewers_read_the_risks_but_get_no_forms_and_cannot_post(
    viewer: Persona, problem: Problem
) -> None:
    client = _as(viewer)
    url = f"/w/acme/problems/{problem.pk}"
    page = _page(client.get(url))
    assert 'data-testid="product-risks"' in page
    assert "risks/value" not in page
    response = client.post(f"{url}/risks/value", {"status": "testing", "version": 0})
    assert response.status_code == 403
    assert not ProductRisk.objects.exists()


def test_outsiders_get_404(outsider: Persona, problem: Problem) -> None:
    response = _as(outsider).post(
        f"/w/acme/problems/{problem.pk}/risks/value", {"status": "testing"}
    )
    assert response.status_code == 404


def test_an_epic_shows_its_risks_and_a_story_does_not(
    pm: Persona, product: Product, epic: BacklogItem
) -> None:
    story = backlog.item_create(actor=pm.actor, product=product, title="CSV", parent=epic)
    client = _as(pm)
    assert 'data-testid="product-risks"' in _page(client.get(f"/w/acme/items/{epic.key}"))
    assert 'data-testid="product-risks"' not in _page(client.get(f"/w/acme/items/{story.key}"))
    response = client.post(
        f"/w/acme/items/{story.key}/risks/value", {"status": "testing"}, follow=True
    )
    assert "product risks are tracked on problems and epics" in _page(response)
    client.post(f"/w/acme/items/{epic.key}/risks/usability", {"status": "testing", "version": 0})
    assert ProductRisk.objects.get(item=epic).kind == "usability"


def test_plan_an_experiment_from_a_problem_then_conclude_it(pm: Persona, problem: Problem) -> None:
    client = _as(pm)
    form = _page(client.get(f"/w/acme/experiments/new?problem={problem.pk}"))
    assert "It will be linked to the problem" in form
    bad = client.post(
        "/w/acme/experiments/new",
        {
            "problem": problem.pk,
            "product": "ACME",
            "title": "",
            "method": "survey",
            "status": "planned",
        },
    )
    assert bad.status_code == 422
    assert not Experiment.objects.exists()
    created = client.post(
        "/w/acme/experiments/new",
        {
            "problem": problem.pk,
            "product": "ACME",
            "title": "Export survey",
            "method": "survey",
            "status": "running",
            "success_signal": "Half say weekly",
        },
    )
    assert created.status_code == 302
    experiment = Experiment.objects.get()
    assert list(experiment.problems.all()) == [problem]
    url = f"/w/acme/experiments/{experiment.pk}"
    edit = {
        "title": "Export survey",
        "method": "survey",
        "status": "concluded",
        "result": "",
        "version": experiment.version,
    }
    refused = client.post(url, edit)
    assert refused.status_code == 422
    assert "A concluded experiment needs its result" in _page(refused)
    assert client.post(url, {**edit, "result": "validated"}).status_code == 302
    experiment.refresh_from_db()
    assert experiment.result == "validated"
    listed = _page(client.get("/w/acme/experiments?product=ACME&status=concluded"))
    assert "Export survey" in listed
    assert 'data-testid="experiment-result"' in listed


def test_experiment_links_from_its_page(
    pm: Persona, viewer: Persona, product: Product, problem: Problem, epic: BacklogItem
) -> None:
    experiment = services.experiment_create(actor=pm.actor, product=product, title="Survey")
    client = _as(pm)
    url = f"/w/acme/experiments/{experiment.pk}"
    assert client.post(url + "/links", {"problem": "", "item": ""}).status_code == 422
    unknown = client.post(url + "/links", {"item": "ACME-99"})
    assert unknown.status_code == 422
    assert "No item &#x27;ACME-99&#x27;" in _page(unknown)
    assert client.post(url + "/links", {"problem": problem.pk}).status_code == 302
    assert client.post(url + "/links", {"item": epic.key}).status_code == 302
    page = _page(client.get(url))
    assert "Exports are slow" in page
    assert epic.key in page
    assert client.post(f"{url}/items/{epic.key}/unlink").status_code == 302
    assert list(experiment.items.all()) == []
    assert _as(viewer).post(url + "/links", {"problem": problem.pk}).status_code == 403
