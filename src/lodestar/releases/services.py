"""Every write of the releases context: a release and its state, its items (added, removed,
dropped with a reason), its notes, the product's own checks and their ticks, and going live
(refused past unmet checks unless the product owner or an admin forces it with a reason).
One transaction each; history recorded with the change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone

from lodestar.backlog.models import BacklogItem
from lodestar.core.concurrency import bump, check_version
from lodestar.core.db import insert_plain_rows
from lodestar.core.errors import FieldError, Invalid
from lodestar.core.history import history_record
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.people.policy import Actor, require
from lodestar.releases.checklist import checklist, unmet
from lodestar.releases.errors import ReleaseErrorCode as Code
from lodestar.releases.models import (
    ProductCheck,
    Release,
    ReleaseCheckTick,
    ReleaseItem,
    ReleaseState,
)
from lodestar.releases.permissions import ReleasePermission
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import product_team_query

Action = HistoryEntry.Action

NAME_MAX = 100
TEXT_MAX = 50_000
REASON_MAX = 2000
LABEL_MAX = 200
ITEMS_MAX = 500
# The most a bulk writer adds in one call (``release_items_add``'s ``at_most``).
BULK_ITEMS_MAX = 10_000
CHECKS_MAX = 50
# The states a release may be moved to by hand (going live has its own act, ``release_go_live``).
TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    ReleaseState.PLANNED: (ReleaseState.IN_PROGRESS, ReleaseState.CANCELLED),
    ReleaseState.IN_PROGRESS: (ReleaseState.PLANNED, ReleaseState.CANCELLED),
    ReleaseState.CANCELLED: (ReleaseState.PLANNED,),
    ReleaseState.LIVE: (),
}
CANCEL_REASON = "The release was cancelled."


class _Keep:
    """A keyword left out."""


KEEP: Final = _Keep()


def label_of(release: Release) -> str:
    return f"{release.product.key} {release.name}"


def _record(actor: Actor | None, release: Release, action: str, changes: dict[str, Any]) -> None:
    history_record(
        actor=actor.user if actor is not None else None,
        workspace_id=release.workspace_id,
        obj=release,
        action=action,
        changes=changes,
        label=label_of(release),
    )


def require_change(actor: Actor, product: Product) -> None:
    """The product's owner, the developers of its teams, and admins change its releases."""
    require(
        actor,
        ReleasePermission.CHANGE_RELEASE,
        teams=product_team_query(product),
        product=product,
    )


def require_decide(actor: Actor, product: Product) -> None:
    require(actor, ReleasePermission.DECIDE_RELEASE, product=product)


def _clean_name(value: str) -> str:
    name = " ".join((value or "").split()) if isinstance(value, str) else ""
    if not name:
        raise Invalid.field(
            "name", "must not be empty: give a name or a version", code=Code.RELEASE_NAME_INVALID
        )
    if len(name) > NAME_MAX:
        raise Invalid.field(
            "name", f"must be at most {NAME_MAX} characters", code=Code.RELEASE_NAME_INVALID
        )
    return name


