"""What the interop context declares. It sits on top of every other context (an import writes
through their services, an export reads all of them, webhooks tell of every event)."""

from __future__ import annotations

import datetime as dt

from lodestar.core.registry import NavEntry, PeriodicTask, Plugin
from lodestar.interop.exports.permissions import PERMISSIONS as EXPORT_PERMISSIONS

PLUGIN = Plugin(
    name="interop",
    urls=["lodestar.interop.urls"],
    api=["lodestar.interop.exports.api"],
    permissions=[*EXPORT_PERMISSIONS],
    navigation=[NavEntry("exports", "Exports", "interop:export_list", icon="box", order=92)],
    periodic=[
        PeriodicTask("lodestar.interop.exports.tasks.purge_expired_exports", dt.timedelta(days=1))
    ],
)
