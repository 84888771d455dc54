"""The comments services: a thread's rules (replies one level deep, on the same object), the
body's limits and sanitizing, edits by the author with the earlier text in history, deletion
by the author or an admin, reactions, and the thread read in a constant number of queries."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lodestar.backlog.models import BacklogItem
from lodestar.comments import selectors, services
from lodestar.comments.access import Target, access_comment, access_target, commentable_types
from lodestar.comments.errors import CommentErrorCode as Code
from lodestar.comments.models import Comment, Reaction
from lodestar.core.errors import Forbidden, Invalid, NotFound, StaleVersion
from lodestar.core.history import describe, history_for
from lodestar.core.models import HistoryEntry, OutboxEvent
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def _field(error: Any) -> list[str]:
    return [e.field for e in error.value.errors]


def test_comment_reply_and_thread(owner: Persona, developer: Persona, on_item: Target) -> None:
    first = services.comment_create(actor=owner.actor, target=on_item, body="Is *CSV* enough?")
    reply = services.comment_create(
        actor=developer.actor, target=on_item, body="Excel too", parent=first
    )
    second = services.comment_create(actor=developer.actor, target=on_item, body="Later")
    assert first.internal is True
    assert "<em>CSV</em>" in first.body_html
    page = selectors.comment_thread(actor=owner.actor, target=on_item)
    assert [e.comment.pk for e in page.items] == [first.pk, second.pk]
    assert [r.comment.pk for r in page.items[0].replies] == [reply.pk]
    entry = HistoryEntry.objects.get(object_type="comments.comment", object_id=reply.pk)
    assert entry.changes["on"] == f"item:{on_item.ref}"
    assert entry.changes["parent"] == first.pk
    assert describe(entry).endswith(f"replied on backlog item {on_item.ref}")
    assert OutboxEvent.objects.filter(kind="comment.created").count() == 3


def test_body_is_required_and_limited(owner: Persona, on_item: Target) -> None:
    for body in ["", "   \n"]:
        with pytest.raises(Invalid) as empty:
            services.comment_create(actor=owner.actor, target=on_item, body=body)
        assert _field(empty) == ["body"]
    with pytest.raises(Invalid) as huge:
        services.comment_create(actor=owner.actor, target=on_item, body="x" * 1_000_000)
    assert _field(huge) == ["body"]
    assert "20,000" in huge.value.detail
    assert huge.value.code == Code.COMMENT_BODY_INVALID
    services.comment_create(actor=owner.actor, target=on_item, body="x" * services.BODY_MAX)
    assert Comment.objects.count() == 1
    # A form's line breaks (CRLF) count one each, as the browser's maxlength counted them.
    lines = "\r\n".join(["x" * 99] * 200)  # 19,999 characters with LF, 20,198 with CRLF
    posted = services.comment_create(actor=owner.actor, target=on_item, body=lines)
    assert "\r" not in posted.body
    assert len(posted.body) == 19_999


def test_markdown_is_sanitized(owner: Persona, on_item: Target) -> None:
    body = (
        "<script>alert(1)</script> [click](javascript:alert(2)) "
        "![img](javascript:alert(3)) <a href='javascript:alert(4)' onclick='x()'>a</a>"
    )
    comment = services.comment_create(actor=owner.actor, target=on_item, body=body)
    assert "<script" not in comment.body_html
    assert "alert(1)" not in comment.body_html
    # The refused links stay as text; no attribute carries them.
    assert not re.search(r"(href|src)=[\"']?javascript", comment.body_html)
    assert "<a " in comment.body_html
    assert "onclick" not in comment.body_html
    assert comment.body == body  # the source is kept as written, shown escaped when edited


def test_replies_go_one_level_deep_on_the_same_object(
    owner: Persona, on_item: Target, on_problem: Target
) -> None:
    first = services.comment_create(actor=owner.actor, target=on_item, body="Root")
    reply = services.comment_create(actor=owner.actor, target=on_item, body="Re", parent=first)
    with pytest.raises(Invalid) as deeper:
        services.comment_create(actor=owner.actor, target=on_item, body="Re re", parent=reply)
    assert _field(deeper) == ["parent"]
    assert "one level" in deeper.value.detail
    with pytest.raises(Invalid) as elsewhere:
        services.comment_create(actor=owner.actor, target=on_problem, body="Re", parent=first)
    assert _field(elsewhere) == ["parent"]
    assert Comment.objects.count() == 2


def test_viewer_reads_but_does_not_write(
    owner: Persona, viewer: Persona, item: BacklogItem
) -> None:
    as_viewer = access_target(viewer.actor, "items", item.key)
    with pytest.raises(Forbidden):
        services.comment_create(actor=viewer.actor, target=as_viewer, body="Hi")
    comment = services.comment_create(actor=owner.actor, target=as_viewer, body="Hi")
    with pytest.raises(Forbidden):
        services.comment_react(
            actor=viewer.actor, comment=comment, target=as_viewer, emoji="thumbs_up"
        )
    assert len(selectors.comment_thread(actor=viewer.actor, target=as_viewer).items) == 1
    assert Reaction.objects.count() == 0


def test_other_workspace_and_unknown_kinds_are_not_found(
    owner: Persona, outsider: Persona, item: BacklogItem, foreign_item: BacklogItem
) -> None:
    with pytest.raises(NotFound):
        access_target(owner.actor, "items", foreign_item.key)
    with pytest.raises(NotFound):
        access_target(outsider.actor, "items", item.key)
    for kind in ["teams", "members", "widgets", "comments", "products"]:
        with pytest.raises(NotFound):
            access_target(owner.actor, kind, "1")
    target = access_target(owner.actor, "items", item.key)
    comment = services.comment_create(actor=owner.actor, target=target, body="Mine")
    with pytest.raises(NotFound):
        access_comment(outsider.actor, comment.pk)


def test_edit_by_the_author_keeps_the_earlier_text(
    owner: Persona, developer: Persona, on_item: Target
) -> None:
    comment = services.comment_create(actor=developer.actor, target=on_item, body="Frist")
    with pytest.raises(Forbidden) as other:
        services.comment_update(actor=owner.actor, comment=comment, target=on_item, body="No")
    assert other.value.code == Code.COMMENT_NOT_AUTHOR
    with pytest.raises(StaleVersion):
        services.comment_update(
            actor=developer.actor, comment=comment, target=on_item, body="x", expected_version=7
        )
    edited = services.comment_update(
        actor=developer.actor, comment=comment, target=on_item, body="First", expected_version=1
    )
    assert edited.edited_at is not None
    assert edited.version == 2
    entry = history_for(workspace_id=comment.workspace_id, obj=comment).first()
    assert entry is not None
    assert entry.changes["body"] == ["Frist", "First"]
    with pytest.raises(Invalid) as empty:
        services.comment_update(actor=developer.actor, comment=edited, target=on_item, body="")
    assert _field(empty) == ["body"]


def test_delete_by_author_or_admin(
    owner: Persona, admin: Persona, developer: Persona, pm: Persona, on_item: Target
) -> None:
    root = services.comment_create(actor=developer.actor, target=on_item, body="Root")
    reply = services.comment_create(actor=pm.actor, target=on_item, body="Re", parent=root)
    services.comment_react(actor=pm.actor, comment=root, target=on_item, emoji="👍")
    with pytest.raises(Forbidden):
        services.comment_delete(actor=pm.actor, comment=root, target=on_item)
    with pytest.raises(StaleVersion):
        services.comment_delete(
            actor=developer.actor, comment=root, target=on_item, expected_version=5
        )
    services.comment_delete(actor=developer.actor, comment=root, target=on_item)
    root.refresh_from_db()
    assert root.deleted
    assert (root.body, root.body_html) == ("", "")
    assert Reaction.objects.count() == 0
    # The deleted comment keeps its place while its reply answers it.
    page = selectors.comment_thread(actor=owner.actor, target=on_item)
    assert [e.comment.pk for e in page.items] == [root.pk]
    assert [r.comment.pk for r in page.items[0].replies] == [reply.pk]
    with pytest.raises(NotFound):
        access_comment(owner.actor, root.pk)
    services.comment_delete(actor=admin.actor, comment=reply, target=on_item)
    assert selectors.comment_thread(actor=owner.actor, target=on_item).items == []


def test_reactions_are_idempotent_and_from_a_fixed_set(
    owner: Persona, developer: Persona, on_item: Target
) -> None:
    comment = services.comment_create(actor=owner.actor, target=on_item, body="Ship it")
    assert services.comment_react(actor=owner.actor, comment=comment, target=on_item, emoji="🚀")
    assert not services.comment_react(
        actor=owner.actor, comment=comment, target=on_item, emoji="rocket"
    )
    services.comment_react(actor=developer.actor, comment=comment, target=on_item, emoji="rocket")
    services.comment_react(actor=developer.actor, comment=comment, target=on_item, emoji="❤")
    for bad in ["", "thumbsup", "🍕", "x" * 40]:
        with pytest.raises(Invalid) as unknown:
            services.comment_react(actor=owner.actor, comment=comment, target=on_item, emoji=bad)
        assert _field(unknown) == ["emoji"]
    counts = selectors.reaction_counts(actor=owner.actor, comment_ids=[comment.pk])[comment.pk]
    assert [(r.emoji, r.count, r.mine) for r in counts] == [
        ("heart", 1, False),
        ("rocket", 2, True),
    ]
    assert services.comment_unreact(
        actor=owner.actor, comment=comment, target=on_item, emoji="rocket"
    )
    assert not services.comment_unreact(
        actor=owner.actor, comment=comment, target=on_item, emoji="rocket"
    )
    assert Reaction.objects.count() == 2


def test_the_thread_reads_in_a_constant_number_of_queries(
    owner: Persona,
    developer: Persona,
    on_item: Target,
    django_assert_num_queries: Any,
) -> None:
    def grow(n: int) -> None:
        for index in range(n):
            root = services.comment_create(actor=owner.actor, target=on_item, body=f"c{index}")
            services.comment_create(actor=developer.actor, target=on_item, body="re", parent=root)
            services.comment_react(
                actor=developer.actor, comment=root, target=on_item, emoji="eyes"
            )

    grow(2)
    with django_assert_num_queries(3):
        small = selectors.comment_thread(actor=owner.actor, target=on_item)
    grow(20)
    with django_assert_num_queries(3):
        big = selectors.comment_thread(actor=owner.actor, target=on_item, limit=100)
    assert len(small.items) == 2
    assert len(big.items) == 22
    assert all(len(e.replies) == 1 and e.reactions[0].count == 1 for e in big.items)


def test_the_commentable_kinds_are_those_declared() -> None:
    assert [(t.name, t.url_plural) for t in commentable_types()] == [
        ("customer", "customers"),
        ("decision", "decisions"),
        ("feedback", "feedback"),
        ("goal", "goals"),
        ("item", "items"),
        ("problem", "problems"),
        ("release", "releases"),
        ("sprint", "sprints"),
    ]
