"""The roadmap of a product: now / next / later lanes of its Product Goals, epics, problems and
releases, ordered by hand, and the read-only links that share it.

An entry names its object generically, by its declared kind (``core.registry``) and id, so
this context imports none of the kinds it shows: an object is resolved through its kind's
gate (or, for a kind without one, its workspace) and its ``view`` permission, and must belong
to the roadmap's product. Keeping the roadmap is deciding what comes when: the product owner's
and the workspace admins' (``decide_release``). A share link's token is shown once and only
its SHA-256 is kept (as API tokens are); revoked or expired, it answers as an
unknown one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone

from lodestar.core.errors import DomainError, Invalid, NotFound
from lodestar.core.history import history_record
from lodestar.core.models import HistoryEntry
from lodestar.core.ranking import key_between, needs_rebalance, spread_keys
from lodestar.core.registry import ObjectType, registry
from lodestar.people.policy import Actor
from lodestar.releases.errors import ReleaseErrorCode as Code
from lodestar.releases.models import RoadmapEntry, RoadmapLane, RoadmapShare
from lodestar.releases.services import require_decide
from lodestar.strategy.models import Product

Action = HistoryEntry.Action

# The kinds a roadmap holds (declared names); of backlog items, only epics.
KINDS: Final = ("goal", "item", "problem", "release")
EPIC = "epic"
ENTRIES_MAX = 2000
LABEL_MAX = 100
SHARE_PREFIX = "rm_"
LANES: Final = tuple(RoadmapLane.values)


def new_token() -> str:
    """A share token: 32 random bytes, URL-safe, after a marker that says what it opens."""
    return SHARE_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 of a token (as API tokens are kept): enough, a token is never guessable."""
    return hashlib.sha256(token.encode()).hexdigest()


