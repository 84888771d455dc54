"""Product risks' and experiments' history in words, for the activity feed and their pages."""

from __future__ import annotations

from collections.abc import Mapping

from lodestar.core.history import before_after
from lodestar.core.models import HistoryEntry
from lodestar.discovery.risk_models import ExperimentResult, ExperimentStatus, RiskStatus


def _label(choices: type[RiskStatus | ExperimentStatus | ExperimentResult], value: object) -> str:
    try:
        return str(choices(str(value)).label).lower()
    except ValueError:
        return str(value)


def describe_risk(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """``marked the Value risk of “Exports are slow” addressed (by “Pricing page fake door”)``."""
    if entry.action != HistoryEntry.Action.UPDATED:
        return None
    changes = entry.changes or {}
    label = entry.object_label
    if "status" in changes:
        after = _label(RiskStatus, before_after(changes["status"])[1])
        by = changes.get("experiment_title")
        return f"marked the {label} {after}" + (f" (by “{by}”)" if by else "")
    if changes.get("experiment_title"):
        return f"recorded “{changes['experiment_title']}” as the evidence of the {label}"
    if "experiment" in changes:
        return f"removed the experiment from the evidence of the {label}"
    if "note" in changes:
        return f"changed the evidence of the {label}"
    return None


def describe_experiment(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """Planning, starting, concluding an experiment, and its links."""
    label = f"“{entry.object_label}”"
    changes = entry.changes or {}
    if entry.action == HistoryEntry.Action.CREATED:
        status = changes.get("status")
        if status == ExperimentStatus.CONCLUDED:
            result = _label(ExperimentResult, changes.get("result"))
            return f"recorded the experiment {label}, concluded {result}"
        return f"planned the experiment {label}"
    if entry.action != HistoryEntry.Action.UPDATED:
        return None
    if "status" in changes:
        after = before_after(changes["status"])[1]
        if after == ExperimentStatus.CONCLUDED:
            result = _label(ExperimentResult, before_after(changes.get("result"))[1])
            return f"concluded the experiment {label}: {result}"
        if after == ExperimentStatus.RUNNING:
            return f"started the experiment {label}"
        return f"moved the experiment {label} back to {_label(ExperimentStatus, after)}"
    if "result" in changes:
        result = _label(ExperimentResult, before_after(changes["result"])[1])
        return f"changed the result of {label} to {result}"
    added = [
        part
        for part, value in (("problems", changes.get("problems")), ("items", changes.get("items")))
        if value is not None and before_after(value)[0] is None
    ]
    if added:
        return f"linked {' and '.join(added)} to the experiment {label}"
    if "problems" in changes or "items" in changes:
        return f"unlinked from the experiment {label}"
    if changes:
        fields = ", ".join(name.replace("_", " ") for name in changes)
        return f"changed the {fields} of the experiment {label}"
    return None
