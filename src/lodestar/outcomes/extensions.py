"""The questions the outcomes context asks later contexts (``core.extensions``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from lodestar.core.extensions import ExtensionPoint
from lodestar.outcomes.models import Metric


@dataclass(frozen=True)
class MetricSection:
    """A section of a metric's page: ``render(request, metric)`` gives its HTML (escaped by
    its own template), or "" to leave it out."""

    name: str
    render: Callable[[HttpRequest, Metric], str]
    order: int = 100


METRIC_SECTIONS: ExtensionPoint[MetricSection] = ExtensionPoint("outcomes.metric_sections")
