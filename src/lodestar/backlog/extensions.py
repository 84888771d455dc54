"""The backlog's questions that later contexts answer (``core.extensions``).

- **Purposes** — what makes an item worth doing. An item with none of them is flagged ("serves
  no Product Goal and solves no customer problem"), never hidden. The backlog declares its own
  (serving a Product Goal); discovery adds solving a customer problem.
- **Velocity** — how many points a product's teams finish per sprint, for the Definition of
  Ready's size check. Sprints answers it; the first source (in order) that knows wins.
- **Reach** — where a RICE score's reach can come from instead of being entered: discovery
  answers with the customers (or contacts) behind the item's problems, and names them. The first
  source (in order) that answers for an item wins; the backlog stores the number with the score
  and asks again when the source says its evidence changed (``scores_refresh_derived``).
- **Item links** — what an item is tied to in another context, by name, for text written from
  the items (a release's notes name the customer problems its items solve): discovery answers
  with the problems. Each source reads all the items in a constant number of queries.
- **Item sections** — parts of an item's panel and page that another context renders (the
  problems an item solves, with their evidence). Each renders itself in a constant number of
  queries, so the panel's count does not grow with what the sections show.
- **Item live sources** — what else an item's page shows that others change (comments): each
  adds subqueries to the one query that stamps the page for its poll (``core.live``), and
  says who made its latest change.

- **Value risk** — whether the value risk behind an item is addressed, for the Definition of
  Ready's "value risk addressed above N points" check. Discovery answers (from the risks of the
  item's epic and of the problems it solves); the first source (in order) that answers wins, and
  with no source the check is not measurable. Asked only for an item the check applies to.

Each provider is declared in its context's plugin: ``Plugin(provides=[(PURPOSES, Purpose(...))])``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from lodestar.core.extensions import ExtensionPoint

if TYPE_CHECKING:
    from django.http import HttpRequest

    from lodestar.backlog.models import BacklogItem
    from lodestar.core.live import LastChange
    from lodestar.strategy.models import Product


@dataclass(frozen=True)
class Purpose:
    """One reason an item may exist: ``condition()`` matches the items that have it, and
    ``missing`` says in words what an item without it lacks ("serves no Product Goal")."""

    name: str
    condition: Callable[[], Q]
    missing: str
    order: int = 100


@dataclass(frozen=True)
class VelocitySource:
    """Where a product's velocity comes from: ``velocity(product)`` gives the average points
    its teams finish per sprint, or None when it cannot tell (no finished sprints yet)."""

    name: str
    velocity: Callable[[Product], Decimal | None]
    order: int = 100


@dataclass(frozen=True)
class DerivedReach:
    """A reach computed rather than entered: the number, and where it came from in words
    ("3 customers behind 'Exports are slow' and 'Search misses typos'")."""

    value: int
    source: str


@dataclass(frozen=True)
class ReachSource:
    """Where RICE reach can come from: ``reach(items)`` answers, by item id, a ``DerivedReach``
    for each item it can speak for (an item it knows but with no evidence yet answers 0, so the
    explanation says why). It reads all the items in a constant number of queries."""

    name: str
    reach: Callable[[Sequence[BacklogItem]], Mapping[int, DerivedReach]]
    order: int = 100


@dataclass(frozen=True)
class ItemSection:
    """A section of an item's panel and page: ``render(request, item, in_panel)`` gives its
    HTML (escaped by its own template), or "" to leave it out."""

    name: str
    render: Callable[[HttpRequest, BacklogItem, bool], str]
    order: int = 100


@dataclass(frozen=True)
class ItemLinkSource:
    """What items are linked to in another context: ``links(item_ids)`` answers, by item id,
    the titles of the linked objects (say, problems), in a constant number of queries;
    ``label`` names them in a sentence ("problems")."""

    name: str
    label: str
    links: Callable[[Sequence[int]], Mapping[int, list[str]]]
    order: int = 100


@dataclass(frozen=True)
class ItemLiveSource:
    """Something an item's page shows that others change: ``stamp()`` gives annotations (by
    name) over the item row, subqueries on ``OuterRef("pk")``, whose values change whenever
    it does (say, the newest comment time and the comment count); ``last(item)`` says who made
    its latest change, read only when the stamp changed."""

    name: str
    stamp: Callable[[], Mapping[str, Any]]
    last: Callable[[BacklogItem], LastChange | None]
    order: int = 100


@dataclass(frozen=True)
class RiskFact:
    """Whether a risk behind an item is addressed, and in words where (or what to do)."""

    addressed: bool
    detail: str


@dataclass(frozen=True)
class ValueRiskSource:
    """Where an item's value risk is read: ``value_risk(item)`` answers a ``RiskFact``, or
    None when it cannot speak for the item. A few queries for one item."""

    name: str
    value_risk: Callable[[BacklogItem], RiskFact | None]
    order: int = 100


PURPOSES: ExtensionPoint[Purpose] = ExtensionPoint("backlog.purposes")
VELOCITY: ExtensionPoint[VelocitySource] = ExtensionPoint("backlog.velocity")
REACH: ExtensionPoint[ReachSource] = ExtensionPoint("backlog.reach")
ITEM_SECTIONS: ExtensionPoint[ItemSection] = ExtensionPoint("backlog.item_sections")
ITEM_LINKS: ExtensionPoint[ItemLinkSource] = ExtensionPoint("backlog.item_links")
ITEM_LIVE: ExtensionPoint[ItemLiveSource] = ExtensionPoint("backlog.item_live")
VALUE_RISK: ExtensionPoint[ValueRiskSource] = ExtensionPoint("backlog.value_risk")
