"""Customer evidence behind backlog items: RICE reach taken from an item's problems, the
product's choice of what reach counts, and keeping derived scores in step with the evidence.

**The reach rule.** An item's reach from evidence is the number of distinct customers (or
contacts, as the product chooses) behind the live insights of all its live problems, each
counted once however many of its problems they are behind: one customer who hit two of the
item's problems is one customer reached. Insights and feedback in the trash do not count, nor
feedback with no customer (or no contact, when counting contacts). The number is the item's
evidence as a whole, so it can be less than the sum of its problems' counts; the explanation
names the problems with each one's own count.

The backlog asks through ``backlog.extensions.REACH`` and stores the number with the score;
when evidence changes (an insight, its feedback, a problem's links, a merge of customers, the
product's choice) the subscriber declared in the plugin asks the backlog to compute the
workspace's derived scores again (``scores_refresh_derived``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from lodestar.backlog.extensions import DerivedReach
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization.services import scores_refresh_derived
from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Invalid, StaleVersion
from lodestar.core.events import Event
from lodestar.core.history import history_record
from lodestar.core.models import HistoryEntry
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.models import InsightProblem, ProblemItem, ProductDiscovery, ReachFrom
from lodestar.discovery.permissions import DiscoveryPermission
from lodestar.people.policy import Actor, require
from lodestar.strategy.models import Product

# How many problems an explanation names before it says "and N more".
NAMED_PROBLEMS = 3


@dataclass
class ProblemReach:
    """One problem behind an item: its title and who is behind it."""

    problem_id: int
    title: str
    customers: set[int] = field(default_factory=set)
    contacts: set[int] = field(default_factory=set)


@dataclass
class ItemReach:
    """The evidence behind one item: its problems, and the distinct customers and contacts
    behind all of them."""

    problems: list[ProblemReach] = field(default_factory=list)

    @property
    def customers(self) -> set[int]:
        return set().union(*(p.customers for p in self.problems))

    @property
    def contacts(self) -> set[int]:
        return set().union(*(p.contacts for p in self.problems))


def item_reach(item_ids: Sequence[int]) -> dict[int, ItemReach]:
    """The problems behind each item and who is behind them, in two queries whatever the
    number of items, problems and insights."""
    ids = list(dict.fromkeys(item_ids))
    found: dict[int, ItemReach] = {pk: ItemReach() for pk in ids}
    if not ids:
        return found
    problems: dict[int, list[ProblemReach]] = defaultdict(list)
    for item_id, problem_id, title in (
        ProblemItem.objects.filter(item_id__in=ids, problem__deleted_at__isnull=True)
        .order_by("problem__title", "problem_id")
        .values_list("item_id", "problem_id", "problem__title")
    ):
        entry = ProblemReach(problem_id, title)
        found[item_id].problems.append(entry)
        problems[problem_id].append(entry)
    if not problems:
        return found
    for problem_id, customer_id, contact_id in (
        InsightProblem.objects.filter(
            problem_id__in=list(problems),
            insight__deleted_at__isnull=True,
            insight__feedback__deleted_at__isnull=True,
        )
        .values_list(
            "problem_id", "insight__feedback__customer_id", "insight__feedback__contact_id"
        )
        .distinct()
    ):
        for entry in problems[problem_id]:
            if customer_id is not None:
                entry.customers.add(customer_id)
            if contact_id is not None:
                entry.contacts.add(contact_id)
    return found


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def reach_text(reach: ItemReach, reach_from: str) -> tuple[int, str]:
    """The item's reach and the sentence that explains it, naming its problems."""
    noun = "contact" if reach_from == ReachFrom.CONTACTS else "customer"
    people = reach.contacts if reach_from == ReachFrom.CONTACTS else reach.customers
    if not reach.problems:
        return 0, f"no linked problems yet, so no {noun}s"

    def size(problem: ProblemReach) -> int:
        return len(problem.contacts if reach_from == ReachFrom.CONTACTS else problem.customers)

    ranked = sorted(reach.problems, key=lambda p: (-size(p), p.title, p.problem_id))
    shown = ranked[:NAMED_PROBLEMS]
    if len(ranked) == 1:
        named = f"'{shown[0].title}'"
    else:
        parts = [f"'{p.title}' ({size(p)})" for p in shown]
        rest = len(ranked) - len(shown)
        if rest:
            named = ", ".join(parts) + f" and {_count(rest, 'more problem')}"
        else:
            named = ", ".join(parts[:-1]) + f" and {parts[-1]}"
    total = len(people)
    if total == 0:
        return 0, f"no {noun}s yet behind {named}"
    sentence = f"{_count(total, noun)} behind {named}"
    if len(ranked) > 1 and total < sum(size(p) for p in ranked):
        sentence += f", each {noun} counted once"
    return total, sentence


def reach_from_of(product_ids: Sequence[int]) -> dict[int, str]:
    """What reach counts for each product (customers unless its product owner chose)."""
    chosen = dict(
        ProductDiscovery.objects.filter(product_id__in=list(set(product_ids))).values_list(
            "product_id", "reach_from"
        )
    )
    return {pk: chosen.get(pk, ReachFrom.CUSTOMERS) for pk in product_ids}


