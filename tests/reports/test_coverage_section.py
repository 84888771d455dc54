"""The report's section on who carried product management: the coverage of the product over
the report's period with its summary, on the page, in JSON and in Markdown; a period before
anything happened says nobody."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.reports.markdown import report_markdown
from lodestar.reports.schemas import ReportOut
from lodestar.reports.selectors import stakeholder_report
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.strategy.conftest import product

__all__ = ["product"]

pytestmark = pytest.mark.django_db


def test_the_report_says_who_carried_each_duty_in_its_period(
    owner: Persona, po: Persona, product: Product
) -> None:
    first, second, third = (
        backlog.item_create(actor=owner.actor, product=product, title=title)
        for title in ("One", "Two", "Three")
    )
    backlog.item_move(actor=po.actor, item=second, before=first)
    backlog.item_move(actor=po.actor, item=third, before=first)
    today = timezone.localdate()

    report = stakeholder_report(owner.actor, product, today - dt.timedelta(days=29), today)

    lines = {line.duty: line for line in report.coverage}
    assert len(lines) == 10
    assert lines["order_backlog"].people == ["Po (QA Engineer)"]
    assert lines["order_backlog"].total == 2
    assert lines["order_backlog"].last_on == today
    assert lines["talk_to_customers"].people == []
    assert any(s.startswith("The product owner hat, worn by Po") for s in report.coverage_summary)
    body = ReportOut.of(report).model_dump(mode="json")
    assert body["coverage"][0]["duty"] == "talk_to_customers"
    assert body["coverage_summary"] == report.coverage_summary
    text = report_markdown(report)
    assert "## Who carried product management" in text
    assert "| Orders the backlog | Po (QA Engineer) | 2 |" in text

    before = stakeholder_report(
        owner.actor, product, today - dt.timedelta(days=400), today - dt.timedelta(days=370)
    )
    assert all(line.total == 0 for line in before.coverage)


def test_the_report_says_where_the_top_of_the_backlog_stands(
    owner: Persona, product: Product
) -> None:
    backlog.item_create(actor=owner.actor, product=product, title="Refactor the grid")
    today = timezone.localdate()

    report = stakeholder_report(owner.actor, product, today - dt.timedelta(days=29), today)

    assert report.focus is not None
    assert report.focus.items == 1
    assert report.focus.without_evidence == ["ACME-1 Refactor the grid"]
    assert ReportOut.of(report).model_dump(mode="json")["focus"]["items"] == 1
    text = report_markdown(report)
    assert "## Backlog focus" in text
    assert "- 1 without evidence: ACME-1 Refactor the grid." in text
