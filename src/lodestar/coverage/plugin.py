"""What the coverage context declares: its API. It writes nothing and owns no object:
coverage is read from what the other contexts record, by every member of the workspace."""

from __future__ import annotations

from lodestar.core.registry import Plugin

PLUGIN = Plugin(name="coverage", api=["lodestar.coverage.api"])
