"""From domain events to mentions, watches and notifications: the durable subscriber the
worker's outbox pump feeds (at least once, in order; ``core.events``). Nothing here runs in the
request that made the change.

Who is told of an event on an object (docs/NOTIFICATIONS.md has the rules):

- the members it newly mentions (``@handle``, or ``@team`` for each member of the team):
  ``mention``;
- the member it newly assigns: ``assigned``;
- the watchers of the object and of its team(s) and product: ``comment``, ``status``,
  ``change`` or ``created``;

never the person who made the change, never someone who cannot see the object (the leak
rule: not even that they were mentioned), each at most once per event (a mention first, then
an assignment, then the rest). A burst of changes folds (``_notify``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from lodestar.comments.models import Comment
from lodestar.core.events import Event
from lodestar.core.models import HistoryEntry
from lodestar.notifications import emails, services
from lodestar.notifications.access import Target, can_see, target_by_id
from lodestar.notifications.mentions import mentioned_names, resolve
from lodestar.notifications.models import Delivery, Kind, Mention, Notification, Watch
from lodestar.notifications.services import Reason
from lodestar.people.models import Membership, TeamMembership

# A change folds into the recipient's unread (and not yet emailed) notification of the same
# kind about the same object by the same person when that notification began less than this
# long before it.
FOLD_WINDOW = dt.timedelta(minutes=10)
# Fields whose changes tell nobody anything (an item's place in the backlog).
QUIET_FIELDS = frozenset({"rank", "version", "updated_at"})
EXCERPT_MAX = 200


@dataclass
class Outcome:
    """What one event makes: who is told what (for tests and the bench)."""

    notified: list[Notification] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # Each recipient's preferences, as read for this event (the email step reuses them).
    chosen: dict[int, dict[str, str]] = field(default_factory=dict)


def _markdown_fields(obj: Any) -> list[str]:
    """The Markdown fields of ``obj``'s model: those stored beside their rendered ``_html``."""
    names = {f.name for f in obj._meta.concrete_fields}
    return [name for name in names if f"{name}_html" in names]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "\n\n".join(_text(v) for v in value)
    return ""


def _pair(value: Any) -> tuple[Any, Any]:
    """A change's ``[before, after]`` (anything else: nothing before, nothing after)."""
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return "", ""


def _new_names(before: Any, after: Any) -> list[str]:
    old = set(mentioned_names(_text(before)))
    return [name for name in mentioned_names(_text(after)) if name not in old]


def _member(workspace_id: int, user_id: int | None) -> Membership | None:
    if user_id is None:
        return None
    return (
        Membership.all_objects.filter(workspace_id=workspace_id, user_id=user_id)
        .select_related("user")
        .first()
    )


def _scopes(target: Target) -> list[tuple[str, int]]:
    """The object and what contains it (its teams and product), as watches name them."""
    obj = target.obj
    scopes = [(target.type, target.id)]
    declared = target.declared
    product_id = getattr(obj, "product_id", None)
    if product_id is None and declared.product is not None and target.type != "product":
        product = declared.product(obj)
        product_id = getattr(product, "pk", None)
    if product_id is not None and target.type != "product":
        scopes.append(("product", int(product_id)))
    team_ids: set[int] = set()
    if getattr(obj, "team_id", None) is not None:
        team_ids.add(int(obj.team_id))
    if declared.teams is not None and target.type not in ("team", "product"):
        team_ids.update(int(team.pk) for team in declared.teams(obj))
    scopes += [("team", team_id) for team_id in sorted(team_ids)]
    return scopes


def _watchers(
    workspace_id: int, scopes: list[tuple[str, int]], *, containers_only: bool = False
) -> list[Membership]:
    """The current members who watch any of ``scopes``, the object first and then what contains
    it (an explicit unwatch of the object itself wins over a watch of its product or team);
    with ``containers_only``, only the watchers of what contains it (a new object's)."""
    own = scopes[0]
    if containers_only:
        scopes = scopes[1:]
    if not scopes:
        return []
    rows = list(
        Watch.objects.filter(
            workspace_id=workspace_id,
            target_type__in={kind for kind, _ in scopes},
            target_id__in={number for _, number in scopes},
        ).values_list("member_id", "target_type", "target_id", "watching")
    )
    wanted = set(scopes)
    unwatched = {m for m, t, i, w in rows if (t, i) == own and not w}
    ids = {m for m, t, i, w in rows if w and (t, i) in wanted} - unwatched
    return list(Membership.objects.filter(pk__in=ids).select_related("user").order_by("pk"))


