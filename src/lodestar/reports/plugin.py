"""What the reports context declares: its pages, its API and its entry in the navigation.

Reports write nothing and own no object: a report is read by whoever may see the product
(viewers included: stakeholders are the audience), through the product's own gate."""

from __future__ import annotations

from lodestar.core.registry import NavEntry, Plugin

PLUGIN = Plugin(
    name="reports",
    urls=["lodestar.reports.urls"],
    api=["lodestar.reports.api"],
    navigation=[NavEntry("reports", "Reports", "reports:home", icon="list", order=60)],
)
