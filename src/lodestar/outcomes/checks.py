"""The go-live check outcomes answers for releases (``releases.extensions.RELEASE_CHECKS``):
success criteria are defined, so that whether the release worked can be measured."""

from __future__ import annotations

from lodestar.outcomes.models import SuccessCriterion
from lodestar.releases.extensions import CheckResult
from lodestar.releases.models import Release


def criteria_check(release: Release) -> CheckResult:
    """At least one success criterion is set on the release (one query)."""
    names = list(
        SuccessCriterion.objects.filter(release=release)
        .order_by("id")
        .values_list("metric__name", flat=True)[:4]
    )
    if not names:
        return CheckResult(
            False, "No success criterion yet: say which metric shows whether it worked."
        )
    shown = ", ".join(names[:3]) + (" and more" if len(names) > 3 else "")
    return CheckResult(True, f"Measured by {shown}.")
