"""Comments on any commentable workspace object (named by its declared kind and its id), one
level of replies, and reactions from a small fixed set of emoji."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from lodestar.core.models import BaseModel


class Emoji(models.TextChoices):
    """The reactions a comment takes: a name (what the API's path and the database hold) and
    the emoji itself."""

    THUMBS_UP = "thumbs_up", "👍"
    THUMBS_DOWN = "thumbs_down", "👎"
    LAUGH = "laugh", "😄"
    HOORAY = "hooray", "🎉"
    CONFUSED = "confused", "😕"
    HEART = "heart", "❤️"
    ROCKET = "rocket", "🚀"
    EYES = "eyes", "👀"


class Comment(BaseModel):
    """A member's comment on an object of the workspace: the object's kind
    (``core.registry.ObjectType.name``: "item", "problem", ...) and id, so a context declared
    later becomes commentable by declaring itself, with no change here.

    ``parent`` makes it a reply (one level: a reply's parent is never a reply). The body is
    Markdown, stored with its sanitized HTML. ``internal`` comments are for the workspace only;
    a public one (``internal=False``) may later be shown where the object is seen from outside
    (the feedback portal, share links). A deleted comment keeps its row (and its place in the
    thread, as "comment deleted") without its text.
    """

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    author = models.ForeignKey(
        "people.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    internal = models.BooleanField(default=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="comment_not_own_parent"),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(body=""), name="comment_deleted_no_body"
            ),
        ]
        indexes = [
            # An object's thread, oldest first, a page at a time.
            models.Index(
                fields=["workspace", "target_type", "target_id", "created_at", "id"],
                name="comment_thread",
            ),
            models.Index(fields=["parent", "created_at", "id"], name="comment_replies"),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.target_type}:{self.target_id}"

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


class Reaction(models.Model):
    """One member's reaction to a comment: at most one of each emoji per member."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey("people.Membership", on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=16, choices=Emoji.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "member", "emoji"], name="reaction_once_per_member"
            ),
            models.CheckConstraint(condition=Q(emoji__in=Emoji.values), name="reaction_emoji"),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.emoji} on comment {self.comment_id}"