class _Fanout:
    def __init__(self, event: Event, target: Target, actor: Membership | None) -> None:
        self.event = event
        self.target = target
        self.actor = actor
        self.outcome = Outcome()
        self.told: set[int] = set()
        self.seen: dict[int, bool] = {}
        self.chosen: dict[int, dict[str, str]] = self.outcome.chosen

    def visible(self, member: Membership) -> bool:
        if member.pk not in self.seen:
            self.seen[member.pk] = can_see(member, self.target)
        return self.seen[member.pk]

    def excluded(self, member: Membership) -> bool:
        return (
            member.pk in self.told
            or (self.actor is not None and member.pk == self.actor.pk)
            or not self.visible(member)
        )

    @property
    def actor_name(self) -> str:
        return self.actor.user.display_name if self.actor is not None else "Lodestar"

    def mentions(
        self, names: list[str], *, comment_id: int | None, where: str, excerpt: str = ""
    ) -> None:
        """Record and tell the newly mentioned: members who can see the object (and each
        member of a mentioned team who can); nobody else hears anything."""
        found = resolve(self.event.workspace_id, names)
        if not found:
            return
        self.prefetch(found.members)
        at = self.event.occurred_at
        base = {
            "workspace_id": self.event.workspace_id,
            "target_type": self.target.type,
            "target_id": self.target.id,
            "comment_id": comment_id,
            "field": "" if comment_id is not None else where,
            "by": self.actor,
            "created_at": at,
        }
        for member in found.members:
            if self.actor is not None and member.pk == self.actor.pk:
                continue
            if not self.visible(member):
                continue  # the leak rule: no row, no watch, no word
            self.outcome.mentions.append(Mention.objects.create(member=member, **base))
            services.watch_auto(
                member=member,
                target_type=self.target.type,
                target_id=self.target.id,
                reason=Reason.MENTIONED,
                force=True,
            )
            self.notify(member, Kind.MENTION, f"mentioned you in {where} of", excerpt=excerpt)
        for team in found.teams:
            self.outcome.mentions.append(Mention.objects.create(team=team, **base))
            members = Membership.objects.filter(
                pk__in=TeamMembership.objects.filter(team=team, ended_at__isnull=True).values(
                    "member_id"
                )
            ).select_related("user")
            for member in members.order_by("pk"):
                self.notify(
                    member, Kind.MENTION, f"mentioned @{team.slug} in {where} of", excerpt=excerpt
                )

    def prefetch(self, members: list[Membership]) -> None:
        """Everyone's preferences in one query, for those not read yet."""
        missing = [m.pk for m in members if m.pk not in self.chosen]
        if missing:
            self.chosen.update(services.preferences_for(missing))

    def notify(
        self,
        member: Membership,
        kind: str,
        verb: str,
        *,
        excerpt: str = "",
        fold: bool = True,
        folds: dict[int, Notification] | None = None,
    ) -> None:
        if self.excluded(member):
            return
        self.prefetch([member])
        if self.chosen[member.pk][kind] == Delivery.OFF:
            return  # they asked not to hear of this kind at all (a later kind may still tell)
        self.told.add(member.pk)
        existing = (folds or {}).get(member.pk) if folds is not None else _UNKNOWN
        self.outcome.notified.append(
            _notify(self, member, kind, verb, excerpt, fold=fold, existing=existing)
        )

    def tell(self, members: list[Membership], kind: str, verb: str, *, excerpt: str = "") -> None:
        """Tell ``members`` (watchers) of this event: their preferences and the notifications a
        change may fold into read in one query each, whatever their number."""
        eligible = [m for m in members if not self.excluded(m)]
        if not eligible:
            return
        self.prefetch(eligible)
        folds = _fold_candidates(self, kind, [m.pk for m in eligible])
        for member in eligible:
            self.notify(member, kind, verb, excerpt=excerpt, folds=folds)


