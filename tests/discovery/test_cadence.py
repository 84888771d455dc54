"""Contact cadence: when each member last heard a customer, and whom nobody has heard from."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lodestar.core.trash import trash_move
from lodestar.discovery import services
from lodestar.discovery.cadence import contact_cadence
from lodestar.discovery.models import Customer
from tests.conftest import Persona
from tests.discovery.conftest import Capture

pytestmark = pytest.mark.django_db


def _ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def heard(
    pm: Persona, po: Persona, developer: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    """Globex heard 10 days ago (by the developer), Initech 45 days ago in an interview the
    product owner took part in (captured by the product manager); Hooli never."""
    capture("Exports are slow.", customer=customers["globex"], received_at=_ago(10),
            actor=developer.actor)  # fmt: skip
    capture(
        "Interview notes.",
        customer=customers["initech"],
        received_at=_ago(45),
        source="interview",
        members=[po.membership, pm.membership],
    )


def test_members_and_quiet_customers(
    heard: None,
    pm: Persona,
    po: Persona,
    developer: Persona,
    viewer: Persona,
    owner: Persona,
    customers: dict[str, Customer],
) -> None:
    cadence = contact_cadence(actor=pm.actor)
    members = {row.member.user.email: row for row in cadence.members}
    assert viewer.email not in members  # viewers record no feedback
    assert members[developer.email].last_feedback is not None
    assert (timezone.now() - members[developer.email].last_feedback).days == 10
    assert members[developer.email].last_interview is None
    assert (timezone.now() - members[pm.email].last_feedback).days == 45
    assert (timezone.now() - members[pm.email].last_interview).days == 45
    assert members[po.email].last_feedback is None
    assert (timezone.now() - members[po.email].last_interview).days == 45
    # Most recent first; members never in touch last.
    assert cadence.members[0].member.user.email == developer.email
    assert cadence.members[-1].member.user.email == owner.email
    assert cadence.members[-1].last is None
    bands = {band.days: [q.customer.name for q in band.customers] for band in cadence.bands}
    assert bands == {90: ["Hooli"], 30: ["Initech"]}
    assert cadence.quiet == 2
    assert [(s.segment, s.customers) for s in cadence.segments] == [("SMB", 2)]


def test_trashed_feedback_does_not_count_as_contact(
    pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    feedback = capture("Slow.", customer=customers["globex"], received_at=_ago(2))
    capture("Slow.", customer=customers["globex"], received_at=_ago(70))
    trash_move(actor=pm.actor, obj=feedback)
    bands = {
        b.days: [q.customer.name for q in b.customers]
        for b in contact_cadence(actor=pm.actor).bands
    }
    assert bands[60] == ["Globex"]


def test_cadence_costs_the_same_for_more_customers_and_feedback(
    pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    capture("Slow.", customer=customers["globex"], received_at=_ago(3))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            contact_cadence(actor=pm.actor)
        return len(queries)

    few = count()
    for number in range(12):
        customer = services.customer_create(
            actor=pm.actor, name=f"Customer {number}", segment="Mid"
        )
        capture("Slow.", customer=customer, received_at=_ago(number * 9), source="interview",
                members=[pm.membership])  # fmt: skip
    assert count() == few == 4


def test_the_home_page_shows_it(
    heard: None, viewer: Persona, client: Client, django_assert_max_num_queries: Any
) -> None:
    client.force_login(viewer.user)
    client.get("/w/acme/")  # the session's first page also writes the session
    page = client.get("/w/acme/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="cadence"' in html
    assert "Customer contact" in html
    assert "Hooli" in html
    assert "never heard from" in html
    assert "30 to 59 days" in html
    assert "Segments nobody heard from in 30 days:</strong> SMB" in html
    assert '2</span><span class="label">Customers not heard from in 30 days' in html


def test_no_card_without_customers(viewer: Persona, client: Client) -> None:
    client.force_login(viewer.user)
    html = client.get("/w/acme/").content.decode()
    assert 'data-testid="cadence"' not in html
