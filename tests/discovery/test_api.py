"""The discovery API: the evidence object, newest-first lists, bad input, other workspaces."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.utils import timezone

from lodestar.discovery import services
from lodestar.discovery.models import Customer, Feedback, Insight
from tests.conftest import Persona
from tests.discovery.conftest import Capture

ApiClient = Callable[[Persona], Client]
BASE = "/api/v1/workspaces/acme"


def _send(client: Client, method: str, url: str, body: Any) -> Any:
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def test_from_feedback_to_a_problem_with_evidence(
    api_client: ApiClient, pm: Persona, customers: dict[str, Customer], make_item: Any
) -> None:
    client = api_client(pm)
    text = "Honestly the CSV export takes ten minutes and times out."
    created = _send(
        client,
        "POST",
        f"{BASE}/feedback",
        {"text": text, "customer": "crm-1", "source": "interview", "tags": ["Export"]},
    )
    assert created.status_code == 201, created.content
    feedback = created.json()
    assert feedback["customer"] == {"id": customers["globex"].pk, "name": "Globex"}
    assert feedback["tags"] == ["export"]
    assert feedback["state"] == "new"
    problem = _send(client, "POST", f"{BASE}/problems", {"title": "Exports are slow"}).json()
    assert problem["evidence"]["customers"] == 0
    start = text.index("CSV")
    insight = _send(
        client,
        "POST",
        f"{BASE}/insights",
        {
            "feedback": feedback["id"],
            "start": start,
            "end": start + len("CSV export takes ten minutes"),
            "problems": [problem["id"]],
        },
    )
    assert insight.status_code == 201, insight.content
    assert insight.json()["quote"] == "CSV export takes ten minutes"
    got = client.get(f"{BASE}/problems/{problem['id']}").json()
    evidence = got["evidence"]
    assert evidence["customers"] == 1
    assert evidence["insights"] == 1
    assert evidence["arr"] == "120000.00"
    assert evidence["currency"] == "USD"
    assert evidence["segments"] == [{"segment": "Enterprise", "customers": 1, "arr": "120000.00"}]
    assert len(evidence["trend"]) == 13
    assert evidence["trend"][-1]["insights"] == 1
    assert client.get(f"{BASE}/feedback/{feedback['id']}").json()["state"] == "triaged"
    item = make_item("Faster export")
    linked = _send(client, "POST", f"{BASE}/problems/{problem['id']}/items", {"items": [item.key]})
    assert linked.status_code == 200, linked.content
    assert [i["key"] for i in linked.json()] == [item.key]
    assert client.get(f"{BASE}/items/{item.key}").json()["flagged"] is False


def test_feedback_is_listed_newest_first_across_pages(
    api_client: ApiClient, pm: Persona, capture: Capture
) -> None:
    now = timezone.now()
    for days in (5, 1, 3, 2, 4):
        capture(text=f"{days} days ago", received_at=now - dt.timedelta(days=days))
    client = api_client(pm)
    first = client.get(f"{BASE}/feedback?limit=2").json()
    assert [f["text"] for f in first["items"]] == ["1 days ago", "2 days ago"]
    rest = client.get(f"{BASE}/feedback?limit=10&cursor={first['next_cursor']}").json()
    assert [f["text"] for f in rest["items"]] == ["3 days ago", "4 days ago", "5 days ago"]
    assert rest["next_cursor"] is None
    bad = client.get(f"{BASE}/feedback?cursor=bm9wZQ")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"


def test_bad_input_names_the_field_and_writes_nothing(
    api_client: ApiClient, pm: Persona, customers: dict[str, Customer]
) -> None:
    client = api_client(pm)
    cases = [
        ("feedback", {"text": "hi", "customer": "Nobody Inc"}, "customer"),
        ("feedback", {"text": "hi", "source": "tweet"}, "source"),
        ("feedback", {"text": "hi", "participants": ["ghost@example.com"]}, "participants[0]"),
        ("feedback", {"text": "hi", "received_at": "2999-01-01"}, "received_at"),
        ("customers", {"name": "X", "arr": "-3"}, "arr"),
        ("customers", {"name": "X", "arr": "12.345"}, "arr"),
        ("insights", {"feedback": 999999, "quote": "x"}, "feedback"),
        ("problems", {"title": ""}, "title"),
        ("problems", {"title": "T", "owner": "ghost@example.com"}, "owner"),
    ]
    for kind, body, field in cases:
        response = _send(client, "POST", f"{BASE}/{kind}", body)
        assert response.status_code == 422, (kind, body, response.content)
        assert response["Content-Type"] == "application/problem+json"
        fields = [e["field"] for e in response.json()["errors"]]
        assert any(f == field or f.endswith(f".{field}") for f in fields), (body, fields)
    assert not Feedback.objects.exists()
    assert Customer.objects.count() == 3


def test_other_workspaces_objects_are_not_found(
    api_client: ApiClient,
    pm: Persona,
    outsider: Persona,
    customers: dict[str, Customer],
) -> None:
    theirs = services.customer_create(actor=outsider.actor, name="Theirs")
    their_feedback = services.feedback_create(actor=outsider.actor, text="Secret", customer=theirs)
    their_problem = services.problem_create(actor=outsider.actor, title="Their problem")
    client = api_client(pm)
    assert client.get(f"{BASE}/customers/{theirs.pk}").status_code == 404
    assert client.get(f"{BASE}/feedback/{their_feedback.pk}").status_code == 404
    assert client.get(f"{BASE}/problems/{their_problem.pk}").status_code == 404
    # Naming them in a body is bad input, never a link across workspaces.
    merge = _send(
        client, "POST", f"{BASE}/customers/{customers['hooli'].pk}/merge", {"into": theirs.pk}
    )
    assert merge.status_code == 422
    insight = _send(
        client, "POST", f"{BASE}/insights", {"feedback": their_feedback.pk, "quote": "Secret"}
    )
    assert insight.status_code == 422
    mine = services.feedback_create(actor=pm.actor, text="Mine")
    link = _send(
        client,
        "POST",
        f"{BASE}/insights",
        {"feedback": mine.pk, "quote": "Mine", "problems": [their_problem.pk]},
    )
    assert link.status_code == 422
    assert link.json()["errors"][0]["field"] == "problems[0]"
    assert not Insight.objects.exists()
    assert Customer.all_objects.filter(pk=customers["hooli"].pk, deleted_at__isnull=True).exists()


def test_problem_list_reads_evidence_in_a_fixed_number_of_queries(
    api_client: ApiClient,
    pm: Persona,
    customers: dict[str, Customer],
    capture: Capture,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(6):
        problem = services.problem_create(actor=pm.actor, title=f"Problem {n}")
        services.insight_create(
            actor=pm.actor,
            feedback=capture(customer=customers["initech"]),
            quote="q",
            problems=[problem],
        )
    client = api_client(pm)
    client.get(f"{BASE}/problems")
    with django_assert_max_num_queries(9):
        body = client.get(f"{BASE}/problems?limit=6").json()
    assert [p["evidence"]["customers"] for p in body["items"]] == [1] * 6
