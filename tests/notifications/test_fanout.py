"""From events to mentions, watches and notifications: who is told, who never is (the actor,
anyone who cannot see the object), and a burst folded into one."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.comments import services as comments
from lodestar.comments.access import Target
from lodestar.comments.access import access_target as comment_target
from lodestar.core.registry import registry
from lodestar.notifications import services
from lodestar.notifications.access import access_target
from lodestar.notifications.models import Kind, Mention, Notification, Watch
from lodestar.people.models import Team, TeamMembership, TeamRole
from lodestar.strategy.models import Product
from tests.conftest import Persona

pytestmark = pytest.mark.django_db
Deliver = Callable[[], int]


def _inbox(persona: Persona) -> list[tuple[str, str, int]]:
    return [
        (n.kind, n.sentence, n.count)
        for n in Notification.objects.filter(recipient=persona.membership).order_by("id")
    ]


def _watches(persona: Persona, item: BacklogItem) -> bool:
    return Watch.objects.filter(
        member=persona.membership, target_type="item", target_id=item.pk, watching=True
    ).exists()


def test_a_mention_in_a_comment_tells_the_mentioned_and_not_the_author(
    owner: Persona, developer: Persona, item: BacklogItem, on_item: Target, deliver: Deliver
) -> None:
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev @owner look at this")
    assert Notification.objects.count() == 0  # nothing in the request: the worker tells
    deliver()
    title = f"{item.key} {item.title}"
    assert _inbox(developer) == [("mention", f"Owner mentioned you in a comment of {title}", 1)]
    assert _inbox(owner) == []
    mention = Mention.objects.get()
    assert (mention.member_id, mention.target_type, mention.target_id) == (
        developer.membership.pk,
        "item",
        item.pk,
    )
    assert _watches(developer, item)
    assert Notification.objects.get().url == f"/w/acme/items/{item.key}"


def test_an_edit_mentions_only_the_names_it_adds_and_reactions_tell_nobody(
    owner: Persona, developer: Persona, pm: Persona, on_item: Target, deliver: Deliver
) -> None:
    comment = comments.comment_create(actor=owner.actor, target=on_item, body="@dev first")
    deliver()
    comments.comment_update(actor=owner.actor, comment=comment, target=on_item, body="@dev @pm")
    comments.comment_react(actor=developer.actor, comment=comment, target=on_item, emoji="heart")
    deliver()
    assert [k for k, _, _ in _inbox(developer)] == ["mention"]
    assert [k for k, _, _ in _inbox(pm)] == ["mention"]
    assert [k for k, _, _ in _inbox(owner)] == []
    assert Mention.objects.count() == 2


def test_unknown_handles_and_other_workspaces_members_are_plain_text(
    owner: Persona, outsider: Persona, on_item: Target, deliver: Deliver
) -> None:
    comments.comment_create(actor=owner.actor, target=on_item, body="@boss @nobody hello")
    deliver()
    assert Mention.objects.count() == 0
    assert Notification.objects.count() == 0


def test_someone_who_cannot_see_the_object_is_told_nothing(
    owner: Persona, developer: Persona, item: BacklogItem, on_item: Target, deliver: Deliver
) -> None:
    declared = registry().object_type("item")
    assert declared is not None
    with registry().scoped() as scoped:
        scoped.replace(
            dataclasses.replace(
                declared, permissions={**declared.permissions, "view": "manage_members"}
            )
        )
        comments.comment_create(actor=owner.actor, target=on_item, body="@dev see this")
        deliver()
    assert _inbox(developer) == []
    assert Mention.objects.count() == 0
    assert not _watches(developer, item)


def test_commenters_and_creators_watch_and_hear_of_comments(
    owner: Persona, developer: Persona, pm: Persona, item: BacklogItem, deliver: Deliver
) -> None:
    services.watch_start(actor=pm.actor, target=access_target(pm.actor, "items", item.key))
    deliver()
    on = comment_target(developer.actor, "items", item.key)
    comments.comment_create(actor=developer.actor, target=on, body="Started on it")
    deliver()
    assert _watches(developer, item)
    title = f"{item.key} {item.title}"
    # The owner created the item before the cursor: they watch only from commenting on.
    assert _inbox(pm) == [("comment", f"Dev commented on {title}", 1)]
    assert _inbox(developer) == []


def test_an_explicit_unwatch_is_remembered_until_a_mention(
    owner: Persona, developer: Persona, item: BacklogItem, deliver: Deliver
) -> None:
    services.watch_stop(
        actor=developer.actor, target=access_target(developer.actor, "items", item.key)
    )
    on = comment_target(developer.actor, "items", item.key)
    comments.comment_create(actor=developer.actor, target=on, body="A note")
    deliver()
    assert not _watches(developer, item)
    comments.comment_create(actor=owner.actor, target=on, body="@dev back?")
    deliver()
    assert _watches(developer, item)


def test_assignment_tells_and_watches_the_assignee(
    owner: Persona, developer: Persona, item: BacklogItem, deliver: Deliver
) -> None:
    backlog.item_update(actor=owner.actor, item=item, assignee=developer.membership)
    deliver()
    title = f"{item.key} {item.title}"
    assert _inbox(developer) == [("assigned", f"Owner assigned you to {title}", 1)]
    assert _watches(developer, item)


def test_a_burst_of_changes_by_one_person_folds_into_one(
    owner: Persona, developer: Persona, item: BacklogItem, deliver: Deliver
) -> None:
    services.watch_start(
        actor=developer.actor, target=access_target(developer.actor, "items", item.key)
    )
    for n in range(12):
        item = backlog.item_update(actor=owner.actor, item=item, title=f"Title {n}")
    backlog.item_update(actor=owner.actor, item=item, status="in_progress")
    backlog.item_update(actor=owner.actor, item=item, title="Again")
    deliver()
    kinds = [(k, c) for k, _, c in _inbox(developer)]
    assert kinds == [("change", 13), ("status", 1)]
    assert _inbox(developer)[1][1] == f"Owner moved {item.key} Again to in progress"
    # Once read, the next change is a new notification.
    Notification.objects.update(read=True)
    backlog.item_update(actor=owner.actor, item=item, title="Once more")
    deliver()
    assert Notification.objects.filter(read=False).count() == 1


def test_watching_a_product_tells_of_new_items_and_their_changes(
    owner: Persona, pm: Persona, product: Product, deliver: Deliver
) -> None:
    services.watch_start(actor=pm.actor, target=access_target(pm.actor, "products", product.key))
    item = backlog.item_create(actor=owner.actor, product=product, title="Export to PDF")
    backlog.item_update(actor=owner.actor, item=item, status="in_progress")
    deliver()
    assert [k for k, _, _ in _inbox(pm)] == ["created", "status"]
    assert _inbox(pm)[0][1] == f"Owner created backlog item {item.key} Export to PDF"


def test_a_change_to_a_watched_product_or_team_itself_is_told(
    owner: Persona, pm: Persona, product: Product, team: Team, deliver: Deliver
) -> None:
    """The product and the team are named by their key and slug (their gates' references), so
    whoever watches one hears of a change to it, not only to what is in it."""
    from lodestar.people.services.teams import team_update
    from lodestar.strategy.services import product_update

    services.watch_start(actor=pm.actor, target=access_target(pm.actor, "products", product.key))
    services.watch_start(actor=pm.actor, target=access_target(pm.actor, "teams", team.slug))
    product_update(actor=owner.actor, product=product, vision="Numbers people trust")
    team_update(actor=owner.actor, team=team, description="Builds the core")
    deliver()
    told = [sentence for _, sentence, _ in _inbox(pm)]
    assert len(told) == 2
    assert any(product.key in sentence for sentence in told)
    assert any(team.name in sentence for sentence in told)


def test_a_team_mention_tells_each_member_who_can_see(
    owner: Persona, developer: Persona, team: Team, on_item: Target, deliver: Deliver
) -> None:
    TeamMembership.objects.create(team=team, member=owner.membership, role=TeamRole.DEVELOPER)
    comments.comment_create(actor=owner.actor, target=on_item, body="@core please")
    deliver()
    assert [k for k, _, _ in _inbox(developer)] == ["mention"]
    assert "mentioned @core in a comment" in _inbox(developer)[0][1]
    assert _inbox(owner) == []
    assert Mention.objects.get().team_id == team.pk


def test_a_mention_in_a_description_tells_once(
    owner: Persona, developer: Persona, pm: Persona, product: Product, deliver: Deliver
) -> None:
    item = backlog.item_create(
        actor=owner.actor, product=product, title="Share", description="Ask @dev"
    )
    deliver()
    backlog.item_update(actor=owner.actor, item=item, description="Ask @dev and @pm")
    deliver()
    # The developer watches since the mention: the second edit is a change to them, and a
    # mention (only) to the newly mentioned.
    assert [k for k, _, _ in _inbox(developer)] == ["mention", "change"]
    assert "in the description of" in _inbox(developer)[0][1]
    assert [k for k, _, _ in _inbox(pm)] == ["mention"]
    assert Notification.objects.filter(kind=Kind.CHANGE).count() == 1


def test_a_fault_on_one_event_is_passed_over_and_a_database_error_retried(
    owner: Persona,
    developer: Persona,
    on_item: Target,
    deliver: Deliver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import OperationalError

    from lodestar.core import events
    from lodestar.core.models import OutboxCursor
    from lodestar.core.registry import registry
    from lodestar.notifications import fanout

    # The events this subscriber handles (other durable subscribers read the same outbox).
    subscriber = next(s for s in registry().subscribers(durable=True) if s.name == "notifications")

    def notify() -> int:
        return events.deliver(subscriber)

    real = fanout.handle
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev first")
    monkeypatch.setattr(fanout, "handle", lambda event: (_ for _ in ()).throw(KeyError("bug")))
    assert notify() == 1  # passed over
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev second")
    monkeypatch.setattr(fanout, "handle", lambda event: (_ for _ in ()).throw(OperationalError()))
    assert notify() == 0  # held for the next round
    assert OutboxCursor.objects.get(subscriber="notifications").failures == 1
    monkeypatch.setattr(fanout, "handle", real)
    assert notify() == 1
    assert [k for k, _, _ in _inbox(developer)] == ["mention"]
