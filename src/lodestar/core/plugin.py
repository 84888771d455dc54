"""What core declares: its periodic housekeeping (the trash, the outbox, rate counters)."""

from __future__ import annotations

import datetime as dt

from lodestar.core.registry import PeriodicTask, Plugin

PLUGIN = Plugin(
    name="core",
    periodic=[
        # Empties the trash of what was deleted more than the retention period ago.
        PeriodicTask("lodestar.core.tasks.purge_trash", dt.timedelta(days=1)),
        # Drops domain events that every durable subscriber has had.
        PeriodicTask("lodestar.core.tasks.purge_outbox", dt.timedelta(days=1)),
        # Drops rate-limit and sign-in counters whose window has ended.
        PeriodicTask("lodestar.core.tasks.purge_rate_counters", dt.timedelta(hours=1)),
        PeriodicTask("lodestar.core.tasks.purge_finished_tasks", dt.timedelta(hours=1)),
    ],
)
