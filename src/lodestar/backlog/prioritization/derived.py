"""Inputs a score takes from evidence instead of someone typing them: RICE's reach.

The backlog never imports the context that holds the evidence: it asks the sources declared
for ``backlog.extensions.REACH`` (discovery answers with the customers behind an item's
problems). The number is stored with the score, so reading, listing and sorting scores cost
what they did; the source tells the backlog when its evidence changed and
``services.scores_refresh_derived`` computes the scores again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from lodestar.backlog.extensions import REACH, DerivedReach
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization.frameworks import Framework, ScoreResult

REACH_INPUT = "reach"
# What each framework may take from evidence.
DERIVABLE: dict[Framework, tuple[str, ...]] = {Framework.RICE: (REACH_INPUT,)}
FROM_EVIDENCE = "from evidence"


def reach_available() -> bool:
    """Whether any context answers reach (a page offers the choice only then)."""
    return bool(REACH.providers())


def derived_reach(items: Sequence[BacklogItem]) -> dict[int, DerivedReach]:
    """Reach of each item the sources can speak for, by item id; the first source in order
    that answers for an item wins."""
    found: dict[int, DerivedReach] = {}
    for source in REACH.providers():
        missing = [item for item in items if item.pk not in found]
        if not missing:
            break
        for pk, answer in source.reach(missing).items():
            found.setdefault(pk, answer)
    return found


def source_text(answer: DerivedReach) -> str:
    """How the explanation names a derived input's source."""
    return f"{FROM_EVIDENCE}: {answer.source}"


def counted_in_words(result: ScoreResult, names: Iterable[str]) -> ScoreResult:
    """``result`` with the derived inputs ``names`` shown without the unit a typed one has
    (reach typed is "people per quarter"; reach from evidence counts what its source names:
    "19 customers behind ...")."""
    derived = set(names)
    if not derived:
        return result
    inputs = tuple(replace(i, unit="") if i.field in derived else i for i in result.inputs)
    return replace(result, inputs=inputs)
