"""The outcome pages: the success criteria section on a release's and an epic's page, the form
that sets one (bad input shown on the form with what was typed kept), evaluating on demand,
a product's reviews, one review with its chart, and concluding it in one step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.discovery import services as discovery
from lodestar.outcomes import services
from lodestar.outcomes.models import Metric, OutcomeReview, SuccessCriterion
from lodestar.releases import services as releases
from lodestar.releases.models import Release
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item
from tests.conftest import Persona

__all__ = ["make_item"]

pytestmark = pytest.mark.django_db

O = "/w/acme/outcomes/ACME"  # noqa: E741 - the outcome pages' root, as the URLs spell it


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def release(owner: Persona, product: Product, make_item: MakeItem) -> Release:
    made = releases.release_create(actor=owner.actor, product=product, name="2026.1")
    releases.release_items_add(actor=owner.actor, release=made, items=[make_item("Faster")])
    return made


def _release_url(release: Release) -> str:
    return f"/w/acme/releases/ACME/{release.pk}"


def test_set_a_criterion_from_the_release_page(
    client: Client, owner: Persona, metric: Metric, release: Release
) -> None:
    _as(client, owner)
    page = _text(client.get(_release_url(release)))
    assert "Success criteria" in page
    assert "No success criterion yet" in page
    assert f"{O}/criteria/new?release={release.pk}" in page
    form = client.get(f"{O}/criteria/new?release={release.pk}")
    assert form.status_code == 200
    assert "Checkout conversion (conversion)" in _text(form)
    bad = client.post(
        f"{O}/criteria/new",
        {
            "release": release.pk,
            "metric": "conversion",
            "target_kind": "relative",
            "target": "five",
            "baseline": "",
            "baseline_window_days": "28",
            "evaluation_window_days": "2",
        },
    )
    assert bad.status_code == 422
    text = _text(bad)
    assert "Must be a number (&#x27;five&#x27; is not)." in text
    assert 'value="five"' in text
    assert not SuccessCriterion.objects.exists()
    good = client.post(
        f"{O}/criteria/new",
        {
            "release": release.pk,
            "metric": "conversion",
            "target_kind": "relative",
            "target": "5",
            "baseline": "",
            "baseline_window_days": "28",
            "evaluation_window_days": "21",
        },
    )
    assert good.status_code == 302
    assert good["Location"] == f"{_release_url(release)}#success-criteria"
    page = _text(client.get(_release_url(release)))
    assert "Checkout conversion +5% on its baseline" in page
    assert "measured over the 21 days after" in page
    assert 'data-check="success_criteria"' in page


def test_the_form_needs_a_release_or_epic_of_the_product(
    client: Client, owner: Persona, metric: Metric, make_item: MakeItem
) -> None:
    _as(client, owner)
    assert client.get(f"{O}/criteria/new").status_code == 404
    assert client.get(f"{O}/criteria/new?release=99999").status_code == 404
    assert client.get(f"{O}/criteria/new?item=ACME-999").status_code == 404
    epic = make_item("Exports", kind="epic")
    assert client.get(f"{O}/criteria/new?item={epic.key}").status_code == 200
    story = make_item("A story")
    refused = client.post(
        f"{O}/criteria/new",
        {
            "item": story.key,
            "metric": "conversion",
            "target_kind": "absolute",
            "target": "3",
            "baseline_window_days": "28",
            "evaluation_window_days": "28",
        },
    )
    assert refused.status_code == 422
    assert "success criteria are set on releases and epics" in _text(refused)


def test_viewers_see_criteria_and_outcomes_but_no_forms(
    client: Client, owner: Persona, viewer: Persona, metric: Metric, release: Release
) -> None:
    services.criterion_create(
        actor=owner.actor,
        product=release.product,
        metric=metric,
        release=release,
        target=5,
        target_kind="relative",
    )
    _as(client, viewer)
    page = _text(client.get(_release_url(release)))
    assert "Checkout conversion +5% on its baseline" in page
    assert "Set a success criterion" not in page
    assert "Evaluate now" not in page
    assert client.get(f"{O}/criteria/new?release={release.pk}").status_code == 403


def _missed(owner: Persona, metric: Metric, release: Release) -> OutcomeReview:
    product = release.product
    services.criterion_create(
        actor=owner.actor,
        product=product,
        metric=metric,
        release=release,
        target=50,
        target_kind="relative",
        evaluation_window_days=7,
    )
    releases.release_go_live(actor=owner.actor, release=release, force=True, reason="Now")
    live = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)
    Release.objects.filter(pk=release.pk).update(went_live_at=live)
    first = live.date() - dt.timedelta(days=28)
    services.samples_push(
        actor=owner.actor,
        metric=metric,
        samples=[
            {
                "at": dt.datetime.combine(
                    first + dt.timedelta(days=n), dt.time(12), tzinfo=dt.UTC
                ).isoformat(),
                "value": 3.0 + (0.05 if n % 2 else -0.05),
            }
            for n in range(36)
            if n != 28
        ],
    )
    services.outcomes_evaluate_due(now=live + dt.timedelta(days=9))
    return OutcomeReview.objects.get()


def test_a_review_page_shows_the_verdict_figures_and_chart(
    client: Client, owner: Persona, metric: Metric, release: Release
) -> None:
    review = _missed(owner, metric, release)
    _as(client, owner)
    listing = _text(client.get(O))
    assert "Checkout conversion +50% on its baseline" in listing
    assert 'class="badge oc-missed"' in listing
    assert "Checkout conversion +50%" not in _text(client.get(f"{O}?verdict=met"))
    page = _text(client.get(f"{O}/{review.pk}"))
    assert 'data-testid="outcome-verdict">Missed' in page
    assert "Welch" in page
    assert "<svg" in page
    assert "Baseline window" in page
    assert client.get(f"{O}/99999").status_code == 404
    release_page = _text(client.get(_release_url(release)))
    assert f"{O}/{review.pk}" in release_page


def test_conclude_a_review_in_one_step_and_keep_input_on_error(
    client: Client, owner: Persona, metric: Metric, release: Release
) -> None:
    problem = discovery.problem_create(actor=owner.actor, title="Slow", product=release.product)
    discovery.problem_items_link(
        actor=owner.actor, problem=problem, items=[release.entries.get().item]
    )
    review = _missed(owner, metric, release)
    _as(client, owner)
    bad = client.post(
        f"{O}/{review.pk}/conclude",
        {
            "version": review.version,
            "learnings": "Keep me",
            "follow_ups": "Good\n" + "x" * 600,
            "problem": problem.pk,
            "problem_status": "solving",
        },
    )
    assert bad.status_code == 422
    assert "Keep me" in _text(bad)
    assert review.follow_ups.count() == 0
    done = client.post(
        f"{O}/{review.pk}/conclude",
        {
            "version": review.version,
            "learnings": "The tail did not move.",
            "follow_ups": "Cache tiles\n\nMeasure per tile",
            "problem": problem.pk,
            "problem_status": "solving",
        },
    )
    assert done.status_code == 302
    page = _text(client.get(f"{O}/{review.pk}"))
    assert "The tail did not move." in page
    assert "Cache tiles" in page
    assert "Measure per tile" in page
    problem.refresh_from_db()
    assert problem.status == "solving"
    assert set(
        BacklogItem.objects.filter(labels__name="outcome-follow-up").values_list("title", flat=True)
    ) == {"Cache tiles", "Measure per tile"}
    stale = client.post(
        f"{O}/{review.pk}/conclude", {"version": review.version, "learnings": "Mine"}
    )
    assert stale.status_code == 412
    assert "Mine" in _text(stale)


def test_evaluate_now_from_the_release_page(
    client: Client, owner: Persona, metric: Metric, release: Release
) -> None:
    services.criterion_create(
        actor=owner.actor,
        product=release.product,
        metric=metric,
        release=release,
        target=5,
        target_kind="relative",
    )
    _as(client, owner)
    early = client.post(f"{O}/evaluate", {"release": release.pk}, follow=True)
    assert "gone live" in _text(early)
    releases.release_go_live(actor=owner.actor, release=release, force=True, reason="Now")
    page = _text(client.get(_release_url(release)))
    assert "Evaluate now" in page
    done = client.post(f"{O}/evaluate", {"release": release.pk}, follow=True)
    assert "Evaluated 1 outcome" in _text(done)
    assert OutcomeReview.objects.get().verdict == "pending"


def test_an_epic_page_offers_criteria_and_a_story_page_does_not(
    client: Client, owner: Persona, metric: Metric, make_item: MakeItem
) -> None:
    epic = make_item("Self-serve exports", kind="epic")
    story = make_item("A story")
    services.criterion_create(
        actor=owner.actor,
        product=epic.product,
        metric=metric,
        item=epic,
        target=3.2,
        target_kind="absolute",
    )
    _as(client, owner)
    page = _text(client.get(f"/w/acme/items/{epic.key}"))
    assert 'data-testid="success-criteria"' in page
    assert "Checkout conversion at least 3.2%" in page
    assert "Measured from the day it goes live." in page
    assert 'data-testid="success-criteria"' not in _text(client.get(f"/w/acme/items/{story.key}"))
