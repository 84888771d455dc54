"""The comments section of a backlog item's page: the thread with replies, commenting,
replying, editing and deleting one's own from plain forms; viewers read and never write."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.comments import services
from lodestar.comments.access import Target
from lodestar.comments.models import Comment
from lodestar.core.registry import registry
from lodestar.releases.services import release_create
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

POST = "/w/acme/comments"


def _as(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def _text(response: Any) -> str:
    return response.content.decode()


def test_comment_reply_edit_and_delete_from_the_item_page(
    developer: Persona, pm: Persona, item: BacklogItem
) -> None:
    page = f"/w/acme/items/{item.key}"
    client = _as(developer)
    assert "No comments on this backlog item yet." in _text(client.get(page))
    posted = client.post(POST, {"target": f"item:{item.key}", "body": "Is *CSV* enough?"})
    assert posted.status_code == 302
    assert posted["Location"] == page + "#comments"
    root = Comment.objects.get()
    _as(pm).post(POST, {"target": f"item:{item.key}", "body": "Excel too", "parent": root.pk})
    shown = _text(client.get(page))
    assert "<em>CSV</em>" in shown
    assert "Excel too" in shown
    assert shown.count('data-testid="comment"') == 2
    assert 'Comments <span class="count">2</span>' in shown  # the reply counts
    assert "Delete this comment? Its replies stay." in shown  # asked before deleting
    panel = _text(client.get(page, headers={"HX-Request": "true", "HX-Target": "item-panel"}))
    assert 'id="comments-item-' in panel
    assert "Excel too" in panel
    client.post(f"{POST}/{root.pk}/edit", {"body": "Is CSV enough for finance?"})
    root.refresh_from_db()
    assert root.body == "Is CSV enough for finance?"
    assert root.edited_at is not None
    reply = Comment.objects.exclude(pk=root.pk).get()
    # Someone else's comment: refused, unchanged.
    refused = client.post(f"{POST}/{reply.pk}/edit", {"body": "Mine now"})
    assert refused.status_code == 403
    assert _as(developer).post(f"{POST}/{reply.pk}/delete").status_code == 403
    reply.refresh_from_db()
    assert reply.body == "Excel too"
    assert not reply.deleted
    client.post(f"{POST}/{root.pk}/delete")
    shown = _text(client.get(page))
    assert "Comment deleted." in shown
    assert "Excel too" in shown
    assert 'Comments <span class="count">1</span>' in shown  # the deleted one does not


def test_bad_input_is_a_message_and_nothing_is_written(
    developer: Persona, item: BacklogItem
) -> None:
    client = _as(developer)
    answer = client.post(POST, {"target": f"item:{item.key}", "body": "  "}, follow=True)
    assert "The comment was not posted." in _text(answer)
    answer = client.post(POST, {"target": "item:ACME-999", "body": "Hi"})
    assert answer.status_code == 404
    script = "<script>alert(1)</script>ok"
    client.post(POST, {"target": f"item:{item.key}", "body": script})
    assert "<script>alert" not in _text(client.get(f"/w/acme/items/{item.key}"))
    assert Comment.objects.count() == 1


def test_viewers_read_but_never_write(
    owner: Persona, viewer: Persona, item: BacklogItem, on_item: Target
) -> None:
    services.comment_create(actor=owner.actor, target=on_item, body="Ship it")
    client = _as(viewer)
    shown = _text(client.get(f"/w/acme/items/{item.key}"))
    assert "Ship it" in shown
    assert "Add a comment" not in shown
    assert "Reply" not in shown
    refused = client.post(POST, {"target": f"item:{item.key}", "body": "Me too"})
    assert refused.status_code == 403
    assert Comment.objects.count() == 1


def test_a_problem_and_a_release_take_comments_on_their_pages(
    owner: Persona, pm: Persona, viewer: Persona, problem: Any, product: Any
) -> None:
    release = release_create(actor=owner.actor, product=product, name="2027.1")
    client = _as(pm)
    for kind, obj in (("problem", problem), ("release", release)):
        declared = registry().object_type(kind)
        assert declared is not None
        assert declared.url is not None
        page = declared.url(obj)
        shown = _text(client.get(page))
        assert 'data-testid="object-comments"' in shown
        assert f"No comments on this {declared.label} yet." in shown
        posted = client.post(POST, {"target": f"{kind}:{obj.pk}", "body": f"About this {kind}"})
        assert posted.status_code == 302
        assert posted["Location"] == page + "#comments"
        assert f"About this {kind}" in _text(client.get(page))
        # A viewer reads it, with no form.
        seen = _text(_as(viewer).get(page))
        assert f"About this {kind}" in seen
        assert "Add a comment" not in seen
    assert Comment.objects.count() == 2


def test_feedback_customers_decisions_sprints_and_goals_take_comments_on_their_pages(
    owner: Persona, pm: Persona, viewer: Persona, outsider: Persona, product: Any, team: Any
) -> None:
    """The kinds whose pages answer ``core.extensions.PAGE_SECTIONS``: the thread as a card,
    commenting goes back to that page, a viewer reads it without a form."""
    import datetime as dt

    from lodestar.decisions.services import decision_create
    from lodestar.discovery.services import customer_create, feedback_create
    from lodestar.sprints.services import sprint_create
    from lodestar.strategy.services import goal_set

    actor = owner.actor
    start = dt.date(2026, 12, 7)
    objects = {
        "feedback": feedback_create(actor=actor, text="Checkout times out on Safari"),
        "customer": customer_create(actor=actor, name="Initech"),
        "decision": decision_create(actor=actor, product=product, title="Drop IE"),
        "sprint": sprint_create(
            actor=actor,
            team=team,
            name="Sprint 9",
            start_date=start,
            end_date=start + dt.timedelta(days=13),
        ),
        "goal": goal_set(actor=actor, product=product, statement="Checkout in one minute"),
    }
    client = _as(pm)
    for kind, obj in objects.items():
        declared = registry().object_type(kind)
        assert declared is not None
        assert declared.url is not None
        page = declared.url(obj)
        shown = _text(client.get(page))
        assert 'data-testid="object-comments"' in shown, kind
        assert f"No comments on this {declared.label} yet." in shown, kind
        posted = client.post(
            POST, {"target": f"{kind}:{declared.ref_of(obj)}", "body": f"About this {kind}"}
        )
        assert posted.status_code == 302, kind
        assert posted["Location"] == page + "#comments"
        assert f"About this {kind}" in _text(client.get(page))
        seen = _text(_as(viewer).get(page))
        assert f"About this {kind}" in seen
        assert "Add a comment" not in seen
    assert Comment.objects.count() == len(objects)
    # Another workspace's owner cannot comment on a goal of this one, by id.
    goal = objects["goal"]
    refused = _as(outsider).post("/w/globex/comments", {"target": f"goal:{goal.pk}", "body": "x"})
    assert refused.status_code == 404
    assert Comment.objects.count() == len(objects)


def test_reacting_from_the_page_gives_and_takes_back(
    pm: Persona, viewer: Persona, on_item: Target, item: BacklogItem
) -> None:
    comment = services.comment_create(actor=pm.actor, target=on_item, body="Ship it")
    client = _as(pm)
    url = f"/w/acme/comments/{comment.pk}/react"
    page = f"/w/acme/items/{item.key}"
    given = client.post(url, {"emoji": "rocket"})
    assert given.status_code == 302
    assert given["Location"].endswith(f"#comment-{comment.pk}")
    shown = _text(client.get(page))
    assert 'aria-pressed="true" aria-label="Rocket: 1, one of them yours (take it back)"' in shown
    # The same click takes it back.
    client.post(url, {"emoji": "rocket"})
    assert not comment.reactions.exists()
    # An unknown emoji is a message that names the ones allowed, and nothing is written.
    refused = client.post(url, {"emoji": "poop"}, follow=True)
    assert "The reaction was not given." in _text(refused)
    assert "thumbs_up" in _text(refused)
    assert not comment.reactions.exists()
    # A viewer sees the counts and no buttons; their post is refused.
    client.post(url, {"emoji": "eyes"})
    seen = _text(_as(viewer).get(page))
    assert "Add a reaction" not in seen
    assert "👀 1" in seen
    assert _as(viewer).post(url, {"emoji": "eyes"}).status_code in (403, 404)
    assert comment.reactions.count() == 1


def test_a_long_thread_shows_the_newest_and_pages_back(
    pm: Persona, on_item: Target, item: BacklogItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lodestar.comments import views

    monkeypatch.setattr(views, "SECTION_LIMIT", 2)
    for number in (1, 2, 3):
        services.comment_create(actor=pm.actor, target=on_item, body=f"Comment number {number}")
    client = _as(pm)
    page = f"/w/acme/items/{item.key}"
    newest = _text(client.get(page))
    assert "Comment number 1" not in newest
    assert newest.index("Comment number 2") < newest.index("Comment number 3")  # newest last
    assert 'Comments <span class="count">2+</span>' in newest
    assert "Show earlier comments" in newest
    assert "Show the latest comments" not in newest
    link = newest.split('<a href="?comments_before=')[1].split('#comments"')[0]
    earlier = _text(client.get(f"{page}?comments_before={link}"))
    assert "Comment number 1" in earlier
    assert "Comment number 3" not in earlier
    assert "Show the latest comments" in earlier
    assert "Show earlier comments" not in earlier
    # A cursor nobody gave out shows the newest, not an error.
    tampered = client.get(f"{page}?comments_before=nonsense")
    assert tampered.status_code == 200
    assert "Comment number 3" in _text(tampered)