# "Not looked up yet": ``_notify`` looks the fold up itself.
_UNKNOWN: Any = object()


def _fold_filter(run: _Fanout, kind: str) -> Any:
    return Notification.objects.filter(
        target_type=run.target.type,
        target_id=run.target.id,
        kind=kind,
        actor=run.actor,
        read=False,
        emailed_at__isnull=True,
        created_at__gt=run.event.occurred_at - FOLD_WINDOW,
    )


def _fold_candidates(run: _Fanout, kind: str, member_ids: list[int]) -> dict[int, Notification]:
    """Each recipient's latest notification this change may fold into (one locked query)."""
    if kind == Kind.MENTION:
        return {}
    found: dict[int, Notification] = {}
    rows = (
        _fold_filter(run, kind)
        .filter(recipient_id__in=member_ids)
        .select_for_update()
        .order_by("recipient_id", "-id")
    )
    for row in rows:
        found.setdefault(row.recipient_id, row)
    return found


def _notify(
    run: _Fanout,
    member: Membership,
    kind: str,
    verb: str,
    excerpt: str,
    *,
    fold: bool,
    existing: Notification | None = _UNKNOWN,
) -> Notification:
    """One notification for ``member``, or the fold of this change into their unread one of the
    same kind about the same object by the same person begun within ``FOLD_WINDOW``."""
    at = run.event.occurred_at
    target = run.target
    said = verb.replace("{title}", target.title) if "{title}" in verb else f"{verb} {target.title}"
    sentence = f"{run.actor_name} {said}"[:500]
    if fold and kind != Kind.MENTION:
        if existing is _UNKNOWN:
            existing = (
                _fold_filter(run, kind)
                .filter(recipient=member)
                .select_for_update()
                .order_by("-id")
                .first()
            )
        if existing is not None:
            existing.count += 1
            existing.updated_at = max(existing.updated_at, at)
            existing.sentence = sentence
            if excerpt:
                existing.excerpt = excerpt
            existing.save(update_fields=["count", "updated_at", "sentence", "excerpt"])
            return existing
    return Notification.objects.create(
        workspace_id=run.event.workspace_id,
        recipient=member,
        kind=kind,
        target_type=target.type,
        target_id=target.id,
        target_title=target.title[:255],
        url=target.url[:500],
        actor=run.actor,
        actor_name=run.actor_name[:150],
        sentence=sentence,
        excerpt=excerpt[:EXCERPT_MAX],
        created_at=at,
        updated_at=at,
    )


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_MAX else flat[: EXCERPT_MAX - 1] + "…"


def _comment_event(event: Event) -> Outcome | None:
    comment = Comment.objects.filter(pk=event.object_id).first()
    if comment is None or comment.deleted:
        return None
    target = target_by_id(comment.target_type, comment.target_id)
    if target is None:
        return None
    if event.action == "created":
        run = _Fanout(event, target, _member(event.workspace_id, event.actor_id))
        run.mentions(
            mentioned_names(comment.body),
            comment_id=comment.pk,
            where="a comment",
            excerpt=_excerpt(comment.body),
        )
        if run.actor is not None:
            services.watch_auto(
                member=run.actor,
                target_type=target.type,
                target_id=target.id,
                reason=Reason.COMMENTED,
            )
        verb = "replied to a comment on" if comment.parent_id else "commented on"
        excerpt = _excerpt(comment.body)
        run.tell(
            _watchers(event.workspace_id, _scopes(target)), Kind.COMMENT, verb, excerpt=excerpt
        )
        return run.outcome
    if event.action == "updated" and "body" in event.changes:
        # An edit mentions only the names it adds; reactions and the internal flag tell nobody.
        before, after = _pair(event.changes["body"])
        run = _Fanout(event, target, _member(event.workspace_id, event.actor_id))
        run.mentions(
            _new_names(before, after),
            comment_id=comment.pk,
            where="a comment",
            excerpt=_excerpt(comment.body),
        )
        return run.outcome
    return None


