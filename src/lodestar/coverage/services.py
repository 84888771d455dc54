"""The coverage context's one write: a workspace's thresholds for the summary's rules (one
transaction, the version checked, recorded in history). Everything else here is read."""

from __future__ import annotations

from django.db import transaction

from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import FieldError, Invalid
from lodestar.core.history import changes_since, history_record, snapshot
from lodestar.core.models import HistoryEntry
from lodestar.coverage.errors import CoverageErrorCode as Code
from lodestar.coverage.models import (
    CARRIES_MIN_RANGE,
    DISCOVERY_GAP_MIN_RANGE,
    CoverageThresholds,
)
from lodestar.coverage.permissions import CoveragePermission
from lodestar.coverage.summary import DEFAULT_THRESHOLDS, Thresholds
from lodestar.people.policy import Actor, require

FIELDS = ["carries_min", "discovery_gap_min"]
RULES = {
    "carries_min": (
        CARRIES_MIN_RANGE,
        "the activities of a duty a person must do in the period to carry it",
    ),
    "discovery_gap_min": (
        DISCOVERY_GAP_MIN_RANGE,
        "how many of the four discovery and outcome duties must have nobody for the "
        "discovery gap sentence",
    ),
}


def thresholds_of(workspace_id: int) -> tuple[Thresholds, int]:
    """The workspace's thresholds and their version, in one read: the defaults at version 1
    when it has set none."""
    row = (
        CoverageThresholds.objects.filter(workspace_id=workspace_id)
        .values_list(*FIELDS, "version")
        .first()
    )
    if row is None:
        return DEFAULT_THRESHOLDS, 1
    return Thresholds(*row[:-1]), row[-1]


def thresholds_for(workspace_id: int) -> Thresholds:
    """The workspace's thresholds, or the defaults when it has set none."""
    return thresholds_of(workspace_id)[0]


def _whole(field: str, value: object) -> int | FieldError:
    (low, high), what = RULES[field]
    rule = f"must be a whole number from {low} to {high} ({what})"
    if isinstance(value, bool) or value is None:
        return FieldError(field, rule)
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text.isdigit() or len(text) > 6:
            return FieldError(field, f"{rule}, not '{text[:20]}'")
        number = int(text)
    if not low <= number <= high:
        return FieldError(field, f"{rule}, not {number}")
    return number


@transaction.atomic
def thresholds_set(
    *,
    actor: Actor,
    carries_min: object = None,
    discovery_gap_min: object = None,
    expected_version: int | None = None,
) -> CoverageThresholds:
    """Set the workspace's thresholds (None leaves one as it is). Anything but a whole number
    in its range is a 422 naming the field, and nothing is written."""
    require(actor, CoveragePermission.SET_COVERAGE_THRESHOLDS)
    given = {"carries_min": carries_min, "discovery_gap_min": discovery_gap_min}
    checked = {field: _whole(field, value) for field, value in given.items() if value is not None}
    errors = [error for error in checked.values() if isinstance(error, FieldError)]
    if errors:
        raise Invalid.fields(errors, code=Code.COVERAGE_THRESHOLDS_INVALID)
    row, _ = CoverageThresholds.objects.select_for_update().get_or_create(
        workspace_id=actor.workspace_id
    )
    check_version(row, expected_version)
    before = snapshot(row, FIELDS)
    for field, value in checked.items():
        setattr(row, field, value)
    changes = changes_since(row, before)
    if not changes:
        return row
    row.updated_by = actor.user
    bump(row, [*changes, "updated_by"])
    history_record(
        actor=actor.user,
        workspace_id=actor.workspace_id,
        obj=row,
        action=HistoryEntry.Action.UPDATED,
        changes=changes,
    )
    return row