def derived_reach(items: Sequence[BacklogItem]) -> dict[int, DerivedReach]:
    """``backlog.extensions.REACH``: each item's reach from its problems (three queries)."""
    counting = reach_from_of([item.product_id for item in items])
    reaches = item_reach([item.pk for item in items])
    answers: dict[int, DerivedReach] = {}
    for item in items:
        value, sentence = reach_text(reaches[item.pk], counting[item.product_id])
        answers[item.pk] = DerivedReach(value=value, source=sentence)
    return answers


# -- keeping derived scores in step ----------------------------------------------------------------

# The changes that move evidence. New feedback alone does not (no insight yet), so an import
# of many rows asks nothing of the backlog.
EVIDENCE_EVENTS = (
    "insight.*",
    "problem.updated",
    "problem.deleted",
    "problem.restored",
    "feedback.updated",
    "feedback.deleted",
    "feedback.restored",
    "customer.updated",
    "customer.deleted",
    "product_discovery.*",
)
# Fields of feedback and customers that change who is behind an insight.
_FEEDBACK_FIELDS = {"customer", "contact"}
_CUSTOMER_FIELDS = {"merged"}


def _numbers(value: Any) -> set[int]:
    """The ids in a history change (a list, or a before/after pair of lists)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {value}
    if isinstance(value, list | tuple):
        return set().union(*(_numbers(part) for part in value)) if value else set()
    return set()


def _touched_problems(event: Event) -> set[int] | None:
    """The problems whose evidence an insight's or a feedback's change may move; None when
    the change may move any (a problem's links, a merge, the product's choice)."""
    if event.object_type == "insight":
        linked = InsightProblem.objects.filter(insight_id=event.object_id)
        return set(linked.values_list("problem_id", flat=True)) | _numbers(
            event.changes.get("problems")
        )
    if event.object_type == "feedback":
        linked = InsightProblem.objects.filter(insight__feedback_id=event.object_id)
        return set(linked.values_list("problem_id", flat=True))
    return None


def on_evidence_changed(event: Event) -> None:
    """Subscriber: compute again the scores that take reach from the evidence that changed.

    An insight or a piece of feedback narrows it to the items behind its problems (a query or
    two when none of them derives its reach, so capturing many insights stays cheap); other
    changes refresh every derived score of the workspace.
    """
    if event.kind == "feedback.updated" and not _FEEDBACK_FIELDS & set(event.changes):
        return
    if event.kind == "customer.updated" and not _CUSTOMER_FIELDS & set(event.changes):
        return
    if event.kind == "problem.updated" and "items" not in event.changes:
        return
    problems = _touched_problems(event)
    if problems is None:
        scores_refresh_derived(workspace_id=event.workspace_id)
        return
    if not problems:
        return
    items = list(
        ProblemItem.objects.filter(
            problem_id__in=problems,
            item__scores__reach_from_evidence=True,
            item__workspace_id=event.workspace_id,
        )
        .values_list("item_id", flat=True)
        .distinct()
    )
    if items:
        scores_refresh_derived(workspace_id=event.workspace_id, item_ids=items)


# -- the product's choice --------------------------------------------------------------------------


def product_discovery_get(*, actor: Actor, product: Product) -> ProductDiscovery:
    """The product's discovery settings (unsaved defaults, version 0, when never set)."""
    found = ProductDiscovery.objects.select_related("updated_by").filter(
        product=product, workspace_id=actor.workspace_id
    )
    settings = found.first()
    if settings is None:
        settings = ProductDiscovery(workspace_id=actor.workspace_id, product=product, version=0)
    return settings


@transaction.atomic
def product_discovery_set(
    *,
    actor: Actor,
    product: Product,
    reach_from: str,
    expected_version: int | None = None,
) -> ProductDiscovery:
    """Choose what reach from evidence counts for ``product``: ``customers`` or ``contacts``.
    The product's derived scores are computed again when it changes. Version 0 stands for
    settings never saved."""
    require(actor, DiscoveryPermission.CHANGE_DISCOVERY_SETTINGS, product=product)
    if reach_from not in ReachFrom.values:
        raise Invalid.field(
            "reach_from",
            f"must be one of {', '.join(ReachFrom.values)}",
            code=Code.REACH_FROM_INVALID,
        )
    settings = ProductDiscovery.objects.select_for_update().filter(product=product).first()
    if settings is None:
        if expected_version not in (None, 0):
            raise StaleVersion(f"{product.key}'s discovery settings changed; reload them.")
        settings = ProductDiscovery(
            workspace_id=actor.workspace_id,
            product=product,
            reach_from=reach_from,
            updated_by=actor.user,
        )
        try:
            with transaction.atomic():
                settings.save()
        except IntegrityError as exc:
            raise StaleVersion(
                f"Someone else set {product.key}'s discovery settings at the same time; reload."
            ) from exc
        before: Any = ReachFrom.CUSTOMERS.value
        action = HistoryEntry.Action.CREATED
    else:
        check_version(settings, expected_version)
        before = settings.reach_from
        if before == reach_from:
            return settings
        settings.reach_from = reach_from
        settings.updated_by = actor.user
        bump(settings, ["reach_from", "updated_by"])
        action = HistoryEntry.Action.UPDATED
    history_record(
        actor=actor.user,
        workspace_id=actor.workspace_id,
        obj=settings,
        action=action,
        changes={"reach_from": [before, reach_from]},
        label=f"Discovery settings of {product.key}",
    )
    return settings