def _check_name_free(product: Product, name: str, exclude: int | None = None) -> None:
    taken = Release.objects.filter(product=product, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise Invalid.field(
            "name",
            f"{product.key} already has a release named '{name}'",
            code=Code.RELEASE_NAME_TAKEN,
        )


def _clean_text(value: str, field: str, code: str) -> str:
    if not isinstance(value, str) or len(value) > TEXT_MAX:
        raise Invalid.field(field, f"must be text of at most {TEXT_MAX:,} characters", code=code)
    return value.strip()


def _clean_reason(value: str | None, field: str, code: str, what: str) -> str:
    reason = (value or "").strip() if isinstance(value, str | None) else ""
    if not reason:
        raise Invalid.field(field, f"say why {what} (it is kept with the release)", code=code)
    if len(reason) > REASON_MAX:
        raise Invalid.field(field, f"must be at most {REASON_MAX:,} characters", code=code)
    return reason


def _refuse_frozen(release: Release, what: str = "its items") -> None:
    if release.state in (ReleaseState.LIVE, ReleaseState.CANCELLED):
        raise Invalid.field(
            "release",
            f"{release.name} is {release.get_state_display().lower()}; {what} change no more",
            code=Code.RELEASE_FROZEN,
        )


@transaction.atomic
def release_create(
    *,
    actor: Actor,
    product: Product,
    name: str,
    description: str = "",
    target_date: dt.date | None = None,
) -> Release:
    """A planned release of ``product``."""
    require_change(actor, product)
    name = _clean_name(name)
    description = _clean_text(description, "description", Code.RELEASE_DESCRIPTION_INVALID)
    _check_name_free(product, name)
    release = Release.objects.create(
        workspace_id=product.workspace_id,
        product=product,
        name=name,
        description=description,
        description_html=render_markdown(description),
        target_date=target_date,
        created_by=actor.user,
    )
    changes: dict[str, Any] = {"name": name}
    if target_date is not None:
        changes["target_date"] = target_date.isoformat()
    _record(actor, release, Action.CREATED, changes)
    return release


def _change_state(actor: Actor, release: Release, state: str, changes: dict[str, Any]) -> None:
    if state not in ReleaseState.values:
        raise Invalid.field(
            "state",
            "must be planned, in_progress or cancelled",
            code=Code.RELEASE_STATE_INVALID,
        )
    if state == release.state:
        return
    require_decide(actor, release.product)
    if state == ReleaseState.LIVE and release.state in TRANSITIONS:
        raise Invalid.field(
            "state",
            "a release goes live through go-live, which checks it is ready",
            code=Code.RELEASE_TRANSITION_INVALID,
        )
    allowed = TRANSITIONS[release.state]
    if state not in allowed:
        words = ", ".join(ReleaseState(s).label.lower() for s in allowed) or "nothing"
        raise Invalid.field(
            "state",
            f"a {release.get_state_display().lower()} release can move to {words}, "
            f"not to {ReleaseState(state).label.lower()}",
            code=Code.RELEASE_TRANSITION_INVALID,
        )
    changes["state"] = [release.state, state]
    if state == ReleaseState.CANCELLED:
        rows = list(
            ReleaseItem.objects.filter(release=release, dropped_at__isnull=True).select_related(
                "item"
            )
        )
        if rows:
            ReleaseItem.objects.filter(pk__in=[row.pk for row in rows]).update(
                dropped_at=timezone.now(), dropped_by=actor.user, drop_reason=CANCEL_REASON
            )
            changes["items_dropped"] = [row.item.key for row in rows]
    release.state = state


@transaction.atomic
def release_update(
    *,
    actor: Actor,
    release: Release,
    expected_version: int | None = None,
    name: str | _Keep = KEEP,
    description: str | _Keep = KEEP,
    target_date: dt.date | _Keep | None = KEEP,
    state: str | _Keep = KEEP,
) -> Release:
    """Change a release's name, description or target date (its changers), or its state (its
    deciders: planned, in progress and cancelled, as ``TRANSITIONS`` allows; cancelling drops
    its items, with that reason, so they are free for another release)."""
    require_change(actor, release.product)
    check_version(release, expected_version)
    changes: dict[str, Any] = {}
    if not isinstance(name, _Keep):
        cleaned = _clean_name(name)
        if cleaned != release.name:
            _check_name_free(release.product, cleaned, exclude=release.pk)
            changes["name"] = [release.name, cleaned]
            release.name = cleaned
    if not isinstance(description, _Keep):
        text = _clean_text(description, "description", Code.RELEASE_DESCRIPTION_INVALID)
        if text != release.description:
            changes["description"] = [release.description, text]
            release.description = text
            release.description_html = render_markdown(text)
    if not isinstance(target_date, _Keep) and target_date != release.target_date:
        changes["target_date"] = [
            release.target_date.isoformat() if release.target_date else None,
            target_date.isoformat() if target_date else None,
        ]
        release.target_date = target_date
    if not isinstance(state, _Keep):
        _change_state(actor, release, state, changes)
    if not changes:
        return release
    fields = [f for f in ("name", "description", "target_date", "state") if f in changes]
    if "description" in changes:
        fields.append("description_html")
    bump(release, fields)
    _record(actor, release, Action.UPDATED, changes)
    return release


# -- items ------------------------------------------------------------------------------------


def _check_items(
    release: Release,
    items: Sequence[BacklogItem],
    field: str = "items",
    at_most: int = ITEMS_MAX,
) -> None:
    if not items:
        raise Invalid.field(field, "name at least one item", code=Code.RELEASE_ITEMS_INVALID)
    if len(items) > at_most:
        raise Invalid.field(
            field, f"give at most {at_most:,} items at once", code=Code.RELEASE_ITEMS_INVALID
        )
    for index, item in enumerate(items):
        if item.workspace_id != release.workspace_id or item.product_id != release.product_id:
            raise Invalid.field(
                f"{field}[{index}]",
                f"{item.key} is not in the backlog of {release.product.key}; a release holds "
                "its own product's items",
                code=Code.RELEASE_ITEMS_INVALID,
            )


# What ``release_items_add`` writes of each item, in the order of its rows.
_ITEM_COLUMNS = ["release_id", "item_id", "workspace_id", "added_at", "added_by_id"]
_ITEM_COLUMNS += ["dropped_at", "dropped_by_id", "drop_reason"]


@transaction.atomic
def release_items_add(
    *,
    actor: Actor,
    release: Release,
    items: Sequence[BacklogItem],
    at_most: int = ITEMS_MAX,
) -> Release:
    """Add ``items`` (of the release's product) to the release; an item is in one release at a
    time (unless dropped from it). Adding an item dropped from this release takes it back.

    A page's selection is at most ``ITEMS_MAX`` items; a bulk writer (an import) may allow more
    at once (``at_most``, up to ``BULK_ITEMS_MAX``), so that a release of thousands of items is
    one check, one insert and one history entry."""
    require_change(actor, release.product)
    check_version(release, None)
    _refuse_frozen(release)
    _check_items(release, items, at_most=min(at_most, BULK_ITEMS_MAX))
    ids = [item.pk for item in items]
    elsewhere = dict(
        ReleaseItem.objects.filter(item_id__in_ids=ids, dropped_at__isnull=True)
        .exclude(release=release)
        .values_list("item_id", "release__name")
    )
    for index, item in enumerate(items):
        if item.pk in elsewhere:
            raise Invalid.field(
                f"items[{index}]",
                f"{item.key} is already in release {elsewhere[item.pk]}; remove or drop it "
                "there first",
                code=Code.RELEASE_ITEM_IN_OTHER_RELEASE,
            )
    present = {
        row.item_id: row for row in ReleaseItem.objects.filter(release=release, item_id__in_ids=ids)
    }
    unique = list(dict.fromkeys(items))
    back = [item for item in unique if item.pk in present and present[item.pk].dropped_at]
    new = [item for item in unique if item.pk not in present]
    if back:
        ReleaseItem.objects.filter(pk__in=[present[item.pk].pk for item in back]).update(
            dropped_at=None, dropped_by=None, drop_reason=""
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            insert_plain_rows(
                ReleaseItem,
                _ITEM_COLUMNS,
                [
                    (release.pk, item.pk, release.workspace_id, now, actor.user.pk, None, None, "")
                    for item in new
                ],
            )
    except IntegrityError as error:
        # Another release took one of the items between the check above and this write.
        raise Invalid.field(
            "items",
            "an item was added to another release meanwhile; reload and try again",
            code=Code.RELEASE_ITEM_IN_OTHER_RELEASE,
        ) from error
    if new or back:
        bump(release, [])
        _record(actor, release, Action.UPDATED, {"items_added": [item.key for item in new + back]})
    return release


def _rows_of(release: Release, items: Sequence[BacklogItem]) -> dict[int, ReleaseItem]:
    rows = {
        row.item_id: row
        for row in ReleaseItem.objects.filter(release=release, item__in=list(items))
    }
    for index, item in enumerate(items):
        if item.pk not in rows:
            raise Invalid.field(
                f"items[{index}]",
                f"{item.key} is not in release {release.name}",
                code=Code.RELEASE_ITEM_NOT_IN_RELEASE,
            )
    return rows


@transaction.atomic
def release_items_remove(
    *, actor: Actor, release: Release, items: Sequence[BacklogItem]
) -> Release:
    """Take ``items`` out of the release as if never planned in it (a planning mistake); to
    record that an item was consciously left out, drop it instead."""
    require_change(actor, release.product)
    check_version(release, None)
    _refuse_frozen(release)
    _check_items(release, items)
    rows = _rows_of(release, items)
    ReleaseItem.objects.filter(pk__in=[row.pk for row in rows.values()]).delete()
    bump(release, [])
    _record(actor, release, Action.UPDATED, {"items_removed": [item.key for item in items]})
    return release


@transaction.atomic
def release_items_drop(
    *, actor: Actor, release: Release, items: Sequence[BacklogItem], reason: str
) -> Release:
    """Consciously drop ``items`` from the release: they stay listed with ``reason`` (so the
    go-live checklist counts them as decided) and are free for another release."""
    require_change(actor, release.product)
    check_version(release, None)
    _refuse_frozen(release)
    _check_items(release, items)
    why = _clean_reason(reason, "reason", Code.RELEASE_DROP_REASON_REQUIRED, "they are dropped")
    rows = _rows_of(release, items)
    already = [item.key for item in items if rows[item.pk].dropped_at is not None]
    if already:
        raise Invalid.field(
            "items",
            f"{', '.join(already)} {'is' if len(already) == 1 else 'are'} already dropped",
            code=Code.RELEASE_ITEMS_INVALID,
        )
    ReleaseItem.objects.filter(pk__in=[row.pk for row in rows.values()]).update(
        dropped_at=timezone.now(), dropped_by=actor.user, drop_reason=why
    )
    bump(release, [])
    _record(
        actor,
        release,
        Action.UPDATED,
        {"items_dropped": [item.key for item in items], "drop_reason": why},
    )
    return release


# -- notes ------------------------------------------------------------------------------------


@transaction.atomic
def release_notes_save(
    *, actor: Actor, release: Release, notes: str, expected_version: int | None = None
) -> Release:
    """Save the release notes (Markdown, rendered and sanitized now). A live release's notes
    may still be corrected."""
    require_change(actor, release.product)
    check_version(release, expected_version)
    text = _clean_text(notes, "notes", Code.RELEASE_NOTES_INVALID)
    if text == release.notes:
        return release
    changes = {"notes": [release.notes, text]}
    release.notes = text
    release.notes_html = render_markdown(text)
    bump(release, ["notes", "notes_html"])
    _record(actor, release, Action.UPDATED, changes)
    return release


# -- the product's own checks -------------------------------------------------------------------


def _check_label(value: str) -> str:
    label = " ".join(value.split()) if isinstance(value, str) else ""
    if not label:
        raise Invalid.field(
            "label", "must not be empty: say what must hold", code=Code.RELEASE_CHECK_LABEL_INVALID
        )
    if len(label) > LABEL_MAX:
        raise Invalid.field(
            "label",
            f"must be at most {LABEL_MAX} characters",
            code=Code.RELEASE_CHECK_LABEL_INVALID,
        )
    return label


def _record_check(actor: Actor, check: ProductCheck, action: str, changes: dict[str, Any]) -> None:
    history_record(
        actor=actor.user,
        workspace_id=check.workspace_id,
        obj=check,
        action=action,
        changes=changes,
        label=check.label,
    )


@transaction.atomic
def product_check_create(*, actor: Actor, product: Product, label: str) -> ProductCheck:
    """A go-live check of the product's own, ticked by hand on each release."""
    require_decide(actor, product)
    label = _check_label(label)
    if ProductCheck.objects.filter(product=product, label__iexact=label).exists():
        raise Invalid.field(
            "label",
            f"{product.key} already has the check '{label}'",
            code=Code.RELEASE_CHECK_LABEL_TAKEN,
        )
    if ProductCheck.objects.filter(product=product).count() >= CHECKS_MAX:
        raise Invalid.field(
            "label",
            f"a product keeps at most {CHECKS_MAX} checks of its own",
            code=Code.RELEASE_CHECK_LABEL_INVALID,
        )
    check = ProductCheck.objects.create(
        workspace_id=product.workspace_id, product=product, label=label, created_at=timezone.now()
    )
    _record_check(actor, check, Action.CREATED, {"label": label, "product": product.key})
    return check


@transaction.atomic
def product_check_delete(*, actor: Actor, check: ProductCheck) -> None:
    """Stop asking the check of the product's releases (its ticks go with it; a live
    release's history keeps what was ticked)."""
    require_decide(actor, check.product)
    _record_check(actor, check, Action.DELETED, {"label": check.label})
    check.delete()


@transaction.atomic
def release_check_tick(
    *, actor: Actor, release: Release, check: ProductCheck, ticked: bool
) -> Release:
    """Tick (or untick) one of the product's own checks on the release."""
    require_change(actor, release.product)
    check_version(release, None)
    _refuse_frozen(release, "its checks")
    if check.product_id != release.product_id:
        raise Invalid.field(
            "check",
            f"'{check.label}' is a check of another product",
            code=Code.RELEASE_CHECK_NOT_FOUND,
        )
    existing = ReleaseCheckTick.objects.filter(release=release, product_check=check).first()
    if ticked == (existing is not None):
        return release
    if ticked:
        ReleaseCheckTick.objects.create(
            release=release, product_check=check, ticked_by=actor.user, ticked_at=timezone.now()
        )
    elif existing is not None:
        existing.delete()
    bump(release, [])
    _record(
        actor,
        release,
        Action.UPDATED,
        {"check_ticked" if ticked else "check_unticked": check.label},
    )
    return release


# -- going live -------------------------------------------------------------------------------


@transaction.atomic
def release_go_live(
    *,
    actor: Actor,
    release: Release,
    force: bool = False,
    reason: str | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Release:
    """Take the release live. Every check of the checklist must be met; otherwise it is refused
    naming the unmet checks, unless the product's owner or an admin forces it with a reason,
    which is kept on the release (who, why, which checks were unmet) and in its history.
    ``at`` is when it went live, for a release that went live elsewhere (an import keeps the
    source's date); now by default, and never later than now."""
    require_decide(actor, release.product)
    check_version(release, expected_version)
    if release.state not in (ReleaseState.PLANNED, ReleaseState.IN_PROGRESS):
        raise Invalid.field(
            "state",
            f"{release.name} is {release.get_state_display().lower()}; only a planned or "
            "in-progress release goes live",
            code=Code.RELEASE_TRANSITION_INVALID,
        )
    missing = unmet(checklist(release))
    changes: dict[str, Any] = {"state": [release.state, ReleaseState.LIVE]}
    fields = ["state", "went_live_at"]
    if missing and not force:
        names = "; ".join(f"{entry.label} ({entry.detail})" for entry in missing)
        raise Invalid(
            f"Not ready to go live: {len(missing)} check{'s are' if len(missing) != 1 else ' is'} "
            f"unmet: {names} The product owner or an admin may force it with a reason.",
            code=Code.RELEASE_CHECKS_UNMET,
            errors=[FieldError("checks", f"{entry.label}: {entry.detail}") for entry in missing],
        )
    if missing:
        why = _clean_reason(
            reason, "reason", Code.RELEASE_FORCE_REASON_REQUIRED, "it goes live with unmet checks"
        )
        release.forced = True
        release.force_reason = why
        release.forced_by = actor.user
        release.forced_checks = [entry.label for entry in missing]
        changes |= {"forced": True, "force_reason": why, "unmet_checks": release.forced_checks}
        fields += ["forced", "force_reason", "forced_by", "forced_checks"]
    release.state = ReleaseState.LIVE
    now = timezone.now()
    release.went_live_at = now if at is None else min(at, now)
    bump(release, fields)
    _record(actor, release, Action.UPDATED, changes)
    return release
