"""The questions the discovery context asks later contexts (``core.extensions``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from lodestar.core.extensions import ExtensionPoint
from lodestar.discovery.models import Problem


@dataclass(frozen=True)
class ProblemSection:
    """A section of a problem's page: ``render(request, problem)`` gives its HTML (escaped by
    its own template), or "" to leave it out."""

    name: str
    render: Callable[[HttpRequest, Problem], str]
    order: int = 100


PROBLEM_SECTIONS: ExtensionPoint[ProblemSection] = ExtensionPoint("discovery.problem_sections")
