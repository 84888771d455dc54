"""The go-live checklist as an extension point: what must hold before a release goes live.

Releases answers two checks itself (every item done or dropped; release notes written) and
keeps each product's own checks (ticked by hand per release). A later context adds a check by
declaring a provider in its plugin, without releases importing it:

    # outcomes/plugin.py
    PLUGIN = Plugin(name="outcomes", provides=[(RELEASE_CHECKS, ReleaseCheck(
        "success_criteria", "Success criteria are defined", evaluate=_criteria_defined,
        order=30))])

``evaluate(release)`` answers a ``CheckResult``: whether the check is met and, in words, what
is missing ("no success criterion yet") or what satisfied it. It reads in a constant number of
queries. Checks run in one defined order (``order``, then ``name``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lodestar.core.extensions import ExtensionPoint

if TYPE_CHECKING:
    from django.http import HttpRequest

    from lodestar.releases.models import Release


@dataclass(frozen=True)
class CheckResult:
    met: bool
    detail: str


@dataclass(frozen=True)
class ReleaseCheck:
    """A go-live check: ``name`` is stable (the API's ``key``), ``label`` says what must hold."""

    name: str
    label: str
    evaluate: Callable[[Release], CheckResult]
    order: int = 100


RELEASE_CHECKS: ExtensionPoint[ReleaseCheck] = ExtensionPoint("releases.checks")


@dataclass(frozen=True)
class ReleaseSection:
    """A section of a release's page that a later context adds (its success criteria and
    outcomes, the decisions about it): ``render(request, release)`` gives its HTML (escaped by
    its own template), or "" to leave it out."""

    name: str
    render: Callable[[HttpRequest, Release], str]
    order: int = 100


RELEASE_SECTIONS: ExtensionPoint[ReleaseSection] = ExtensionPoint("releases.sections")
