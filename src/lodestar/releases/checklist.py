"""A release's go-live checklist: the checks every context declares (``RELEASE_CHECKS``,
releases' own two among them) and the product's own checks, ticked by hand per release."""

from __future__ import annotations

from dataclasses import dataclass

from lodestar.backlog.models import ItemStatus
from lodestar.releases.extensions import RELEASE_CHECKS, CheckResult
from lodestar.releases.models import ProductCheck, Release, ReleaseCheckTick, ReleaseItem

# The open items named in the items check's detail; the rest are counted.
NAMED = 10


@dataclass(frozen=True)
class ChecklistEntry:
    """One line of the checklist. ``key`` is the check's name (``items``, ``notes``, a
    provider's name) or ``product:<id>`` for one of the product's own checks."""

    key: str
    label: str
    met: bool
    detail: str
    product_check_id: int | None = None


def items_check(release: Release) -> CheckResult:
    """Every item of the release is done or consciously dropped (and it holds at least one)."""
    rows = list(
        ReleaseItem.objects.filter(
            release=release, dropped_at__isnull=True, item__deleted_at__isnull=True
        )
        .select_related("item")
        .order_by("item__rank", "id")
        .values_list("item__key", "item__status")
    )
    if not rows:
        return CheckResult(False, "The release holds no items yet.")
    open_ = [(key, status) for key, status in rows if status != ItemStatus.DONE]
    if not open_:
        return CheckResult(True, f"All {len(rows)} items are done.")
    named = ", ".join(
        f"{key} ({ItemStatus(status).label.lower()})" for key, status in open_[:NAMED]
    )
    more = f" and {len(open_) - NAMED} more" if len(open_) > NAMED else ""
    return CheckResult(
        False,
        f"{len(open_)} of {len(rows)} items are neither done nor dropped: {named}{more}.",
    )


def notes_check(release: Release) -> CheckResult:
    """The release notes are written (saved, not only drafted)."""
    if release.notes.strip():
        return CheckResult(True, "Written.")
    return CheckResult(False, "Not written yet: draft them from the done items and save them.")


def checklist(release: Release) -> list[ChecklistEntry]:
    """Every check, declared ones first (in their order), then the product's own in the order
    they were added."""
    entries = []
    for check in RELEASE_CHECKS.providers():
        result = check.evaluate(release)
        entries.append(ChecklistEntry(check.name, check.label, result.met, result.detail))
    ticks = {
        tick.product_check_id: tick
        for tick in ReleaseCheckTick.objects.filter(release=release).select_related("ticked_by")
    }
    for own in ProductCheck.objects.filter(product_id=release.product_id).order_by(
        "created_at", "id"
    ):
        tick = ticks.get(own.pk)
        if tick is None:
            detail = "Not ticked yet."
        else:
            who = tick.ticked_by.display_name if tick.ticked_by else "someone"
            detail = f"Ticked by {who} on {tick.ticked_at:%d %b %Y}."
        entries.append(
            ChecklistEntry(f"product:{own.pk}", own.label, tick is not None, detail, own.pk)
        )
    return entries


def unmet(entries: list[ChecklistEntry]) -> list[ChecklistEntry]:
    return [entry for entry in entries if not entry.met]
