from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Rate-limit counters are keyed by token id, which a rolled-back test hands out again."""
    caches["default"].clear()
    yield
    caches["default"].clear()
