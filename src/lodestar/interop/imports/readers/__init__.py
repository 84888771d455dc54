"""The readers, by the format the CLI, the API and the page name (``jira`` takes Jira's CSV
and its XML, told apart by their first bytes)."""

from __future__ import annotations

from lodestar.interop.imports.bundle import Reader

READERS: dict[str, Reader] = {}
