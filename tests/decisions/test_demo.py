"""The demo's decision log: a few decisions of ACME, linked to its items and problems, one
superseded by a later one."""

from __future__ import annotations

import pytest

from lodestar.backlog import demo as backlog_demo
from lodestar.decisions import demo, selectors
from lodestar.decisions.models import DecisionLink, DecisionStatus
from lodestar.discovery import demo as discovery_demo
from lodestar.people import demo as people_demo

pytestmark = pytest.mark.django_db


def test_the_demo_records_linked_decisions_one_superseded() -> None:
    people = people_demo.seed()
    product = backlog_demo.seed(people)
    discovery_demo.seed({"people": people, "backlog": product})
    made = demo.seed(people, product)
    assert 3 <= len(made) <= 5
    statuses = {d.key: d.status for d in made}
    assert list(statuses.values()).count(DecisionStatus.SUPERSEDED) == 1
    old = next(d for d in made if d.status == DecisionStatus.SUPERSEDED)
    old.refresh_from_db()
    assert old.superseded_by is not None
    assert old.superseded_by.status == DecisionStatus.DECIDED
    kinds = set(DecisionLink.objects.values_list("target_type", flat=True))
    assert kinds == {"item", "problem"}
    # Every link resolves to a live object.
    for decision in made:
        links = selectors.decision_links(decision=decision)
        assert len(links) == DecisionLink.objects.filter(decision=decision).count()


def test_the_whole_demo_links_decisions_to_metrics_releases_and_outcomes() -> None:
    from lodestar.core.registry import registry

    world: dict[str, object] = {}
    for name, context_demo in registry().demos():
        world[name] = context_demo.seed(world)
    kinds = set(DecisionLink.objects.values_list("target_type", flat=True))
    assert kinds == {"item", "problem", "metric", "release", "outcome"}
