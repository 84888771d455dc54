"""Writes of saved views: create, update (rename, share, change filters or columns), delete.

Saved views are reading aids, not workspace content: a personal one is nobody else's business,
so no history entry or domain event is written for them (the activity feed and webhooks would
otherwise tell the workspace about a member's private filters). Each write is one transaction
with the version check every mutable row has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from lodestar.backlog.models import ItemKind, ItemStatus
from lodestar.backlog.permissions import BacklogPermission
from lodestar.backlog.saved_views.errors import SavedViewErrorCode as Code
from lodestar.backlog.saved_views.models import COLUMNS, SavedView
from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Conflict, FieldError, Invalid
from lodestar.people.policy import Actor, can, refusal, require
from lodestar.people.refs import member_ref
from lodestar.strategy.models import Product
from lodestar.strategy.refs import goal_ref

NAME_MAX = 60
Q_MAX = 200
LABEL_MAX = 40
FILTERS = ("q", "kind", "status", "label", "assignee", "goal", "flagged", "finished")


def clean_name(value: str | None) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise Invalid.field("name", "must not be empty", code=Code.NAME_INVALID)
    if len(name) > NAME_MAX:
        raise Invalid.field(
            "name", f"must be at most {NAME_MAX} characters", code=Code.NAME_INVALID
        )
    return name


def _bad(name: str, message: str) -> FieldError:
    return FieldError(f"filters.{name}", message)


def _text(name: str, value: Any, limit: int, errors: list[FieldError]) -> str | None:
    if not isinstance(value, str):
        errors.append(_bad(name, "must be text"))
        return None
    text = value.strip()
    if len(text) > limit:
        errors.append(_bad(name, f"must be at most {limit} characters"))
        return None
    return text or None


def _flag(name: str, value: Any, errors: list[FieldError]) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("1", "true", "on"):
        return True
    if value in ("0", "false"):
        return False
    errors.append(_bad(name, "must be true or false"))
    return None


def clean_filters(actor: Actor, product: Product, filters: Mapping[str, Any]) -> dict[str, Any]:
    """The backlog filters of a view, checked and in their stored form (empty ones left out):
    the same names and values as the backlog page's query string. Every bad one is named."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    for name, value in filters.items():
        if name not in FILTERS:
            errors.append(_bad(name, f"is not a backlog filter (use {', '.join(FILTERS)})"))
            continue
        if value is None or value == "":
            continue
        if name in ("q", "label"):
            text = _text(name, value, Q_MAX if name == "q" else LABEL_MAX, errors)
            if text:
                cleaned[name] = text
        elif name in ("kind", "status"):
            allowed = ItemKind.values if name == "kind" else ItemStatus.values
            if value in allowed:
                cleaned[name] = value
            else:
                errors.append(_bad(name, f"must be one of {', '.join(allowed)}"))
        elif name == "assignee":
            who = str(value).strip().lower()
            try:
                cleaned[name] = who if who == "none" else member_ref(actor, who).user.email
            except Invalid:
                errors.append(_bad(name, f"{value} is not a member of this workspace"))
        elif name == "goal":
            try:
                goal = goal_ref(actor, product, value)
            except Invalid:
                errors.append(_bad(name, f"no goal {value} on product {product.key}"))
            else:
                cleaned[name] = goal.pk if goal is not None else None
        else:
            flag = _flag(name, value, errors)
            if flag is not None and (name == "flagged" or flag):
                cleaned[name] = flag
    if errors:
        raise Invalid.fields(errors, code=Code.FILTER_INVALID)
    return cleaned


def clean_columns(columns: Sequence[str] | None) -> list[str]:
    """The optional columns a view shows, in the list's order; None shows them all."""
    if columns is None:
        return list(COLUMNS)
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise Invalid.field(
            "columns",
            f"unknown {', '.join(map(str, unknown))} (use {', '.join(COLUMNS)})",
            code=Code.COLUMNS_INVALID,
        )
    return [c for c in COLUMNS if c in columns]


def _require_name_free(actor: Actor, product: Product, name: str, view: SavedView | None) -> None:
    taken = SavedView.objects.filter(
        owner_id=actor.membership.pk if view is None else view.owner_id,
        product=product,
        name__iexact=name,
    )
    if view is not None:
        taken = taken.exclude(pk=view.pk)
    if taken.exists():
        whose = (
            "you already have"
            if view is None or view.owner_id == actor.membership.pk
            else "its owner already has"
        )
        raise Invalid.field(
            "name", f"{whose} a view named '{name}' on {product.key}", code=Code.NAME_TAKEN
        )


def may_change(actor: Actor, view: SavedView) -> bool:
    """Whether ``actor`` may rename, change or delete ``view``: its owner always; a shared one
    also a workspace owner or admin."""
    if view.owner_id == actor.membership.pk:
        return True
    return view.shared and can(actor, BacklogPermission.MANAGE_SHARED_VIEWS)


def _require_change(actor: Actor, view: SavedView) -> None:
    if not may_change(actor, view):
        raise refusal(BacklogPermission.MANAGE_SHARED_VIEWS)


@transaction.atomic
def saved_view_create(
    *,
    actor: Actor,
    product: Product,
    name: str,
    filters: Mapping[str, Any] | None = None,
    columns: Sequence[str] | None = None,
    shared: bool = False,
) -> SavedView:
    """Save the backlog's ``filters`` and ``columns`` as a view of ``product`` named ``name``,
    the actor's own (``shared`` shows it to the whole workspace)."""
    require(actor, BacklogPermission.SHARE_VIEW if shared else BacklogPermission.SAVE_VIEW)
    clean = clean_name(name)
    stored = clean_filters(actor, product, filters or {})
    shown = clean_columns(columns)
    _require_name_free(actor, product, clean, None)
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                workspace_id=actor.workspace_id,
                product=product,
                owner=actor.membership,
                name=clean,
                shared=shared,
                filters=stored,
                columns=shown,
            )
    except IntegrityError as exc:  # a concurrent create of the same name won
        raise Conflict(
            f"You already have a view named '{clean}' on {product.key}.", code=Code.NAME_TAKEN
        ) from exc


@transaction.atomic
def saved_view_update(
    *,
    actor: Actor,
    view: SavedView,
    name: str | None = None,
    filters: Mapping[str, Any] | None = None,
    columns: Sequence[str] | None = None,
    shared: bool | None = None,
    expected_version: int | None = None,
) -> SavedView:
    """Rename ``view``, share or unshare it, or replace its filters or columns (what is left
    None stays as it is)."""
    check_version(view, expected_version)
    _require_change(actor, view)
    changed: list[str] = []
    if shared is not None and shared != view.shared:
        if shared:
            require(actor, BacklogPermission.SHARE_VIEW)
        view.shared = shared
        changed.append("shared")
    if name is not None:
        clean = clean_name(name)
        if clean != view.name:
            _require_name_free(actor, view.product, clean, view)
            view.name = clean
            changed.append("name")
    if filters is not None:
        view.filters = clean_filters(actor, view.product, filters)
        changed.append("filters")
    if columns is not None:
        view.columns = clean_columns(columns)
        changed.append("columns")
    if changed:
        try:
            with transaction.atomic():
                bump(view, changed)
        except IntegrityError as exc:
            raise Conflict(
                f"There is already a view named '{view.name}' on {view.product.key}.",
                code=Code.NAME_TAKEN,
            ) from exc
    return view


@transaction.atomic
def saved_view_delete(*, actor: Actor, view: SavedView) -> None:
    """Delete ``view`` for good (a view is a shortcut; nothing depends on it)."""
    check_version(view, None)
    _require_change(actor, view)
    view.delete()
