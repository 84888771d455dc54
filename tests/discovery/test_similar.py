"""Similar feedback: capturing feedback suggests the problems and feedback it resembles, so a
duplicate lands on the problem that exists. Judged on messy, real-sounding customer words."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client

from lodestar.core.trash import trash_move
from lodestar.discovery import services
from lodestar.discovery.models import Problem
from lodestar.discovery.selectors import similar_to
from tests.conftest import Persona
from tests.discovery.conftest import Capture

ApiClient = Callable[[Persona], Client]
BASE = "/api/v1/workspaces/acme"

# Review-like words: typos, shouting, emoji, unrelated noise around the point.
HEARD = {
    "Exports are too slow": [
        "csv export takes like 10 min for our monthly report, we just give up and screenshot",
        "Exporting the dashboard to CSV times out every single time!!! 😡",
    ],
    "Can't find old reports": [
        "search never finds the report I made last quarter even when I type its exact name",
        "where did my saved reports go?? searching 'Q3 churn' gives nothing",
    ],
    "Login keeps failing on mobile": [
        "app logs me out every morning on iphone, have to reset password again",
        "android sign in loop after the update, cant get past the login screen",
    ],
}
NOISE = [
    "Love the new colours, great job team",
    "Pricing page is confusing about seats vs users",
    "Onboarding emails arrive in spanish for some reason",
    "Would be nice to have a dark mode",
]


def _seed(pm: Persona, capture: Capture) -> dict[str, int]:
    problems: dict[str, int] = {}
    for title, texts in HEARD.items():
        problem = services.problem_create(actor=pm.actor, title=title)
        problems[title] = problem.pk
        for text in texts:
            feedback = capture(text=text)
            services.insight_create(
                actor=pm.actor, feedback=feedback, quote=text, problems=[problem]
            )
    for text in NOISE:
        capture(text=text)
    return problems


def test_a_near_duplicate_is_offered_its_problem_first(pm: Persona, capture: Capture) -> None:
    problems = _seed(pm, capture)
    cases = {
        "Exports are too slow": "The CSV exprt of the dashboard keeps timing out, takes 10 min",
        "Can't find old reports": "I searched for my Q3 churn report and search found nothing",
        "Login keeps failing on mobile": "iphone app logs me out, login fails every morning",
    }
    for title, text in cases.items():
        found = similar_to(actor=pm.actor, text=text)
        assert found, text
        first = found[0]
        assert (first.kind, first.id) == ("problem", problems[title]), (text, found[:3])
        assert first.shared, "the suggestion says which words it shares"
        assert first.via_quote in HEARD[title]


def test_creating_feedback_answers_what_it_resembles(
    api_client: ApiClient, pm: Persona, capture: Capture
) -> None:
    problems = _seed(pm, capture)
    response = api_client(pm).generic(
        "POST",
        f"{BASE}/feedback",
        json.dumps({"text": "Exporting to CSV times out again, 10 minutes and nothing"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    top = body["similar"][0]
    assert (top["kind"], top["id"]) == ("problem", problems["Exports are too slow"])
    assert "csv" in top["shared"]
    # The new feedback is never suggested to itself; the same answer later by its id.
    assert all(not (s["kind"] == "feedback" and s["id"] == body["id"]) for s in body["similar"])
    later = api_client(pm).get(f"{BASE}/feedback/{body['id']}/similar").json()
    assert [(s["kind"], s["id"]) for s in later] == [(s["kind"], s["id"]) for s in body["similar"]]


def test_words_nobody_used_suggest_nothing(pm: Persona, capture: Capture) -> None:
    _seed(pm, capture)
    assert similar_to(actor=pm.actor, text="xylophone quartz zebra") == []
    # Operators, quotes and unbalanced brackets are just words here.
    assert isinstance(similar_to(actor=pm.actor, text='"csv" OR (export NEAR/2 -slow'), list)


def test_a_trashed_problem_is_not_suggested(pm: Persona, capture: Capture) -> None:
    problems = _seed(pm, capture)
    trash_move(actor=pm.actor, obj=Problem.objects.get(pk=problems["Exports are too slow"]))
    found = similar_to(actor=pm.actor, text="csv export times out")
    assert ("problem", problems["Exports are too slow"]) not in [(s.kind, s.id) for s in found]
