"""The decisions services: recording, deciding, editing, superseding (no cycles, same
product), linking through the registry, permissions, history and search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lodestar.backlog.models import BacklogItem
from lodestar.core.errors import Forbidden, Invalid
from lodestar.core.history import describe, history_for
from lodestar.core.models import SearchEntry
from lodestar.core.trash import trash_move
from lodestar.decisions import selectors, services
from lodestar.decisions.errors import DecisionErrorCode as Code
from lodestar.decisions.models import Decision, DecisionLink, DecisionStatus
from lodestar.discovery.models import Problem
from lodestar.strategy.models import Product
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def _fields(error: pytest.ExceptionInfo[Invalid]) -> list[str]:
    return [e.field for e in error.value.errors]


def _make(
    owner: Persona, product: Product, title: str = "Share by link", **fields: object
) -> Decision:
    return services.decision_create(actor=owner.actor, product=product, title=title, **fields)  # type: ignore[arg-type]


def test_a_decision_records_options_deciders_and_links(
    owner: Persona, developer: Persona, product: Product, item: BacklogItem, problem: Problem
) -> None:
    made = _make(
        owner,
        product,
        context="Guests *cost* a seat.",
        decision="Read-only links.",
        rationale="Speed.",
        options=[
            {"title": "Guests", "pros": "Known", "cons": "Seat"},
            {"title": "Links", "pros": "Fast", "cons": "Forwarded", "chosen": True},
        ],
        status="decided",
        deciders=[owner.membership, developer.membership],
        decided_at=dt.date(2026, 11, 2),
        links=[f"item:{item.key.lower()}", f"problem:{problem.pk}", f"item:{item.key}"],
    )
    assert made.key == "ACME-D1"
    assert made.status == DecisionStatus.DECIDED
    assert "<em>cost</em>" in made.context_html
    assert [o.chosen for o in made.options.all()] == [False, True]
    assert {m.pk for m in made.deciders.all()} == {owner.membership.pk, developer.membership.pk}
    # The same item named twice is one link.
    targets = [row.target.spelled for row in selectors.decision_links(decision=made)]
    assert targets == [f"item:{item.key}", f"problem:{problem.pk}"]
    assert _make(owner, product, "Second").number == 2
    [entry] = history_for(workspace_id=made.workspace_id, obj=made)
    assert describe(entry) == "recorded the decision “ACME-D1 Share by link”"
    assert SearchEntry.objects.filter(kind="decision", object_id=made.pk).exists()
    assert selectors.decisions_linked_to(actor=owner.actor, obj=item) == [made]
    assert selectors.decisions_linked_to(actor=owner.actor, obj=problem) == [made]


def test_deciding_defaults_to_the_actor_and_today(owner: Persona, product: Product) -> None:
    proposed = _make(owner, product)
    assert proposed.status == DecisionStatus.PROPOSED
    assert proposed.decided_at is None
    decided = services.decision_decide(actor=owner.actor, decision=proposed)
    assert decided.decided_at == timezone.localdate()
    assert list(decided.deciders.all()) == [owner.membership]
    with pytest.raises(Invalid) as error:
        services.decision_decide(actor=owner.actor, decision=decided)
    assert error.value.code == Code.DECISION_ALREADY_DECIDED


def test_bad_input_names_the_field_and_writes_nothing(
    owner: Persona, product: Product, foreign_item: BacklogItem
) -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"status": "superseded"}, "status"),
        ({"links": ["item:ACME-99"]}, "links[0]"),
        ({"links": ["rocket:1"]}, "links[0]"),
        ({"links": ["ACME-1"]}, "links[0]"),
        ({"links": [f"item:{foreign_item.key}"]}, "links[0]"),
        ({"options": [{"title": ""}]}, "options[0].title"),
        (
            {"status": "decided", "decided_at": timezone.localdate() + dt.timedelta(days=2)},
            "decided_at",
        ),
        ({"decided_at": dt.date(2026, 1, 1)}, "status"),
    ]
    for fields, field in cases:
        fields.setdefault("title", "A decision")
        with pytest.raises(Invalid) as error:
            services.decision_create(actor=owner.actor, product=product, **fields)  # type: ignore[arg-type]
        assert field in _fields(error), (fields, _fields(error))
    assert Decision.all_objects.count() == 0
    assert DecisionLink.objects.count() == 0


def test_viewers_never_write(viewer: Persona, owner: Persona, product: Product) -> None:
    with pytest.raises(Forbidden) as error:
        _make(viewer, product)
    assert error.value.code == Code.FORBIDDEN_RECORD_DECISION
    made = _make(owner, product)
    with pytest.raises(Forbidden):
        services.decision_update(actor=viewer.actor, decision=made, title="Mine now")
    with pytest.raises(Forbidden):
        services.decision_link(actor=viewer.actor, decision=made, target="item:ACME-1")


def test_superseding_links_both_ways_and_freezes_the_old_one(
    owner: Persona, product: Product, item: BacklogItem
) -> None:
    old = _make(owner, product, "Links never expire", status="decided")
    new = _make(owner, product, "Links expire after 30 days", status="decided")
    services.decision_supersede(actor=owner.actor, decision=old, by=new)
    old.refresh_from_db()
    assert old.status == DecisionStatus.SUPERSEDED
    assert old.superseded_by == new
    assert list(new.supersedes.all()) == [old]
    assert selectors.decision_chain(decision=new) == ([old], [])
    assert selectors.decision_chain(decision=old) == ([], [new])
    with pytest.raises(Invalid) as error:
        services.decision_update(actor=owner.actor, decision=old, title="Rewritten")
    assert error.value.code == Code.DECISION_SUPERSEDED
    # Its links still change.
    assert services.decision_link(actor=owner.actor, decision=old, target=f"item:{item.key}")
    assert services.decision_unlink(actor=owner.actor, decision=old, target=f"item:{item.key}")
    # Once superseded, never again; the superseding one stays out of the trash.
    third = _make(owner, product, "Third")
    with pytest.raises(Invalid) as error:
        services.decision_supersede(actor=owner.actor, decision=old, by=third)
    assert error.value.code == Code.DECISION_SUPERSEDE_INVALID
    with pytest.raises(Invalid) as error:
        trash_move(actor=owner.actor, obj=new)
    assert error.value.code == Code.DECISION_SUPERSEDES_OTHERS
    words = [describe(e) for e in history_for(workspace_id=old.workspace_id, obj=old)]
    assert "marked “ACME-D1 Links never expire” superseded by ACME-D2" in words


def test_superseding_refuses_itself_another_product_and_loops(
    owner: Persona, product: Product, other_product: Product
) -> None:
    first = _make(owner, product, "First")
    second = _make(owner, product, "Second")
    elsewhere = _make(owner, other_product, "Mobile")
    with pytest.raises(Invalid) as error:
        services.decision_supersede(actor=owner.actor, decision=first, by=first)
    assert _fields(error) == ["by"]
    with pytest.raises(Invalid) as error:
        services.decision_supersede(actor=owner.actor, decision=first, by=elsewhere)
    assert _fields(error) == ["by"]
    services.decision_supersede(actor=owner.actor, decision=first, by=second)
    second.refresh_from_db()
    first.refresh_from_db()
    # The replaced one cannot in turn replace its successor (it is superseded: no loop).
    with pytest.raises(Invalid) as error:
        services.decision_supersede(actor=owner.actor, decision=second, by=first)
    assert error.value.code == Code.DECISION_SUPERSEDE_INVALID
    assert Decision.objects.get(pk=second.pk).status == DecisionStatus.PROPOSED


def test_create_superseding_in_one_step(owner: Persona, product: Product) -> None:
    old = _make(owner, product, "Old", status="decided")
    new = _make(owner, product, "New", status="decided", supersedes=old)
    old.refresh_from_db()
    assert old.superseded_by == new


def test_a_trashed_target_drops_out_of_the_links(
    owner: Persona, product: Product, item: BacklogItem
) -> None:
    made = _make(owner, product, links=[f"item:{item.key}"])
    trash_move(actor=owner.actor, obj=item)
    assert selectors.decision_links(decision=made) == []


def test_editing_a_decided_decision(owner: Persona, developer: Persona, product: Product) -> None:
    made = _make(owner, product, status="decided")
    services.decision_update(
        actor=developer.actor,
        decision=made,
        title="Share by expiring link",
        decision_text="Links **expire**.",
        options=[{"title": "Only option"}],
        deciders=[developer.membership],
        expected_version=made.version,
    )
    made.refresh_from_db()
    assert made.title == "Share by expiring link"
    assert "<strong>expire</strong>" in made.decision_html
    assert list(made.deciders.all()) == [developer.membership]
    assert [o.title for o in made.options.all()] == ["Only option"]
    proposed = _make(owner, product, "Open question")
    with pytest.raises(Invalid) as error:
        services.decision_update(
            actor=owner.actor, decision=proposed, decided_at=dt.date(2026, 1, 1)
        )
    assert _fields(error) == ["status"]


def test_history_in_words(owner: Persona, product: Product, item: BacklogItem) -> None:
    made = _make(owner, product, "Links expire")
    services.decision_decide(actor=owner.actor, decision=made)
    services.decision_link(actor=owner.actor, decision=made, target=f"item:{item.key}")
    services.decision_unlink(actor=owner.actor, decision=made, target=f"item:{item.key}")
    services.decision_update(actor=owner.actor, decision=made, rationale="Security reviews.")
    names = {owner.email: "Olivia"}
    words = [
        describe(entry, names)
        for entry in reversed(history_for(workspace_id=made.workspace_id, obj=made))
    ]
    assert words == [
        "proposed the decision “ACME-D1 Links expire”",
        "marked “ACME-D1 Links expire” decided (decided by Olivia)",
        f"linked item:{item.key} to “ACME-D1 Links expire”",
        f"unlinked item:{item.key} from “ACME-D1 Links expire”",
        "changed the rationale of “ACME-D1 Links expire”",
    ]
    # Linking the same object again changes nothing and records nothing.
    services.decision_link(actor=owner.actor, decision=made, target=f"item:{item.key}")
    assert (
        services.decision_link(actor=owner.actor, decision=made, target=f"item:{item.key}") is None
    )


def test_a_context_added_later_links_by_declaring_its_objects(
    owner: Persona, product: Product
) -> None:
    """Metrics came after decisions: they link as items do, by their gate's reference."""
    from lodestar.outcomes import services as outcomes

    metric = outcomes.metric_create(
        actor=owner.actor, product=product, key="activation", name="Activation", direction="higher"
    )
    made = _make(owner, product, links=["metric:ACME/activation"])
    [row] = selectors.decision_links(decision=made)
    assert row.target.spelled == "metric:ACME/activation"
    assert row.target.title == "Activation"
    assert selectors.decisions_linked_to(actor=owner.actor, obj=metric) == [made]
    assert services.decision_unlink(actor=owner.actor, decision=made, target=row.target.spelled)
    with pytest.raises(Invalid) as error:
        _make(owner, product, "Other", links=["metric:ACME/retention"])
    assert _fields(error) == ["links[0]"]
