"""A workspace, a product owner with an API token, and a product with a large backlog.

People, the team, the product and its goal go through the services (as a real installation
would have them); the backlog items are bulk-inserted with keys from ``core.ranking`` because
seeding speed is not what the benchmark measures (their Markdown is rendered and stored, as
the services do when an item is written). The items look like a real backlog: most have
a Markdown description, about half acceptance criteria, some labels, an assignee, a parent epic
and the goal, so a page costs what a real page costs.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus, Label, fold_label
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.core.ranking import keys_between
from lodestar.people import services as people
from lodestar.people.models import Membership, User
from lodestar.people.policy import Actor
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product

WORKSPACE = "bench"
PRODUCT = "BENCH"
PASSWORD = "bench-password-not-secret"  # a throwaway database
BATCH = 2000
LABELS = [
    "onboarding", "billing", "reporting", "performance", "mobile", "api", "security",
    "accessibility", "search", "notifications", "export", "admin",
]  # fmt: skip
WORDS = [
    "customer", "dashboard", "export", "report", "invoice", "filter", "search", "onboarding",
    "team", "permission", "notification", "billing", "account", "usage", "chart", "import",
    "sync", "mobile", "email", "reminder", "template",
]  # fmt: skip
CRITERIA = [
    "Given a signed-in member, when they open the page, then they see **their** items only",
    "The export contains every column shown in the table",
    "Errors say what to fix and keep what was typed",
    "Works with a keyboard alone",
    "Loads in under a second on a 100-item list",
]


# Acceptance criteria come from a short list: render each once.
_render_criterion = functools.lru_cache(maxsize=None)(render_markdown)


@dataclass(frozen=True)
class Fixture:
    """What the measurements need: who calls, with which token, on which product."""

    workspace_slug: str
    product_key: str
    product_id: int
    token: str
    items: int
    epic_keys: list[str]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _description(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return ""
    return (
        f"As a **{rng.choice(WORDS)}** user I want to {_text(rng, 8)} so that {_text(rng, 10)}.\n\n"
        f"- {_text(rng, 6)}\n- {_text(rng, 5)}\n- see [the spec](https://example.com/spec)\n\n"
        f"`{rng.choice(WORDS)}_{rng.choice(WORDS)}` {_text(rng, 20)}"
    )


def _people(members: int) -> tuple[Actor, Actor, list[Membership]]:
    owner_user = people.user_create(email="owner@bench.test", password=PASSWORD)
    workspace = people.workspace_create(slug=WORKSPACE, name="Bench", owner=owner_user)
    owner = Actor(
        user=owner_user, membership=Membership.objects.get(workspace=workspace, user=owner_user)
    )
    staff: list[Membership] = []
    for i in range(members):
        user = User.objects.create_user(f"member{i}@bench.test", None)
        staff.append(
            people.member_add(actor=owner, email=user.email, role="member", job_title="Engineer")
        )
    po_user = User.objects.create_user("po@bench.test", None, full_name="Pat Owner")
    po_member = people.member_add(
        actor=owner, email=po_user.email, role="member", job_title="QA Engineer"
    )
    return owner, Actor(user=po_user, membership=po_member), staff


@transaction.atomic
def seed(n_items: int, rng: random.Random) -> Fixture:
    """The whole scratch workspace; returns what the measurements call with."""
    owner, po, staff = _people(members=8)
    team = people.team_create(actor=owner, name="Core")
    product = strategy.product_create(actor=owner, key=PRODUCT, name="Bench product")
    strategy.team_product_set(actor=owner, team=team, product=product)
    strategy.product_owner_set(actor=owner, product=product, member=po.membership)
    goal = strategy.goal_set(actor=po, product=product, statement="Teams report without help")
    _, secret = people.token_create(actor=po, name="bench")
    labels = Label.objects.bulk_create(
        [Label(product=product, name=name, folded=fold_label(name)) for name in LABELS]
    )
    epics = _items(product, po, staff, goal.pk, labels, n_items, rng)
    Product.objects.filter(pk=product.pk).update(next_item_number=n_items + 1)
    return Fixture(
        workspace_slug=WORKSPACE,
        product_key=PRODUCT,
        product_id=product.pk,
        token=secret,
        items=n_items,
        epic_keys=epics,
    )


def _items(
    product: Product,
    po: Actor,
    staff: list[Membership],
    goal_id: int,
    labels: list[Label],
    n_items: int,
    rng: random.Random,
) -> list[str]:
    """Bulk-insert the backlog in rank order (one in 50 an epic, with stories under it)."""
    ranks = keys_between(None, None, n_items)
    start = timezone.now() - dt.timedelta(days=365)
    epic_keys: list[str] = []
    for first in range(0, n_items, BATCH):
        rows: list[BacklogItem] = []
        for number in range(first + 1, min(first + BATCH, n_items) + 1):
            is_epic = number % 50 == 1
            kind = ItemKind.EPIC if is_epic else rng.choice([*[ItemKind.STORY] * 6, "task", "bug"])
            created = start + dt.timedelta(seconds=number * 30)
            description = _description(rng)
            criteria = rng.sample(CRITERIA, rng.choice([0, 0, 1, 2, 3]))
            rows.append(
                BacklogItem(
                    workspace_id=product.workspace_id,
                    product=product,
                    number=number,
                    key=f"{product.key}-{number}",
                    kind=kind,
                    title=f"{_text(rng, rng.randint(3, 9)).capitalize()} ({number})",
                    description=description,
                    description_html=render_markdown(description),
                    acceptance_criteria=criteria,
                    acceptance_criteria_html=[_render_criterion(c) for c in criteria],
                    estimate=Decimal(rng.choice([1, 2, 3, 5, 8])) if rng.random() < 0.6 else None,
                    status=rng.choice([ItemStatus.NEW] * 4 + [ItemStatus.READY]),
                    assignee=rng.choice(staff) if rng.random() < 0.3 else None,
                    goal_id=goal_id if rng.random() < 0.7 else None,
                    rank=ranks[number - 1],
                    created_by=po.user,
                    created_at=created,
                    updated_at=created,
                )
            )
            if is_epic:
                epic_keys.append(rows[-1].key)
        BacklogItem.objects.bulk_create(rows)
        ids = dict(
            BacklogItem.objects.filter(
                product=product, number__gt=first, number__lte=first + BATCH
            ).values_list("number", "pk")
        )
        _link(ids, labels, rng)
        _parents(product, ids)
        HistoryEntry.objects.bulk_create(
            HistoryEntry(
                workspace_id=product.workspace_id,
                actor=po.user,
                object_type="backlog.backlogitem",
                object_id=ids[row.number],
                object_label=f"{row.key} {row.title}"[:255],
                action=HistoryEntry.Action.CREATED,
                changes={"kind": row.kind, "title": row.title, "rank": row.rank},
                created_at=row.created_at,
            )
            for row in rows
        )
    return epic_keys


def _link(ids: dict[int, int], labels: list[Label], rng: random.Random) -> None:
    through = BacklogItem.labels.through
    links = []
    for pk in ids.values():
        if rng.random() < 0.4:
            for label in rng.sample(labels, rng.choice([1, 1, 2])):
                links.append(through(backlogitem_id=pk, label_id=label.pk))
    through.objects.bulk_create(links)


def _parents(product: Product, ids: dict[int, int]) -> None:
    """Stories right after an epic (the next 20 numbers) belong to it."""
    for number, pk in ids.items():
        if number % 50 == 1:
            BacklogItem.objects.filter(
                product=product,
                number__gt=number,
                number__lte=number + 20,
                kind=ItemKind.STORY,
            ).update(parent_id=pk)


def analyze() -> None:
    """Fresh planner statistics on PostgreSQL (autovacuum would gather them within a minute).

    SQLite gets none: Lodestar never runs ``ANALYZE`` there, so neither does the benchmark.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
