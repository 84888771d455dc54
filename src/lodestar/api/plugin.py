"""What the API declares: its periodic housekeeping (stored Idempotency-Key answers)."""

from __future__ import annotations

import datetime as dt

from lodestar.core.registry import PeriodicTask, Plugin

PLUGIN = Plugin(
    name="api",
    periodic=[PeriodicTask("lodestar.api.tasks.purge_idempotency", dt.timedelta(days=1))],
)
