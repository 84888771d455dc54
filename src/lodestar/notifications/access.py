"""The gates of the notifications context: a watchable object a path names (through its kind's
own gate), whether a member can see an object (the leak rule), and a member's own
notification. Missing, of another workspace, not visible: all answer 404."""

from __future__ import annotations

from dataclasses import dataclass

from lodestar.comments.access import Target as CommentTarget
from lodestar.comments.access import kind_named, visible_object
from lodestar.core.errors import DomainError, NotFound
from lodestar.core.registry import ObjectType, registry
from lodestar.notifications.errors import NotificationErrorCode as Code
from lodestar.notifications.models import Notification
from lodestar.people.models import Membership
from lodestar.people.policy import Actor

# Besides the kinds that take comments: a whole team or product is watched too.
WHOLE = ("team", "product")


@dataclass(frozen=True)
class Target(CommentTarget):
    """A watchable object and its declaration (a comments target, with its title and page)."""

    @property
    def title(self) -> str:
        return str(self.declared.title(self.obj))

    @property
    def url(self) -> str:
        return self.declared.url(self.obj) if self.declared.url is not None else ""


def watchable_types() -> list[ObjectType]:
    """The kinds that can be watched: those that take comments, and teams and products."""
    return [
        declared
        for declared in registry().object_types()
        if declared.gate is not None
        and declared.supports("view")
        and (declared.commentable or declared.name in WHOLE)
    ]


def watchable_type(kind: str) -> ObjectType | None:
    """The watchable kind a path names, by its URL plural (``items``) or its name."""
    return kind_named(kind, watchable_types())


def access_target(actor: Actor, kind: str, ref: str) -> Target:
    """The object ``ref`` of the watchable kind ``kind`` that the actor can see."""
    declared = watchable_type(kind)
    if declared is not None:
        try:
            return Target(declared, visible_object(actor, declared, str(ref)))
        except DomainError:
            pass
    raise NotFound(
        f"No {kind[:40]} {str(ref)[:60]} to watch in this workspace.",
        code=Code.WATCH_TARGET_NOT_FOUND,
    )


def target_by_id(kind: str, object_id: int) -> Target | None:
    """The watchable object ``kind``/``object_id``, whoever looks (None when gone)."""
    declared = registry().object_type(kind)
    if declared is None or declared not in watchable_types():
        return None
    obj = declared.model._default_manager.filter(pk=object_id).first()
    return Target(declared, obj) if obj is not None else None


def can_see(member: Membership, target: Target) -> bool:
    """Whether ``member`` (a current member of the object's workspace) may see ``target``
    through its kind's own gate and ``view`` permission: the leak rule asks it before telling
    anyone anything about the object."""
    if member.removed_at is not None or member.workspace_id != target.declared.workspace_id_of(
        target.obj
    ):
        return False
    actor = Actor(user=member.user, membership=member)
    try:
        visible_object(actor, target.declared, target.ref)
    except DomainError:
        return False
    return True


def access_notification(actor: Actor, notification_id: int | str) -> Notification:
    """The actor's own notification ``notification_id`` (anyone else's answers 404)."""
    try:
        number = int(str(notification_id).strip())
    except ValueError:
        number = 0
    found = (
        Notification.objects.filter(recipient_id=actor.membership.pk, pk=number).first()
        if 0 < number < 2**63
        else None
    )
    if found is None:
        raise NotFound(
            f"No notification {str(notification_id)[:40]} of yours.",
            code=Code.NOTIFICATION_NOT_FOUND,
        )
    return found