def _field_words(fields: Iterable[str]) -> str:
    names = [name.replace("_", " ") for name in fields]
    if len(names) > 3:
        return f"{', '.join(names[:3])} and {len(names) - 3} more"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return names[0] if names else "details"


def _as_created(event: Event, obj: Any, name: str) -> Any:
    """A field's value when ``obj`` was created (an event is handled later, maybe after other
    changes): the first later change's "before" if one changed it, else the current value."""
    if name not in {f.name for f in obj._meta.concrete_fields}:
        return None
    later = (
        HistoryEntry.objects.filter(
            workspace_id=event.workspace_id,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            pk__gt=event.history_id,
            changes__has_key=name,
        )
        .order_by("pk")
        .values_list("changes", flat=True)
        .first()
    )
    if later is not None:
        return _pair(later[name])[0]
    field = obj._meta.get_field(name)
    return getattr(obj, getattr(field, "attname", name))


def _object_event(event: Event) -> Outcome | None:
    target = target_by_id(event.object_type, event.object_id)
    if target is None:
        return None
    run = _Fanout(event, target, _member(event.workspace_id, event.actor_id))
    markdown = _markdown_fields(target.obj)
    label = target.declared.label
    changes = event.changes
    if event.action == "created":
        for name in sorted(markdown):
            names = mentioned_names(_text(_as_created(event, target.obj, name)))
            run.mentions(names, comment_id=None, where=f"the {name.replace('_', ' ')}")
        if run.actor is not None:
            services.watch_auto(
                member=run.actor,
                target_type=target.type,
                target_id=target.id,
                reason=Reason.CREATED,
            )
        assignee = _as_created(event, target.obj, "assignee")
        if isinstance(assignee, int):
            _assign(run, assignee)
        run.tell(
            _watchers(event.workspace_id, _scopes(target), containers_only=True),
            Kind.CREATED,
            f"created {label}",
        )
        return run.outcome
    if event.action == "updated":
        for name in sorted(set(markdown) & set(changes)):
            value = changes[name]
            before, after = _pair(value)
            run.mentions(
                _new_names(before, after), comment_id=None, where=f"the {name.replace('_', ' ')}"
            )
        if "assignee" in changes and isinstance(changes["assignee"], list):
            new = changes["assignee"][-1]
            if isinstance(new, int):
                _assign(run, new)
        told = [name for name in changes if name not in QUIET_FIELDS]
        if not told:
            return run.outcome
        if "status" in changes and isinstance(changes["status"], list):
            status = str(changes["status"][-1]).replace("_", " ")
            kind, verb = Kind.STATUS, "moved {title} to " + status
        else:
            kind, verb = Kind.CHANGE, f"changed the {_field_words(told)} of"
        run.tell(_watchers(event.workspace_id, _scopes(target)), kind, verb)
        return run.outcome
    if event.action in ("deleted", "restored"):
        verb = "moved {title} to the trash" if event.action == "deleted" else "restored"
        for member in _watchers(event.workspace_id, _scopes(target)):
            run.notify(member, Kind.CHANGE, verb, fold=False)
        return run.outcome
    return None


def _assign(run: _Fanout, member_id: int) -> None:
    member = Membership.objects.filter(pk=member_id).select_related("user").first()
    if member is None or (run.actor is not None and member.pk == run.actor.pk):
        return
    if not run.visible(member):
        return
    services.watch_auto(
        member=member,
        target_type=run.target.type,
        target_id=run.target.id,
        reason=Reason.ASSIGNED,
    )
    run.notify(member, Kind.ASSIGNED, "assigned you to")


@transaction.atomic
def handle(event: Event) -> Outcome | None:
    """Turn one event into mentions, watches and notifications (one transaction: an event the
    subscriber fails on leaves nothing half-told and is delivered again)."""
    comment = event.object_type == "comment"
    outcome = _comment_event(event) if comment else _object_event(event)
    if outcome is not None and outcome.notified:
        emails.after_notified(outcome.notified, outcome.chosen)
    return outcome
