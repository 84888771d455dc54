"""What the comments context declares: comments as workspace objects (history in words and
events; not searched, not trashed: a deleted comment keeps its place in its thread), its
moderation permission, and the comments section of a backlog item's panel and page, and of
a problem's and a release's page. It
attaches to every kind another context declares ``commentable``, through that kind's own gate
and ``comment`` permission, and imports none of their internals."""

from __future__ import annotations

from typing import Any

from lodestar.backlog.extensions import ITEM_LIVE, ITEM_SECTIONS, ItemLiveSource, ItemSection
from lodestar.comments import history_words
from lodestar.comments.models import Comment
from lodestar.comments.permissions import PERMISSIONS
from lodestar.comments.selectors import comment_last_change, comment_stamp
from lodestar.comments.views import card_section, item_section
from lodestar.core.extensions import PAGE_SECTIONS, PageSection
from lodestar.core.live import LastChange
from lodestar.core.registry import ObjectType, Plugin
from lodestar.discovery.extensions import PROBLEM_SECTIONS, ProblemSection
from lodestar.releases.extensions import RELEASE_SECTIONS, ReleaseSection


def _title(comment: Comment) -> str:
    return f"comment on {comment.target_type} {comment.target_id}"


def _item_stamp() -> dict[str, Any]:
    return comment_stamp("item")


def _item_last(item: Any) -> LastChange | None:
    return comment_last_change(kind="item", workspace_id=item.workspace_id, target_id=item.pk)


PLUGIN = Plugin(
    name="comments",
    urls=["lodestar.comments.urls"],
    api=["lodestar.comments.api"],
    permissions=PERMISSIONS,
    objects=[
        ObjectType(
            name="comment",
            model=Comment,
            label="comment",
            title=_title,
            permissions={"view": "view"},
            describe=history_words.describe,
        ),
    ],
    provides=[
        (ITEM_SECTIONS, ItemSection(name="comments", render=item_section, order=90)),
        (ITEM_LIVE, ItemLiveSource(name="comments", stamp=_item_stamp, last=_item_last)),
        (PROBLEM_SECTIONS, ProblemSection(name="comments", render=card_section, order=90)),
        (RELEASE_SECTIONS, ReleaseSection(name="comments", render=card_section, order=90)),
        (
            PAGE_SECTIONS,
            PageSection(
                name="comments",
                kinds=("feedback", "customer", "decision", "sprint", "goal"),
                render=card_section,
                order=90,
            ),
        ),
    ],
)
