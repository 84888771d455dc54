"""The demo's product risks and experiments: the first problems and the sharing epic of ACME
with their four risks at different stages, and the experiments behind them — one concluded
validated (it addresses a value risk), one invalidated, one running, one planned from data.

Written through the services by the demo's product manager, so history, coverage and the
Definition of Ready read them as they would read real work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from lodestar.backlog.models import BacklogItem, ItemKind
from lodestar.discovery import risk_services as services
from lodestar.discovery.models import Problem
from lodestar.people.demo import DemoPeople
from lodestar.strategy.models import Product


def seed(people: DemoPeople, product: Product | None, problems: Sequence[Problem]) -> None:
    """Risks and experiments on the first two problems and the first epic of ``product``."""
    if product is None or len(problems) < 2:
        return
    actor = people.actor("priya")
    today = timezone.localdate()
    sharing, reports = problems[0], problems[1]
    epic = BacklogItem.objects.filter(product=product, kind=ItemKind.EPIC).order_by("rank").first()
    interviews = services.experiment_create(
        actor=actor,
        product=product,
        title="Board-pack interviews",
        hypothesis="Finance leads would replace board-deck screenshots with a live read-only link.",
        method="interview",
        success_signal="At least 6 of 8 finance leads say they would send a link instead.",
        status="concluded",
        result="validated",
        result_text="7 of 8 would send a link; 5 asked for a domain restriction.",
        started_on=today - dt.timedelta(days=40),
        ended_on=today - dt.timedelta(days=26),
        problems=[sharing],
        items=[epic] if epic is not None else [],
    )
    services.risk_set(
        actor=actor,
        subject=sharing,
        kind="value",
        status="addressed",
        note="Seven of eight finance leads would send a link instead of screenshots.",
        experiment=interviews,
    )
    services.risk_set(
        actor=actor,
        subject=sharing,
        kind="viability",
        status="testing",
        note="Does a free viewer seat cannibalise paid seats? Sales is checking with two accounts.",
    )
    prototype = services.experiment_create(
        actor=actor,
        product=product,
        title="Share-dialog prototype test",
        hypothesis="Admins can share a dashboard with an outside viewer in under a minute.",
        method="prototype",
        success_signal="5 of 6 admins finish unaided in under 60 seconds.",
        status="running",
        started_on=today - dt.timedelta(days=5),
        problems=[sharing],
        items=[epic] if epic is not None else [],
    )
    if epic is not None:
        services.risk_set(
            actor=actor, subject=epic, kind="value", status="addressed", experiment=interviews
        )
        services.risk_set(actor=actor, subject=epic, kind="usability", status="testing")
        services.risk_set(
            actor=actor,
            subject=epic,
            kind="feasibility",
            status="addressed",
            note="Spike: signed read-only links reuse the embed renderer; no new service.",
        )
    services.risk_set(
        actor=actor, subject=sharing, kind="usability", status="testing", experiment=prototype
    )
    timing = services.experiment_create(
        actor=actor,
        product=product,
        title="Send reports in each recipient's time zone",
        hypothesis="Late reports are a time-zone problem: sending at 8am local fixes most of them.",
        method="ab_test",
        success_signal="Complaints about late reports halve in the test group over two weeks.",
        status="concluded",
        result="invalidated",
        result_text="No change: the late reports were refresh failures, not time zones.",
        started_on=today - dt.timedelta(days=60),
        ended_on=today - dt.timedelta(days=45),
        problems=[reports],
    )
    services.risk_set(
        actor=actor,
        subject=reports,
        kind="feasibility",
        status="testing",
        note="The time-zone fix was not it; now checking refresh failures.",
        experiment=timing,
    )
    services.experiment_create(
        actor=actor,
        product=product,
        title="Which schedules fail after a bounced address",
        method="data_analysis",
        success_signal="A failure pattern that explains at least half of the missing reports.",
        problems=[reports],
    )
