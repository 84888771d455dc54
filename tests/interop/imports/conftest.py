"""Import fixtures: the ``ACME`` product of team ``core`` and a small Jira-like bundle."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lodestar.interop.imports.bundle import (
    Bundle,
    SourceComment,
    SourceItem,
    SourcePerson,
    SourceRelease,
    SourceSprint,
    SourceStatus,
)
from tests.strategy.conftest import product

__all__ = ["make_bundle", "product"]

UTC = dt.UTC
TODO = SourceStatus("To Do", "todo")
DOING = SourceStatus("In Progress", "in_progress")
DONE = SourceStatus("Done", "done")


def make_bundle() -> Bundle:
    """An epic with three stories, the first story before its epic (rank order), comments by
    a member (matched by email) and by someone unknown, a release and two sprints."""
    day = dt.datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    return Bundle(
        source="jira",
        people=[
            SourcePerson("u-owner", "Olive Owner", "owner@acme.test"),
            SourcePerson("u-ext", "Eve Outside", "eve@elsewhere.test"),
            SourcePerson("u-anon", "Nameless Ned"),
        ],
        items=[
            SourceItem(
                external_id="PAY-2",
                where="line 2",
                title="Pay by card",
                description="Cards **first**",
                status=DOING,
                estimate=Decimal("5"),
                labels=("payments", "web"),
                parent="PAY-1",
                reporter="u-owner",
                sprints=("S1", "S2"),
                release="R1",
                comments=(
                    SourceComment("c1", "Looks good", "u-owner", day + dt.timedelta(days=1)),
                    SourceComment("c2", "What about **3DS**?", "u-anon", day),
                ),
                created_at=day,
                updated_at=day + dt.timedelta(days=2),
            ),
            SourceItem(
                external_id="PAY-1",
                where="line 3",
                title="Payments",
                kind="epic",
                status=TODO,
                reporter="u-ext",
                created_at=day - dt.timedelta(days=10),
            ),
            SourceItem(
                external_id="PAY-3",
                where="line 4",
                title="Refunds",
                status=DONE,
                parent="PAY-1",
                sprints=("S1",),
                release="R1",
            ),
            SourceItem(
                external_id="PAY-4",
                where="line 5",
                title="Receipts <script>alert(1)</script>",
                description="<img src=x onerror=alert(1)> *ok*",
                status=TODO,
                parent="PAY-1",
            ),
        ],
        sprints=[
            SourceSprint(
                "S1", "line 2", "Sprint 1", "closed", dt.date(2026, 3, 2), dt.date(2026, 3, 15)
            ),
            SourceSprint(
                "S2", "line 2", "Sprint 2", "active", dt.date(2026, 3, 16), dt.date(2026, 3, 29)
            ),
        ],
        releases=[SourceRelease("R1", "line 2", "1.0", target=dt.date(2026, 6, 1))],
        notes=["separator ,"],
    )


@pytest.fixture
def bundle() -> Bundle:
    return make_bundle()
