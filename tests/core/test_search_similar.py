"""``core.search.similar`` on customer words: near duplicates, typos and rewordings included,
must come first."""

from __future__ import annotations

import pytest

from lodestar.backlog.models import BacklogItem
from lodestar.core import search
from tests.backlog.conftest import MakeItem, make_item, product
from tests.conftest import Persona
from tests.core.fixtures.reviews import PROBES, STORED
from tests.strategy.conftest import goal

__all__ = ["goal", "make_item", "product"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviews(make_item: MakeItem) -> list[BacklogItem]:
    return [make_item(f"Feedback {n}", description=text) for n, text in enumerate(STORED)]


@pytest.mark.parametrize(("probe", "expected"), PROBES)
def test_the_near_duplicate_comes_first(
    owner: Persona, reviews: list[BacklogItem], probe: str, expected: int
) -> None:
    found = search.similar(owner.actor.workspace_id, probe, kinds=["item"])
    assert found, probe
    assert found[0].id == reviews[expected].pk, (
        probe,
        [(hit.title, hit.score, hit.shared) for hit in found],
    )


def test_each_suggestion_has_a_score_and_the_shared_words(
    owner: Persona, reviews: list[BacklogItem]
) -> None:
    found = search.similar(
        owner.actor.workspace_id,
        "The app crashes when I upload a photo from the gallery",
        kinds=["item"],
        limit=3,
    )
    assert len(found) == 3
    assert [hit.score for hit in found] == sorted((hit.score for hit in found), reverse=True)
    best = found[0]
    assert best.id == reviews[0].pk
    assert {"upload", "photo", "gallery"} <= set(best.shared)
    assert best.url
    assert best.label == "backlog item"


def test_excluded_and_other_workspaces_are_left_out(
    owner: Persona, outsider: Persona, reviews: list[BacklogItem]
) -> None:
    text = STORED[7]
    found = search.similar(owner.actor.workspace_id, text, kinds=["item"])
    assert found[0].id == reviews[7].pk
    without = search.similar(
        owner.actor.workspace_id, text, kinds=["item"], exclude=[("item", reviews[7].pk)]
    )
    assert reviews[7].pk not in [hit.id for hit in without]
    assert search.similar(outsider.actor.workspace_id, text, kinds=["item"]) == []


def test_text_of_stop_words_only_suggests_nothing(
    owner: Persona, reviews: list[BacklogItem]
) -> None:
    assert search.similar(owner.actor.workspace_id, "the and of it is 42 !!", kinds=["item"]) == []
    with pytest.raises(ValueError, match="limit"):
        search.similar(owner.actor.workspace_id, "crash", limit=0)