def _lane(value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in LANES:
        raise Invalid.field("lane", "must be now, next or later", code=Code.ROADMAP_LANE_INVALID)
    return value.strip().lower()


def _declared(kind: object) -> ObjectType:
    name = kind.strip().lower() if isinstance(kind, str) else ""
    declared = registry().object_type(name) if name in KINDS else None
    if declared is None:
        raise Invalid.field(
            "type",
            f"'{str(kind)[:40]}' cannot be on a roadmap (one of: goal, item, problem, release)",
            code=Code.ROADMAP_TARGET_INVALID,
        )
    return declared


def _fetch(actor: Actor, declared: ObjectType, ref: str) -> Any:
    if declared.gate is not None:
        return declared.gate(actor, ref)
    try:
        number = int(ref)
    except ValueError:
        number = 0
    found = declared.model._default_manager.filter(pk=number).first() if number > 0 else None
    if found is None or declared.workspace_id_of(found) != actor.workspace_id:
        raise NotFound(f"No {declared.label} {ref}.")
    return found


def product_of(declared: ObjectType, obj: Any) -> int | None:
    if declared.product is not None:
        product = declared.product(obj)
        return int(product.pk) if product is not None else None
    product_id = getattr(obj, "product_id", None)
    return int(product_id) if product_id is not None else None


def resolve(actor: Actor, product: Product, kind: object, ref: object) -> tuple[ObjectType, Any]:
    """The object ``ref`` of ``kind`` that the actor sees, of ``product``; anything else is bad
    input naming ``target``."""
    declared = _declared(kind)
    text = str(ref).strip()[:80] if isinstance(ref, str | int) else ""
    try:
        if not text:
            raise NotFound("no reference")
        obj = _fetch(actor, declared, text)
        if declared.workspace_id_of(obj) != actor.workspace_id:
            raise NotFound("another workspace's")
        registry().authorize(actor, declared, "view", obj)
    except DomainError as error:
        raise Invalid.field(
            "target",
            f"no {declared.label} {text or '(empty)'} in this workspace",
            code=Code.ROADMAP_TARGET_INVALID,
        ) from error
    if declared.name == "item" and getattr(obj, "kind", None) != EPIC:
        raise Invalid.field(
            "target",
            f"{declared.title(obj)[:80]} is not an epic: a roadmap holds epics, not "
            "stories, tasks or bugs",
            code=Code.ROADMAP_TARGET_INVALID,
        )
    if product_of(declared, obj) != product.pk:
        raise Invalid.field(
            "target",
            f"{declared.label} {text} is not of {product.key}",
            code=Code.ROADMAP_TARGET_INVALID,
        )
    return declared, obj


def _lane_rows(product: Product, lane: str, exclude: int | None = None) -> list[RoadmapEntry]:
    rows = RoadmapEntry.objects.select_for_update().filter(product=product, lane=lane)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return list(rows.order_by("rank", "id"))


def _rank_at(rows: list[RoadmapEntry], position: object) -> str:
    """A rank placing an entry at ``position`` (0 is first; None: last) among ``rows``."""
    if position is None or position == "":
        index = len(rows)
    else:
        try:
            index = int(str(position))
        except ValueError:
            index = -1
        if index < 0:
            raise Invalid.field(
                "position",
                "must be a whole number from 0 (first in the lane)",
                code=Code.ROADMAP_POSITION_INVALID,
            )
        index = min(index, len(rows))
    before = rows[index - 1].rank if index > 0 else None
    after = rows[index].rank if index < len(rows) else None
    key = key_between(before, after)
    if not needs_rebalance(key):
        return key
    # Many moves to one spot made the key long: spread the lane's keys again, leaving the
    # place at ``index`` for the entry being placed.
    keys = spread_keys(len(rows) + 1)
    for row, new in zip(rows, keys[:index] + keys[index + 1 :], strict=True):
        row.rank = new
    RoadmapEntry.objects.bulk_update(rows, ["rank"])
    return keys[index]


def _label(product: Product, entry: RoadmapEntry) -> str:
    """``ACME roadmap: Faster exports`` (the object's title while it exists)."""
    declared = registry().object_type(entry.target_type)
    obj = (
        declared.model._default_manager.filter(pk=entry.target_id).first()
        if declared is not None
        else None
    )
    title = declared.title(obj) if declared is not None and obj is not None else ""
    return f"{product.key} roadmap: {title or f'{entry.target_type}:{entry.target_id}'}"


def _record(actor: Actor, product: Product, obj: Any, action: str, changes: dict[str, Any]) -> None:
    label = (
        f"{product.key} roadmap link {obj.label}"
        if isinstance(obj, RoadmapShare)
        else _label(product, obj)
    )
    history_record(
        actor=actor.user,
        workspace_id=product.workspace_id,
        obj=obj,
        action=action,
        changes=changes,
        label=label,
    )


@transaction.atomic
def roadmap_entry_add(
    *,
    actor: Actor,
    product: Product,
    type: str,
    target: str,
    lane: str,
    position: int | str | None = None,
) -> RoadmapEntry:
    """Put an object on ``product``'s roadmap in ``lane`` (last, or at ``position``)."""
    require_decide(actor, product)
    lane = _lane(lane)
    declared, obj = resolve(actor, product, type, target)
    if RoadmapEntry.objects.filter(
        product=product, target_type=declared.name, target_id=obj.pk
    ).exists():
        raise Invalid.field(
            "target",
            f"{declared.title(obj)[:80]} is already on the roadmap",
            code=Code.ROADMAP_TARGET_TAKEN,
        )
    if RoadmapEntry.objects.filter(product=product).count() >= ENTRIES_MAX:
        raise Invalid.field(
            "target",
            f"a roadmap holds at most {ENTRIES_MAX:,} entries",
            code=Code.ROADMAP_TARGET_INVALID,
        )
    rank = _rank_at(_lane_rows(product, lane), position)
    try:
        with transaction.atomic():
            entry = RoadmapEntry.objects.create(
                workspace_id=product.workspace_id,
                product=product,
                lane=lane,
                rank=rank,
                target_type=declared.name,
                target_id=obj.pk,
                added_at=timezone.now(),
                added_by=actor.user,
            )
    except IntegrityError as error:
        raise Invalid.field(
            "target",
            f"{declared.title(obj)[:80]} is already on the roadmap",
            code=Code.ROADMAP_TARGET_TAKEN,
        ) from error
    _record(
        actor,
        product,
        entry,
        Action.CREATED,
        {
            "target": f"{declared.name}:{declared.ref_of(obj)}",
            "title": declared.title(obj),
            "lane": lane,
        },
    )
    return entry


@transaction.atomic
def roadmap_entry_move(
    *,
    actor: Actor,
    product: Product,
    entry: RoadmapEntry,
    lane: str,
    position: int | str | None = None,
) -> RoadmapEntry:
    """Move ``entry`` to ``lane`` at ``position`` (0 is first; None: last)."""
    require_decide(actor, product)
    lane = _lane(lane)
    rank = _rank_at(_lane_rows(product, lane, exclude=entry.pk), position)
    before = entry.lane
    entry.lane, entry.rank = lane, rank
    entry.save(update_fields=["lane", "rank"])
    changes: dict[str, Any] = {"lane": [before, lane]} if before != lane else {"reordered": lane}
    _record(actor, product, entry, Action.UPDATED, changes)
    return entry


def place_position(value: object) -> int | None:
    """A place in a lane as a person gives it (1 is first; empty: last), as the services'
    ``position`` (0 is first); anything else is bad input naming ``place``."""
    text = str(value).strip() if isinstance(value, str | int) else ""
    if not text:
        return None
    if not text.isdigit() or int(text) < 1 or len(text) > 6:
        raise Invalid.field(
            "place",
            f"'{text[:20]}' is not a place in the lane: give a whole number from 1 (first), "
            "or leave it empty for last",
            code=Code.ROADMAP_POSITION_INVALID,
        )
    return int(text) - 1


STEPS: Final = ("up", "down", "top", "bottom")


@transaction.atomic
def roadmap_entry_step(
    *, actor: Actor, product: Product, entry: RoadmapEntry, step: str
) -> RoadmapEntry:
    """Move ``entry`` one place ``up`` or ``down`` in its lane, to its ``top`` or ``bottom``,
    or (``now``, ``next``, ``later``) to the end of another lane. A step that changes nothing
    (up from the top) writes nothing."""
    require_decide(actor, product)
    step = step.strip().lower() if isinstance(step, str) else ""
    if step in LANES and step != entry.lane:
        return roadmap_entry_move(actor=actor, product=product, entry=entry, lane=step)
    if step not in (*STEPS, entry.lane):
        raise Invalid.field(
            "move",
            f"'{step[:20]}' is not a move: up, down, top, bottom, or a lane (now, next, later)",
            code=Code.ROADMAP_POSITION_INVALID,
        )
    order = list(
        RoadmapEntry.objects.filter(product=product, lane=entry.lane)
        .order_by("rank", "id")
        .values_list("id", flat=True)
    )
    index, last = order.index(entry.pk), len(order) - 1
    # Among the lane's other entries, the place it takes (None: last).
    wanted = {"up": index - 1, "down": index + 1, "top": 0, "bottom": last}.get(step, index)
    wanted = min(max(wanted, 0), last)
    if wanted == index:
        return entry
    return roadmap_entry_move(
        actor=actor, product=product, entry=entry, lane=entry.lane, position=wanted
    )


@transaction.atomic
def roadmap_entry_remove(*, actor: Actor, product: Product, entry: RoadmapEntry) -> None:
    """Take ``entry`` off the roadmap (the object itself stays as it was)."""
    require_decide(actor, product)
    _record(
        actor,
        product,
        entry,
        Action.DELETED,
        {"target": f"{entry.target_type}:{entry.target_id}", "lane": entry.lane},
    )
    entry.delete()


def spelled_entries(product: Product, entries: list[RoadmapEntry]) -> dict[str, tuple[str, Any]]:
    """Each entry's object spelled as input names it (``item:ACME-12``, ``release:7``), with
    its title; a query per kind. An entry whose object is gone is spelled by its id."""
    by_kind: dict[str, list[int]] = {}
    for entry in entries:
        by_kind.setdefault(entry.target_type, []).append(entry.target_id)
    found: dict[tuple[str, int], tuple[str, str]] = {}
    for kind, ids in by_kind.items():
        declared = registry().object_type(kind)
        if declared is None:
            continue
        for obj in declared.model._default_manager.filter(pk__in=ids):
            found[(kind, obj.pk)] = (f"{kind}:{declared.ref_of(obj)}", declared.title(obj))
    spelled: dict[str, tuple[str, Any]] = {}
    for entry in entries:
        spelling, title = found.get(
            (entry.target_type, entry.target_id),
            (f"{entry.target_type}:{entry.target_id}", ""),
        )
        spelled[spelling.lower()] = (title, entry)
    return spelled


@transaction.atomic
def roadmap_arrange(
    *, actor: Actor, product: Product, arrangement: dict[str, list[str]]
) -> list[RoadmapEntry]:
    """Set the whole roadmap's order at once: ``arrangement`` maps each lane to its objects,
    first to last, spelled ``kind:reference`` (``item:ACME-12``, ``release:7``), and names every
    object on the roadmap exactly once."""
    require_decide(actor, product)
    for name, listed in arrangement.items():
        if name not in LANES:
            raise Invalid.field(
                "lanes",
                f"'{str(name)[:20]}' is not a lane (now, next or later)",
                code=Code.ROADMAP_LANE_INVALID,
            )
        if not isinstance(listed, list) or not all(isinstance(one, str) for one in listed):
            raise Invalid.field(
                f"lanes.{name}",
                "must be a list of objects spelled kind:reference, e.g. item:ACME-12",
                code=Code.ROADMAP_LANE_INVALID,
            )
    spelled = spelled_entries(
        product, list(RoadmapEntry.objects.select_for_update().filter(product=product))
    )
    listed = [one.strip().lower() for ones in arrangement.values() for one in ones]
    unknown = sorted({one for one in listed if one not in spelled})
    if unknown:
        raise Invalid.field(
            "lanes",
            f"not on the roadmap of {product.key}: {', '.join(u[:40] for u in unknown[:10])}",
            code=Code.ROADMAP_ENTRY_NOT_FOUND,
        )
    twice = sorted({one for one in listed if listed.count(one) > 1})
    missing = sorted(set(spelled) - set(listed))
    if twice or missing:
        words = []
        if twice:
            words.append(f"listed more than once: {', '.join(twice[:10])}")
        if missing:
            words.append(f"left out: {', '.join(missing[:10])}")
        raise Invalid.field(
            "lanes",
            "name every object on the roadmap exactly once (" + "; ".join(words) + ")",
            code=Code.ROADMAP_POSITION_INVALID,
        )
    changed: list[tuple[RoadmapEntry, dict[str, Any], str]] = []
    for lane in LANES:
        ones = [one.strip().lower() for one in arrangement.get(lane, [])]
        for one, rank in zip(ones, spread_keys(len(ones)), strict=True):
            title, entry = spelled[one]
            if (entry.lane, entry.rank) != (lane, rank):
                changes: dict[str, Any] = (
                    {"lane": [entry.lane, lane]} if entry.lane != lane else {"reordered": lane}
                )
                entry.lane, entry.rank = lane, rank
                changed.append((entry, changes, title or one))
    RoadmapEntry.objects.bulk_update([entry for entry, _, _ in changed], ["lane", "rank"])
    for entry, changes, title in changed:
        history_record(
            actor=actor.user,
            workspace_id=product.workspace_id,
            obj=entry,
            action=Action.UPDATED,
            changes=changes,
            label=f"{product.key} roadmap: {title}",
        )
    return sorted(
        (entry for _, entry in spelled.values()), key=lambda e: (LANES.index(e.lane), e.rank)
    )


def _clean_label(value: object) -> str:
    label = " ".join(value.split()) if isinstance(value, str) else ""
    if not label or len(label) > LABEL_MAX:
        raise Invalid.field(
            "label",
            f"say who the link is for, in 1 to {LABEL_MAX} characters",
            code=Code.ROADMAP_SHARE_LABEL_INVALID,
        )
    return label


@transaction.atomic
def roadmap_share_create(
    *,
    actor: Actor,
    product: Product,
    label: str,
    expires_on: dt.date | None = None,
    include_descriptions: bool = False,
    include_problem_evidence: bool = False,
) -> tuple[RoadmapShare, str]:
    """A read-only link to ``product``'s roadmap, and its token (shown once, never stored).
    ``expires_on``: the last day it works (a date after today)."""
    require_decide(actor, product)
    label = _clean_label(label)
    expires_at = None
    if expires_on is not None:
        if expires_on <= timezone.localdate():
            raise Invalid.field(
                "expires_on",
                "must be a day after today (or leave it empty for a link that does not expire)",
                code=Code.ROADMAP_SHARE_EXPIRY_INVALID,
            )
        expires_at = timezone.make_aware(
            dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min)
        )
    token = new_token()
    share = RoadmapShare.objects.create(
        workspace_id=product.workspace_id,
        product=product,
        label=label,
        token_hash=hash_token(token),
        expires_at=expires_at,
        include_descriptions=bool(include_descriptions),
        include_problem_evidence=bool(include_problem_evidence),
        created_at=timezone.now(),
        created_by=actor.user,
    )
    changes: dict[str, Any] = {"label": label}
    if expires_on is not None:
        changes["expires_on"] = expires_on.isoformat()
    opted = [
        name
        for name, on in (
            ("descriptions", share.include_descriptions),
            ("problem evidence", share.include_problem_evidence),
        )
        if on
    ]
    if opted:
        changes["includes"] = opted
    _record(actor, product, share, Action.CREATED, changes)
    return share, token


@transaction.atomic
def roadmap_share_revoke(*, actor: Actor, product: Product, share: RoadmapShare) -> RoadmapShare:
    """Stop ``share`` working (revoking a revoked link changes nothing)."""
    require_decide(actor, product)
    if share.revoked_at is not None:
        return share
    share.revoked_at = timezone.now()
    share.revoked_by = actor.user
    share.save(update_fields=["revoked_at", "revoked_by"])
    _record(actor, product, share, Action.UPDATED, {"revoked": True})
    return share


def shared_roadmap(token: object) -> RoadmapShare | None:
    """The live link whose token is ``token`` (None for unknown, revoked and expired alike)."""
    if not isinstance(token, str) or not token.startswith(SHARE_PREFIX) or len(token) > 100:
        return None
    share = (
        RoadmapShare.objects.select_related("product", "workspace")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if share is None or (share.expires_at is not None and share.expires_at <= timezone.now()):
        return None
    return share
