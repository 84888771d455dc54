"""The gate of the coverage context: the object a trace starts from."""

from __future__ import annotations

from typing import Any

from lodestar.core.errors import NotFound
from lodestar.core.registry import registry
from lodestar.coverage.errors import CoverageErrorCode as Code
from lodestar.coverage.trace import ORIGINS


def access_trace_origin(actor: Any, kind: str, ref: str) -> Any:
    """The object ``ref`` of ``kind`` through its kind's own gate: NotFound (404) for a kind
    that is not on the loop, and for an object that is missing or in another workspace alike."""
    object_type = registry().object_type(kind) if kind in ORIGINS else None
    if object_type is None or object_type.gate is None:
        raise NotFound(
            f"There is no trace of {kind!r}: choose one of {', '.join(sorted(ORIGINS))}.",
            code=Code.TRACE_KIND_UNKNOWN,
        )
    return object_type.gate(actor, ref)
