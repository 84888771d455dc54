"""The portal's moderation API (the queue, accepting and rejecting, publishing and the public
status of ideas, linking ideas to problems) and the item's problems: answers, conventions
(cursors, ETags, If-Match, Idempotency-Key, problem+json) and bad input writing nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.discovery import services
from lodestar.discovery.models import Feedback, FeedbackState, Problem, ProblemStatus
from lodestar.discovery.portal_links import idea_problem_link
from lodestar.discovery.portal_models import (
    IdeaStatus,
    PortalIdea,
    PortalSubmission,
    PortalVote,
    SubmissionState,
)
from lodestar.discovery.portal_moderation import idea_create
from lodestar.discovery.portal_moderation_api import IdeaStatusName, SubmissionStateName
from lodestar.discovery.portal_services import portal_update
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.conftest import Persona

ApiClient = Callable[[Persona], Client]
W = "/api/v1/workspaces/acme"
PORTAL = W + "/products/ACME/portal"


def _send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(url, data, content_type="application/json", headers=headers)


def _queued(product: Product, title: str, *, state: str = SubmissionState.QUEUED) -> Any:
    feedback = Feedback.objects.create(
        workspace_id=product.workspace_id,
        product=product,
        text=title,
        text_html=f"<p>{title}</p>",
        source="portal",
        received_at=timezone.now(),
    )
    return PortalSubmission.objects.create(
        workspace_id=product.workspace_id,
        product=product,
        title=title,
        description="Please",
        email=f"{title.lower().replace(' ', '.')}@example.com",
        state=state,
        confirmed_at=None if state == SubmissionState.UNCONFIRMED else timezone.now(),
        feedback=feedback,
    )


@pytest.fixture
def opened(po: Persona, product: Product) -> Product:
    portal_update(actor=po.actor, product=product, enabled=True)
    return product


@pytest.fixture
def exports(pm: Persona) -> Problem:
    return services.problem_create(actor=pm.actor, title="Exports time out")


@pytest.fixture
def client(api_client: ApiClient, pm: Persona) -> Client:
    return api_client(pm)


def test_the_literals_match_the_models() -> None:
    assert set(IdeaStatusName.__args__) == set(IdeaStatus.values)  # type: ignore[attr-defined]
    confirmed = set(SubmissionState.values) - {SubmissionState.UNCONFIRMED}
    assert set(SubmissionStateName.__args__) == confirmed  # type: ignore[attr-defined]


# -- the queue -------------------------------------------------------------------------------------


def test_the_queue_pages_by_cursor_and_filters_by_state(client: Client, opened: Product) -> None:
    titles = [f"Idea {n}" for n in range(5)]
    for title in titles:
        _queued(opened, title)
    _queued(opened, "Still unconfirmed", state=SubmissionState.UNCONFIRMED)
    _queued(opened, "Said no", state=SubmissionState.REJECTED)
    first = client.get(PORTAL + "/submissions", {"limit": 3})
    assert first.status_code == 200
    page = first.json()
    assert [s["title"] for s in page["items"]] == titles[:3]
    assert page["items"][0]["email"] == "idea.0@example.com"
    assert page["items"][0]["state"] == "queued"
    second = client.get(PORTAL + "/submissions", {"limit": 3, "cursor": page["next_cursor"]})
    assert [s["title"] for s in second.json()["items"]] == titles[3:]
    assert second.json()["next_cursor"] is None
    rejected = client.get(PORTAL + "/submissions", {"state": "rejected"}).json()["items"]
    assert [s["title"] for s in rejected] == ["Said no"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"state": "unconfirmed"}, "state"),
        ({"state": "maybe"}, "state"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_queue_queries_say_what_to_fix(
    client: Client, opened: Product, query: dict[str, Any], field: str
) -> None:
    answer = client.get(PORTAL + "/submissions", query)
    assert answer.status_code in (400, 422), answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert field in answer.content.decode()


def test_another_product_or_workspace_answers_404(
    api_client: ApiClient, outsider: Persona, client: Client, opened: Product
) -> None:
    submission = _queued(opened, "Dark mode")
    assert client.get(W + "/products/NOPE/portal/submissions").status_code == 404
    foreign = api_client(outsider)
    outside = foreign.get("/api/v1/workspaces/acme/products/ACME/portal/submissions")
    assert outside.status_code == 404
    assert (
        _send(client, "post", W + f"/products/NOPE/portal/submissions/{submission.pk}/reject")
    ).status_code == 404
    submission.refresh_from_db()
    assert submission.state == SubmissionState.QUEUED


# -- accepting and rejecting -----------------------------------------------------------------------


def test_accepting_publishes_a_new_idea_linked_to_a_problem(
    client: Client, opened: Product, exports: Problem, pm: Persona
) -> None:
    services.problem_update(actor=pm.actor, problem=exports, status=ProblemStatus.SOLVING)
    submission = _queued(opened, "Dark mode")
    answer = _send(
        client,
        "post",
        f"{PORTAL}/submissions/{submission.pk}/accept",
        {"title": "A dark theme", "problem": exports.pk},
        **{"Idempotency-Key": "accept-1"},
    )
    assert answer.status_code == 201, answer.content
    idea = answer.json()
    assert (idea["title"], idea["description"], idea["problem"]) == (
        "A dark theme",
        "Please",
        exports.pk,
    )
    assert (idea["status"], idea["status_by_hand"], idea["published"]) == (
        "in_progress",
        False,
        True,
    )
    assert idea["address"] == f"/portal/acme/ACME/ideas/{idea['id']}/"
    assert answer["ETag"] == f'"{idea["version"]}"'
    submission.refresh_from_db()
    assert (submission.state, submission.idea_id) == (SubmissionState.PUBLISHED, idea["id"])
    assert Feedback.objects.get(pk=submission.feedback_id).state == FeedbackState.TRIAGED
    # A retry with the same key gets the same answer and makes no second idea.
    again = _send(
        client,
        "post",
        f"{PORTAL}/submissions/{submission.pk}/accept",
        {"title": "A dark theme", "problem": exports.pk},
        **{"Idempotency-Key": "accept-1"},
    )
    assert again.status_code == 201
    assert again.json()["id"] == idea["id"]
    assert PortalIdea.objects.count() == 1
    # Without the key, a second accept is refused: the submission is decided.
    decided = _send(client, "post", f"{PORTAL}/submissions/{submission.pk}/accept", {})
    assert decided.status_code == 409
    assert decided.json()["code"] == "portal_submission_decided"


def test_accepting_into_an_existing_idea_merges(
    client: Client, opened: Product, pm: Persona, exports: Problem
) -> None:
    target = idea_create(actor=pm.actor, product=opened, title="Dark mode")
    submission = _queued(opened, "Night theme")
    answer = _send(
        client,
        "post",
        f"{PORTAL}/submissions/{submission.pk}/accept",
        {"idea": target.pk, "problem": exports.pk},
    )
    assert answer.status_code == 200, answer.content
    assert (answer.json()["id"], answer.json()["submissions"], answer.json()["problem"]) == (
        target.pk,
        1,
        exports.pk,
    )
    submission.refresh_from_db()
    assert (submission.state, submission.idea_id) == (SubmissionState.MERGED, target.pk)


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"title": ""}, "title", 422),
        ({"title": "x" * 121}, "title", 422),
        ({"description": "x" * 2001}, "description", 422),
        ({"status": "shipped"}, "status", 422),
        ({"problem": 999999}, "problem", 422),
        ({"problem": "seven"}, "problem", 422),
        ({"idea": 999999}, "idea", 422),
        ({"idea": 0}, "idea", 422),
        ({"idea": "MERGE_IDEA", "title": "Reworded"}, "title", 422),
        ({"idea": "MERGE_IDEA", "status": "planned"}, "status", 422),
        ({"surprise": True}, "surprise", 422),
    ],
)
def test_bad_accepts_say_what_to_fix_and_write_nothing(
    client: Client, opened: Product, pm: Persona, body: dict[str, Any], field: str, status: int
) -> None:
    target = idea_create(actor=pm.actor, product=opened, title="Dark mode")
    body = {k: (target.pk if v == "MERGE_IDEA" else v) for k, v in body.items()}
    submission = _queued(opened, "Night theme")
    answer = _send(client, "post", f"{PORTAL}/submissions/{submission.pk}/accept", body)
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert field in [e["field"].split(".")[-1] for e in answer.json()["errors"]], answer.json()
    submission.refresh_from_db()
    assert submission.state == SubmissionState.QUEUED
    assert PortalIdea.objects.count() == 1


def test_accepting_with_another_products_problem_or_idea_is_refused(
    client: Client, opened: Product, pm: Persona, owner: Persona
) -> None:
    beta = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    portal_update(actor=owner.actor, product=beta, enabled=True)
    theirs = services.problem_create(actor=pm.actor, title="Beta's problem", product=beta)
    their_idea = idea_create(actor=pm.actor, product=beta, title="Beta's idea")
    submission = _queued(opened, "Night theme")
    url = f"{PORTAL}/submissions/{submission.pk}/accept"
    wrong_problem = _send(client, "post", url, {"problem": theirs.pk})
    assert wrong_problem.status_code == 422
    assert wrong_problem.json()["errors"][0]["field"] == "problem"
    assert wrong_problem.json()["code"] == "portal_idea_product_mismatch"
    wrong_idea = _send(client, "post", url, {"idea": their_idea.pk})
    assert wrong_idea.status_code == 422
    assert wrong_idea.json()["errors"][0]["field"] == "idea"
    submission.refresh_from_db()
    assert submission.state == SubmissionState.QUEUED
    assert list(PortalIdea.objects.values_list("title", flat=True)) == ["Beta's idea"]


def test_rejecting_archives_the_feedback_once(client: Client, opened: Product) -> None:
    submission = _queued(opened, "Spam")
    answer = _send(client, "post", f"{PORTAL}/submissions/{submission.pk}/reject")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["state"], answer.json()["idea"]) == ("rejected", None)
    assert Feedback.objects.get(pk=submission.feedback_id).state == FeedbackState.ARCHIVED
    again = _send(client, "post", f"{PORTAL}/submissions/{submission.pk}/reject")
    assert again.status_code == 409


def test_viewers_read_the_queue_and_decide_nothing(
    api_client: ApiClient, viewer: Persona, opened: Product
) -> None:
    submission = _queued(opened, "Dark mode")
    reader = api_client(viewer)
    assert reader.get(PORTAL + "/submissions").status_code == 200
    for decision in ("accept", "reject"):
        answer = _send(reader, "post", f"{PORTAL}/submissions/{submission.pk}/{decision}", {})
        assert answer.status_code == 403
    submission.refresh_from_db()
    assert submission.state == SubmissionState.QUEUED
    assert not PortalIdea.objects.exists()


# -- ideas -----------------------------------------------------------------------------------------


def test_ideas_publish_unpublish_with_if_match(
    client: Client, opened: Product, pm: Persona
) -> None:
    idea = idea_create(actor=pm.actor, product=opened, title="Dark mode")
    PortalVote.objects.create(idea=idea, email="a@x.co", confirmed_at=timezone.now())
    got = client.get(f"{PORTAL}/ideas/{idea.pk}")
    assert got.status_code == 200
    assert (got.json()["votes"], got["ETag"]) == (1, '"1"')
    hidden = _send(client, "post", f"{PORTAL}/ideas/{idea.pk}/unpublish", **{"If-Match": '"1"'})
    assert hidden.status_code == 200, hidden.content
    assert (hidden.json()["published"], hidden.json()["address"]) == (False, None)
    stale = _send(client, "post", f"{PORTAL}/ideas/{idea.pk}/publish", **{"If-Match": '"1"'})
    assert stale.status_code == 412
    idea.refresh_from_db()
    assert not idea.published
    shown = _send(client, "post", f"{PORTAL}/ideas/{idea.pk}/publish", **{"If-Match": '"2"'})
    assert (shown.status_code, shown.json()["published"]) == (200, True)
    listed = client.get(PORTAL + "/ideas").json()
    assert [i["title"] for i in listed["items"]] == ["Dark mode"]


def test_an_ideas_status_is_set_by_hand_or_follows_its_problem(
    client: Client, opened: Product, pm: Persona, exports: Problem
) -> None:
    services.problem_update(actor=pm.actor, problem=exports, status=ProblemStatus.VALIDATED)
    idea = idea_create(actor=pm.actor, product=opened, title="Dark mode", problem=exports)
    url = f"{PORTAL}/ideas/{idea.pk}/status"
    by_hand = _send(client, "put", url, {"status": "released"})
    assert (by_hand.status_code, by_hand.json()["status"]) == (200, "released")
    assert by_hand.json()["status_by_hand"] is True
    follows = _send(client, "put", url, {"status": None}, **{"If-Match": by_hand["ETag"]})
    assert (follows.json()["status"], follows.json()["status_by_hand"]) == ("planned", False)
    for bad in ({"status": "shipped"}, {}, {"status": 3}, {"status": "planned", "x": 1}):
        answer = _send(client, "put", url, bad)
        assert answer.status_code == 422, (bad, answer.content)
        assert answer["Content-Type"] == "application/problem+json"
    stale = _send(client, "put", url, {"status": "closed"}, **{"If-Match": '"1"'})
    assert stale.status_code == 412
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PLANNED


def test_another_products_idea_answers_404_by_its_path(
    client: Client, opened: Product, pm: Persona, owner: Persona
) -> None:
    beta = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    theirs = idea_create(actor=pm.actor, product=beta, title="Beta's idea")
    assert client.get(f"{PORTAL}/ideas/{theirs.pk}").status_code == 404
    answer = _send(client, "post", f"{PORTAL}/ideas/{theirs.pk}/unpublish")
    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.published


# -- ideas linked to problems ----------------------------------------------------------------------


def test_linking_an_idea_to_a_problem_by_the_api(
    client: Client, opened: Product, pm: Persona, exports: Problem
) -> None:
    idea = idea_create(actor=pm.actor, product=opened, title="Dark mode")
    for n in range(2):
        PortalVote.objects.create(idea=idea, email=f"{n}@x.co", confirmed_at=timezone.now())
    url = f"{W}/problems/{exports.pk}/portal-ideas/{idea.pk}"
    stale = _send(client, "put", url, **{"If-Match": '"7"'})
    assert stale.status_code == 412
    linked = _send(client, "put", url, **{"If-Match": '"1"'})
    assert linked.status_code == 200, linked.content
    assert (linked.json()["problem"], linked.json()["votes"], linked["ETag"]) == (
        exports.pk,
        2,
        '"2"',
    )
    twice = _send(client, "put", url)
    assert twice.json()["version"] == 2  # linking it again changes nothing
    listed = client.get(f"{W}/problems/{exports.pk}/portal-ideas").json()
    assert [(i["title"], i["votes"]) for i in listed] == [("Dark mode", 2)]
    evidence = client.get(f"{W}/problems/{exports.pk}").json()["evidence"]
    assert (evidence["votes"], evidence["customers"], evidence["arr"]) == (2, 0, "0.00")
    assert _send(client, "delete", url).status_code == 204
    assert client.get(f"{W}/problems/{exports.pk}").json()["evidence"]["votes"] == 0
    assert _send(client, "delete", url).status_code == 204  # not linked: stays so
    idea.refresh_from_db()
    assert idea.problem_id is None


def test_links_across_workspaces_answer_404_and_write_nothing(
    client: Client, opened: Product, pm: Persona, outsider: Persona, exports: Problem
) -> None:
    idea = idea_create(actor=pm.actor, product=opened, title="Dark mode")
    foreign_problem = services.problem_create(actor=outsider.actor, title="Theirs")
    other = strategy.product_create(actor=outsider.actor, key="GLOB", name="Globex app")
    foreign_idea = idea_create(actor=outsider.actor, product=other, title="Their idea")
    for url in (
        f"{W}/problems/{foreign_problem.pk}/portal-ideas/{idea.pk}",
        f"{W}/problems/{exports.pk}/portal-ideas/{foreign_idea.pk}",
        f"{W}/problems/{foreign_problem.pk}/portal-ideas",
        f"{W}/problems/999999/portal-ideas/{idea.pk}",
    ):
        method = "get" if url.endswith("portal-ideas") else "put"
        answer = _send(client, method, url)
        assert answer.status_code == 404, url
        assert answer["Content-Type"] == "application/problem+json"
    idea.refresh_from_db()
    foreign_idea.refresh_from_db()
    assert (idea.problem_id, foreign_idea.problem_id) == (None, None)


def test_an_idea_of_another_product_is_refused_naming_the_idea(
    client: Client, opened: Product, pm: Persona, owner: Persona
) -> None:
    beta = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    theirs = services.problem_create(actor=pm.actor, title="Beta's problem", product=beta)
    idea = idea_create(actor=pm.actor, product=opened, title="Dark mode")
    answer = _send(client, "put", f"{W}/problems/{theirs.pk}/portal-ideas/{idea.pk}")
    assert answer.status_code == 422
    assert answer.json()["code"] == "portal_idea_product_mismatch"
    assert answer.json()["errors"][0]["field"] == "idea"
    assert "ACME" in answer.json()["errors"][0]["message"]
    idea.refresh_from_db()
    assert idea.problem_id is None


def test_viewers_link_nothing_by_the_api(
    api_client: ApiClient, viewer: Persona, opened: Product, pm: Persona, exports: Problem
) -> None:
    idea = idea_create(actor=pm.actor, product=opened, title="Dark mode")
    url = f"{W}/problems/{exports.pk}/portal-ideas/{idea.pk}"
    assert _send(api_client(viewer), "put", url).status_code == 403
    idea_problem_link(actor=pm.actor, idea=idea, problem=exports)
    assert _send(api_client(viewer), "delete", url).status_code == 403
    idea.refresh_from_db()
    assert idea.problem_id == exports.pk


# -- the item's problems ---------------------------------------------------------------------------


def test_an_items_problems_by_the_api(
    client: Client, api_client: ApiClient, outsider: Persona, pm: Persona, product: Product
) -> None:
    item = backlog.item_create(actor=pm.actor, product=product, title="Faster export")
    assert client.get(f"{W}/items/{item.key}/problems").json() == []
    globex = services.customer_create(actor=pm.actor, name="Globex", arr=1000)
    feedback = services.feedback_create(actor=pm.actor, text="Slow exports", customer=globex)
    slow = services.problem_create(actor=pm.actor, title="B: exports are slow")
    typos = services.problem_create(actor=pm.actor, title="A: search misses typos")
    gone = services.problem_create(actor=pm.actor, title="C: trashed")
    services.insight_create(actor=pm.actor, feedback=feedback, quote="Slow", problems=[slow])
    for problem in (slow, typos, gone):
        services.problem_items_link(actor=pm.actor, problem=problem, items=[item])
    from lodestar.core.trash import trash_move

    trash_move(actor=pm.actor, obj=gone)
    answer = client.get(f"{W}/items/{item.key}/problems")
    assert answer.status_code == 200
    rows = answer.json()
    assert [p["title"] for p in rows] == ["A: search misses typos", "B: exports are slow"]
    assert (rows[1]["evidence"]["customers"], rows[1]["evidence"]["arr"]) == (1, "1000.00")
    assert client.get(f"{W}/items/ACME-999/problems").status_code == 404
    foreign = api_client(outsider).get(f"/api/v1/workspaces/globex/items/{item.key}/problems")
    assert foreign.status_code == 404


def test_an_items_problems_take_the_same_queries_for_more_problems(
    client: Client, pm: Persona, product: Product
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    item = backlog.item_create(actor=pm.actor, product=product, title="Faster export")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{W}/items/{item.key}/problems").status_code == 200
        return len(queries)

    services.problem_items_link(
        actor=pm.actor,
        problem=services.problem_create(actor=pm.actor, title="One"),
        items=[item],
    )
    count()  # the first request of a token also notes when it was last used
    few = count()
    for n in range(5):
        services.problem_items_link(
            actor=pm.actor,
            problem=services.problem_create(actor=pm.actor, title=f"More {n}"),
            items=[item],
        )
    assert count() == few
