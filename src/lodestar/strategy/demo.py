"""The demo product's owner: the product owner hat is a product's, so the product's demo gives
it. Priya, the product manager, wore the ACME hat from when the teams formed until she handed
it to Quinn, a QA engineer, some seven months ago (before any period the coverage page shows);
both teams (Checkout and Insights) share it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from lodestar.core.models import HistoryEntry
from lodestar.strategy import services
from lodestar.strategy.models import Product, ProductOwnerHat

if TYPE_CHECKING:
    from lodestar.people.demo import DemoPeople

FIRST_OWNER = "priya"
OWNER = "quinn"
# Days ago: when the first owner took the hat (the teams formed), and when she handed it over.
TAKEN_DAYS_AGO = 330
HANDOVER_DAYS_AGO = 200


def seed_product_owner(people: DemoPeople, product: Product) -> None:
    """Give ``product``'s hat to the first owner, then to the owner, dated back."""
    admin = people.actor("priya")
    first = HistoryEntry.objects.filter(workspace=people.workspace).latest("id").pk + 1
    for key in (FIRST_OWNER, OWNER):
        services.product_owner_set(actor=admin, product=product, member=people.members[key])
    now = timezone.now()
    taken = now - dt.timedelta(days=TAKEN_DAYS_AGO)
    handed_over = now - dt.timedelta(days=HANDOVER_DAYS_AGO)
    hats = ProductOwnerHat.objects.filter(product=product)
    hats.filter(member=people.members[FIRST_OWNER]).update(started_at=taken, ended_at=handed_over)
    hats.filter(member=people.members[OWNER]).update(started_at=handed_over)
    entries = HistoryEntry.objects.filter(workspace=people.workspace, pk__gte=first).order_by("id")
    for entry, when in zip(entries, (taken, handed_over), strict=False):
        HistoryEntry.objects.filter(pk=entry.pk).update(created_at=when)
