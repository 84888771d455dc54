"""Background work of the outcomes context."""

from __future__ import annotations

from django_tasks import task


@task()
def evaluate_due_outcomes() -> int:
    """Hourly: the review of every success criterion whose evaluation window has closed, and
    again for those whose metric got late samples since."""
    from lodestar.outcomes.services import outcomes_evaluate_due

    return outcomes_evaluate_due()
