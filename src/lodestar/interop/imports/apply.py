"""The importer: a ``Bundle`` (what a reader read) written into a product through the
contexts' services.

Everything is checked first, before any write, and every problem is named with its place in
the file (``where``): the reader's unreadable rows, an external id used twice, a status with
no category and no mapping, a parent neither in the file nor imported before, parents that
lead back to themselves. Any problem refuses the import and nothing is written.

Then, in one transaction: people matched by email to members (else invited, not emailed
unless asked, else kept as names), new items in the source's order at the bottom of the
backlog (``backlog.services.items_create_many``, original authors and dates kept), items
imported before updated where the source changed since that import, comments
(``comments.services.comments_create_many``), releases and, with a team, sprints; and an
``ExternalRef`` for every object made, so the next import of the same file updates instead of
duplicating. A dry run runs the same code and rolls back.

**Re-imports.** An item imported before is compared field by field with what the last import
wrote (``ExternalRef.fields``): a field the source changed since then takes the source's
value; a field the source did not change keeps the value it has here, even if someone edited
it here. The order of items imported before is left as it is here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.services import UNSET, ItemSpec, item_update, items_create_many
from lodestar.comments.access import Target
from lodestar.comments.services import CommentSpec, comments_create_many
from lodestar.core.db import bulk_update_values, insert_plain_rows, large_writes
from lodestar.core.errors import DomainError, FieldError, Invalid
from lodestar.core.points import format_points, parse_points
from lodestar.core.registry import registry
from lodestar.interop.errors import InteropErrorCode as Code
from lodestar.interop.imports.bundle import SOURCE_NAMES, Bundle, SourceItem, SourceSprint
from lodestar.interop.imports.models import ExternalRef
from lodestar.interop.imports.readers.common import fit_hierarchy
from lodestar.interop.permissions import InteropPermission
from lodestar.people.models import Invitation, Membership, Role, Team
from lodestar.people.policy import Actor, require
from lodestar.people.services import invitation_create
from lodestar.releases.models import Release
from lodestar.releases.services import (
    BULK_ITEMS_MAX,
    release_create,
    release_go_live,
    release_items_add,
    release_update,
)
from lodestar.sprints.models import Sprint, SprintState
from lodestar.sprints.selectors import item_open_sprints
from lodestar.sprints.services import (
    sprint_close,
    sprint_create,
    sprint_items_add,
    sprint_start,
)
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import team_product

# Where each category of the source's statuses lands.
STATUS_OF_CATEGORY = {
    "todo": ItemStatus.NEW,
    "in_progress": ItemStatus.IN_PROGRESS,
    "done": ItemStatus.DONE,
    "cancelled": ItemStatus.WONT_DO,
}
STATUSES = tuple(ItemStatus.values)
# New items per call of items_create_many: progress is told after each.
BATCH = 2_000
# Items per call of the sprints' service (it takes a page's selection at once; the releases'
# takes a release's items at once, ``releases.services.BULK_ITEMS_MAX``).
LINKS_PER_CALL = 500
# The fields a re-import compares with what the last import wrote.
COMPARED = ("title", "description", "status", "estimate", "labels", "acceptance_criteria")
# The columns of the external refs an import writes, in the order of their rows.
REF_COLUMNS = [
    "workspace_id",
    "source",
    "kind",
    "external_id",
    "object_id",
    "fields",
    "imported_at",
]

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do), or why it was refused."""

    source: str
    dry_run: bool
    ok: bool = True
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    unreadable: list[dict[str, str]] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    # Statuses that need a mapping: {"raw": "In Review", "count": 3}.
    statuses: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def problem(self, where: str, message: str) -> None:
        self.ok = False
        self.problems.append({"where": where, "message": message})

    def fail(self, message: str) -> None:
        self.ok = False
        self.errors.append(message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "skipped": dict(self.skipped),
            "unreadable": self.unreadable,
            "problems": self.problems,
            "statuses": self.statuses,
            "notes": self.notes,
            "errors": self.errors,
        }


def parse_status_map(pairs: Iterable[str]) -> dict[str, str]:
    """``["In Review=in_progress", ...]`` -> ``{"In Review": "in_progress"}``; ``Invalid``
    naming a pair that is not ``Raw=status`` with one of our statuses."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        raw, sep, status = pair.rpartition("=")
        raw, status = raw.strip(), status.strip().lower().replace(" ", "_")
        if not sep or not raw:
            raise Invalid.field(
                "status_map",
                f'"{pair}" is not a mapping: write it as "Raw status=new" (the status as the '
                "file spells it, then ours)",
                code=Code.IMPORT_STATUS_MAP_INVALID,
            )
        if status not in STATUSES:
            raise Invalid.field(
                "status_map",
                f'"{pair}": map to one of {", ".join(STATUSES)}',
                code=Code.IMPORT_STATUS_MAP_INVALID,
            )
        mapping[raw] = status
    return mapping


class _Rollback(Exception):
    """Raised at the end of a dry run to undo what it wrote."""


@dataclass
class _Plan:
    """What the checks found, for the writing step."""

    statuses: dict[str, str]  # item external id -> our status
    refs: dict[str, ExternalRef]  # item external id -> its ref, for items imported before
    estimates: dict[str, Decimal | None] = field(default_factory=dict)  # on the product's scale
    # Items imported before whose current sprint in the source changed since that import (or
    # was not recorded then): they may join it here (see ``_sprints``).
    sprint_moved: set[str] = field(default_factory=set)


def _fit_estimates(
    product: Product, bundle: Bundle, report: ImportReport
) -> dict[str, Decimal | None]:
    """Each item's points on the product's scale: a value off the scale takes the next one up
    (the largest for a value above them all), said in a note."""
    scale = sorted(
        points
        for points in (parse_points(value) for value in product.estimate_scale if value != "?")
        if points is not None
    )
    fitted: dict[str, Decimal | None] = {}
    moved: Counter[tuple[str, str]] = Counter()
    for item in bundle.items:
        points = item.estimate
        if points is None or not scale or points in scale:
            fitted[item.external_id] = points
            continue
        above = [value for value in scale if value >= points]
        taken = above[0] if above else scale[-1]
        fitted[item.external_id] = taken
        moved[(format_points(points), format_points(taken))] += 1
    if moved:
        pairs = ", ".join(f"{a} → {b} ({n})" for (a, b), n in sorted(moved.items()))
        report.notes.append(
            f"{sum(moved.values())} estimates are not on {product.key}'s scale "
            f"({', '.join(format_points(v) for v in scale)}): each took the next value up: {pairs}"
        )
    return fitted


def _status_of(item: SourceItem, status_map: dict[str, str]) -> str | None:
    raw = item.status.raw
    if raw in status_map:
        return status_map[raw]
    if item.status.category is not None:
        return STATUS_OF_CATEGORY[item.status.category]
    if not raw:
        return ItemStatus.NEW
    return None


def _refs(actor: Actor, source: str, kind: str, ids: Iterable[str]) -> dict[str, ExternalRef]:
    wanted = list(set(ids))
    found: dict[str, ExternalRef] = {}
    for start in range(0, len(wanted), 5_000):
        for ref in ExternalRef.objects.filter(
            workspace_id=actor.workspace_id,
            source=source,
            kind=kind,
            external_id__in=wanted[start : start + 5_000],
        ):
            found[ref.external_id] = ref
    return found


def _check(actor: Actor, bundle: Bundle, status_map: dict[str, str], report: ImportReport) -> _Plan:
    """Every problem of the bundle, named in ``report``, before anything is written."""
    for row in bundle.unreadable:
        report.ok = False
        report.unreadable.append({"where": row.where, "column": row.column, "message": row.message})
    seen: dict[str, str] = {}
    for item in bundle.items:
        if item.external_id in seen:
            report.problem(
                item.where,
                f"{item.external_id} is in the file twice (also at {seen[item.external_id]}); "
                "keep one of them",
            )
        else:
            seen[item.external_id] = item.where
    statuses: dict[str, str] = {}
    unmapped: Counter[str] = Counter()
    first_at: dict[str, str] = {}
    for item in bundle.items:
        status = _status_of(item, status_map)
        if status is None:
            unmapped[item.status.raw] += 1
            first_at.setdefault(item.status.raw, item.where)
        else:
            statuses[item.external_id] = status
    for raw, count in sorted(unmapped.items()):
        report.statuses.append({"raw": raw, "count": count})
        report.problem(
            first_at[raw],
            f'the status "{raw}" ({count} item{"s" if count != 1 else ""}) has no category; '
            f'map it to one of ours: --status-map "{raw}=in_progress" (new, ready, '
            "in_progress, done or wont_do)",
        )
    refs = _refs(actor, bundle.source, "item", (item.external_id for item in bundle.items))
    parents = {item.external_id: item.parent for item in bundle.items}
    missing_parents = {
        item.parent
        for item in bundle.items
        if item.parent is not None and item.parent not in parents
    }
    known = _refs(actor, bundle.source, "item", missing_parents)
    for item in bundle.items:
        if item.parent is None or item.parent in parents or item.parent in known:
            continue
        report.problem(
            item.where,
            f"{item.external_id}'s parent {item.parent} is not in the file and was not "
            "imported before; export it with its parent (or import the parent first)",
        )
    _check_cycles(bundle, parents, report)
    return _Plan(statuses=statuses, refs=refs)


def _check_cycles(bundle: Bundle, parents: dict[str, str | None], report: ImportReport) -> None:
    done: set[str] = set()
    where = {item.external_id: item.where for item in bundle.items}
    for item in bundle.items:
        chain: list[str] = []
        current: str | None = item.external_id
        while current is not None and current in parents and current not in done:
            if current in chain:
                loop = [*chain[chain.index(current) :], current]
                report.problem(
                    where[current],
                    "parents lead back to the item: "
                    + " -> ".join(loop)
                    + "; break the loop in the source",
                )
                break
            chain.append(current)
            current = parents[current]
        done.update(chain)


# -- people ---------------------------------------------------------------------------------


def _people(
    actor: Actor, bundle: Bundle, *, invite: bool, report: ImportReport
) -> dict[str, Membership]:
    """Each person key of the file -> the member it is (matched by email). Others with an email
    are invited (emailed only when ``invite``); the rest are kept as names only."""
    people = {person.key: person for person in bundle.people}
    used: set[str] = set()
    for item in bundle.items:
        used.update(key for key in (item.assignee, item.reporter) if key)
        used.update(comment.author for comment in item.comments if comment.author)
    emails = {
        key: people[key].email.strip().lower()
        for key in used
        if key in people and people[key].email.strip()
    }
    members = {
        membership.user.email.lower(): membership
        for membership in Membership.objects.filter(
            workspace_id=actor.workspace_id,
            removed_at__isnull=True,
            user__email__in=list(set(emails.values())),
        ).select_related("user")
    }
    matched = {key: members[email] for key, email in emails.items() if email in members}
    if matched:
        report.notes.append(f"{len(matched)} people matched to members by their email")
    to_invite = sorted({email for email in emails.values() if email not in members})
    open_invitations = set(
        Invitation.objects.filter(
            workspace_id=actor.workspace_id,
            email__in=to_invite,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            declined_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).values_list("email", flat=True)
    )
    for email in to_invite:
        if email in open_invitations:
            report.skipped["invitation"] += 1
            continue
        invitation_create(actor=actor, email=email, role=Role.MEMBER, send=invite)
        report.created["invitation"] += 1
    names_only = sorted(people[key].name or key for key in used - set(emails) if key in people)
    names_only += sorted(key for key in used if key not in people)
    if names_only:
        report.notes.append(
            f"{len(names_only)} people have no email in the file and are kept as names only "
            f"(their items and comments are yours): {', '.join(names_only[:10])}"
            + ("…" if len(names_only) > 10 else "")
        )
    if to_invite:
        report.notes.append(
            f"{len(to_invite)} people are not members yet: their items and comments are yours "
            "until they join; invitations "
            + ("were emailed" if invite else "were made but not emailed (resend them from Members)")
        )
    return matched


# -- items ----------------------------------------------------------------------------------


def _fields(item: SourceItem, status: str, estimate: Decimal | None) -> dict[str, Any]:
    """What an import writes of ``item``, as ``ExternalRef.fields`` keeps it."""
    return {
        "title": item.title,
        "description": item.description,
        "status": status,
        "estimate": None if estimate is None else format_points(estimate),
        "labels": sorted(item.labels),
        "acceptance_criteria": list(item.acceptance_criteria),
        "parent": item.parent,
        "sprint": item.sprints[-1] if item.sprints else None,
    }


def _named(error: DomainError, wheres: Sequence[str], prefix: str = "items") -> DomainError:
    """``error`` from a batch service with ``items[3]`` replaced by the record's place in the
    file."""

    def name(text: str) -> str:
        for index in sorted(range(len(wheres)), reverse=True):
            text = text.replace(f"{prefix}[{index}]", wheres[index])
        return text

    return type(error)(
        name(error.detail),
        code=error.code,
        errors=[FieldError(name(e.field), e.message) for e in error.errors],
    )


def _create_items(
    actor: Actor,
    product: Product,
    bundle: Bundle,
    plan: _Plan,
    people: dict[str, Membership],
    report: ImportReport,
    progress: Progress,
) -> dict[str, BacklogItem]:
    """The new items, in the source's order at the bottom of the backlog; external id -> item
    (those imported before included)."""
    new = [item for item in bundle.items if item.external_id not in plan.refs]
    by_id: dict[str, BacklogItem] = {}
    existing_parents = {
        item.parent for item in new if item.parent is not None and item.parent in plan.refs
    }
    new_ids = {item.external_id for item in new}
    missing = {
        item.parent
        for item in new
        if item.parent is not None and item.parent not in plan.refs and item.parent not in new_ids
    }
    parent_refs = dict(_refs(actor, bundle.source, "item", missing))
    parent_refs.update({key: plan.refs[key] for key in existing_parents})
    parent_items = {
        item.pk: item
        for item in BacklogItem.objects.filter(
            product=product, pk__in=[ref.object_id for ref in parent_refs.values()]
        )
    }
    now = timezone.now()
    total = len(bundle.items)
    done = 0
    # Batches keep parents and children together (a batch's parent index points into it).
    for chunk in _batches(new):
        index_of = {item.external_id: index for index, item in enumerate(chunk)}
        specs: list[ItemSpec] = []
        for item in chunk:
            parent: BacklogItem | int | None = None
            if item.parent is not None:
                if item.parent in index_of:
                    parent = index_of[item.parent]
                elif item.parent in by_id:
                    parent = by_id[item.parent]
                else:
                    ref = parent_refs[item.parent]
                    parent = parent_items.get(ref.object_id)
            created_at = min(item.created_at, now) if item.created_at else None
            updated_at = (
                max(min(item.updated_at, now), created_at or item.updated_at)
                if item.updated_at
                else None
            )
            specs.append(
                ItemSpec(
                    title=item.title,
                    kind=item.kind,
                    description=item.description,
                    acceptance_criteria=item.acceptance_criteria,
                    estimate=plan.estimates.get(item.external_id),
                    status=plan.statuses[item.external_id],
                    labels=item.labels,
                    assignee=people.get(item.assignee) if item.assignee else None,
                    parent=parent,
                    created_by=people.get(item.reporter or "", UNSET),
                    created_at=created_at,
                    updated_at=updated_at,
                )
            )
        try:
            items = items_create_many(
                actor=actor, product=product, specs=specs, check_readiness=False
            )
        except DomainError as error:
            raise _named(error, [item.where for item in chunk]) from error
        for source, created in zip(chunk, items, strict=True):
            by_id[source.external_id] = created
        insert_plain_rows(
            ExternalRef,
            REF_COLUMNS,
            [
                (
                    actor.workspace_id,
                    bundle.source,
                    "item",
                    source.external_id,
                    created.pk,
                    _fields(
                        source,
                        plan.statuses[source.external_id],
                        plan.estimates.get(source.external_id),
                    ),
                    now,
                )
                for source, created in zip(chunk, items, strict=True)
            ],
        )
        report.created["item"] += len(items)
        done += len(items)
        progress(done, total)
    return by_id


def _batches(items: list[SourceItem]) -> Iterable[list[SourceItem]]:
    """``items`` in runs of about ``BATCH``, each ending where no later item's parent is in
    it (a family stays in one batch; a parent after its children pulls them forward)."""
    position = {item.external_id: index for index, item in enumerate(items)}
    # The last position of each item's family root: a batch may end only past it.
    reach = list(range(len(items)))
    for index, item in enumerate(items):
        current, seen = item, 0
        while current.parent in position and seen < len(items):
            parent_index = position[current.parent]
            reach[parent_index] = max(reach[parent_index], index)
            reach[index] = max(reach[index], parent_index)
            current, seen = items[parent_index], seen + 1
    start, end = 0, -1
    for index in range(len(items)):
        end = max(end, reach[index])
        if index == end and index + 1 - start >= BATCH:
            yield items[start : index + 1]
            start = index + 1
    if start < len(items):
        yield items[start:]


def _update_items(
    actor: Actor,
    product: Product,
    bundle: Bundle,
    plan: _Plan,
    report: ImportReport,
) -> dict[str, BacklogItem]:
    """Items imported before: each field the source changed since that import takes the
    source's value; external id -> item."""
    again = [item for item in bundle.items if item.external_id in plan.refs]
    if not again:
        return {}
    # The labels are read only for the items that changed (an update compares them): most of a
    # re-import is unchanged.
    items = {
        item.pk: item
        for item in BacklogItem.objects.filter(
            product=product, pk__in=[plan.refs[i.external_id].object_id for i in again]
        )
    }
    by_id: dict[str, BacklogItem] = {}
    changed_refs: list[ExternalRef] = []
    updates: list[tuple[SourceItem, BacklogItem, dict[str, Any], ExternalRef, dict[str, Any]]] = []
    gone = 0
    for source in again:
        ref = plan.refs[source.external_id]
        item = items.get(ref.object_id)
        if item is None:
            gone += 1
            report.skipped["item"] += 1
            continue
        by_id[source.external_id] = item
        now_fields = _fields(
            source, plan.statuses[source.external_id], plan.estimates.get(source.external_id)
        )
        before = ref.fields or {}
        changes = {
            name: now_fields[name]
            for name in COMPARED
            if name in before and now_fields[name] != before[name]
        }
        moved = (
            now_fields["sprint"] is not None and before.get("sprint", "") != now_fields["sprint"]
        )
        if moved:
            plan.sprint_moved.add(source.external_id)
        if not changes:
            report.skipped["item"] += 1
            if moved:
                ref.fields = now_fields
                changed_refs.append(ref)
            continue
        updates.append((source, item, changes, ref, now_fields))
    prefetch_related_objects([item for _, item, _, _, _ in updates], "labels")
    for source, item, changes, ref, now_fields in updates:
        item.product = product
        try:
            item_update(actor=actor, item=item, **changes)
        except DomainError as error:
            raise _named(error, [source.where], prefix="") from error
        ref.fields = now_fields
        changed_refs.append(ref)
        report.updated["item"] += 1
    if gone:
        report.notes.append(
            f"{gone} items imported before are in the trash or were deleted here: left as they are"
        )
    if changed_refs:
        bulk_update_values(ExternalRef, changed_refs, ["fields"])
    return by_id


def _comments(
    actor: Actor,
    bundle: Bundle,
    items: dict[str, BacklogItem],
    people: dict[str, Membership],
    report: ImportReport,
    *,
    imported_before: Collection[str],
) -> None:
    """The comments of ``items`` (external id -> item) not imported before. Only the comments
    of ``imported_before`` (the external ids of items an earlier import made) are looked up:
    an item made by this import has none here yet."""
    declared = registry().object_type("item")
    assert declared is not None  # noqa: S101 - the backlog declares items
    keys = [
        f"{item.external_id}/{comment.external_id}"
        for item in bundle.items
        if item.external_id in imported_before
        for comment in item.comments
    ]
    known = _refs(actor, bundle.source, "comment", keys) if keys else {}
    now = timezone.now()
    specs: list[CommentSpec] = []
    new_keys: list[str] = []
    for item in bundle.items:
        target_item = items.get(item.external_id)
        if target_item is None:
            continue
        target = Target(declared=declared, obj=target_item)
        for comment in item.comments:
            key = f"{item.external_id}/{comment.external_id}"
            if key in known:
                report.skipped["comment"] += 1
                continue
            if not comment.body.strip():
                report.skipped["comment"] += 1
                continue
            specs.append(
                CommentSpec(
                    target=target,
                    body=comment.body,
                    author=people.get(comment.author) if comment.author else None,
                    created_at=min(comment.created_at, now) if comment.created_at else None,
                )
            )
            new_keys.append(key)
    if not specs:
        return
    created = comments_create_many(actor=actor, specs=specs)
    insert_plain_rows(
        ExternalRef,
        REF_COLUMNS,
        [
            (actor.workspace_id, bundle.source, "comment", key, comment.pk, {}, now)
            for key, comment in zip(new_keys, created, strict=True)
        ],
    )
    report.created["comment"] += len(created)


def _ref(
    actor: Actor,
    source: str,
    kind: str,
    external_id: str,
    object_id: int,
    fields: dict[str, Any] | None = None,
) -> None:
    ExternalRef.objects.create(
        workspace_id=actor.workspace_id,
        source=source,
        kind=kind,
        external_id=external_id,
        object_id=object_id,
        imported_at=timezone.now(),
        fields=fields or {},
    )


def _releases(
    actor: Actor,
    product: Product,
    bundle: Bundle,
    new_items: dict[str, BacklogItem],
    report: ImportReport,
) -> None:
    if not bundle.releases:
        return
    known = _refs(actor, bundle.source, "release", (r.external_id for r in bundle.releases))
    existing = {
        release.pk: release
        for release in Release.objects.filter(
            product=product, pk__in=[ref.object_id for ref in known.values()]
        )
    }
    taken = {
        name.lower(): pk
        for pk, name in Release.objects.filter(product=product).values_list("pk", "name")
    }
    went_live = 0
    for source in bundle.releases:
        ref = known.get(source.external_id)
        release = existing.get(ref.object_id) if ref is not None else None
        named_alike = False
        if release is None:
            if source.name.strip().lower() in taken:
                release = Release.objects.get(pk=taken[source.name.strip().lower()])
                report.skipped["release"] += 1
                named_alike = True
            else:
                release = release_create(
                    actor=actor,
                    product=product,
                    name=source.name,
                    description=source.description,
                    target_date=source.target,
                )
                report.created["release"] += 1
            if ref is None:
                _ref(
                    actor,
                    bundle.source,
                    "release",
                    source.external_id,
                    release.pk,
                    {"state": source.state},
                )
        else:
            report.skipped["release"] += 1
        items = [
            new_items[item.external_id]
            for item in bundle.items
            if item.release == source.external_id and item.external_id in new_items
        ]
        if release.state in ("planned", "in_progress"):
            for start in range(0, len(items), BULK_ITEMS_MAX):
                release_items_add(
                    actor=actor,
                    release=release,
                    items=items[start : start + BULK_ITEMS_MAX],
                    at_most=BULK_ITEMS_MAX,
                )
        # The source's state: a release made now takes it; one imported before takes it when
        # the source changed it since that import (a milestone closed this week).
        was = (ref.fields or {}).get("state") if ref is not None else None
        if source.state != was and not named_alike and release.state in ("planned", "in_progress"):
            if source.state == "live":
                when = source.released_at
                release_go_live(
                    actor=actor,
                    release=release,
                    force=True,
                    reason=f"Released in {SOURCE_NAMES.get(bundle.source, bundle.source)} "
                    "(imported): its checks were not kept there",
                    at=None
                    if when is None
                    else dt.datetime.combine(when, dt.time(12), tzinfo=dt.UTC),
                )
                went_live += 1
            elif source.state == "cancelled":
                release_update(actor=actor, release=release, state="cancelled")
        if ref is not None and source.state != was:
            ref.fields = {**(ref.fields or {}), "state": source.state}
            ref.save(update_fields=["fields"])
    if went_live:
        report.notes.append(
            f"{went_live} release{'s' if went_live != 1 else ''} went live in the source: "
            f"live here too, on {'their' if went_live != 1 else 'its'} date there"
        )


def _sprint_order(sprint: SourceSprint) -> tuple[int, dt.date]:
    rank = {"closed": 0, "active": 1, "planned": 2}[sprint.state]
    return rank, sprint.start or dt.date.min


def _sprints(
    actor: Actor,
    team: Team | None,
    bundle: Bundle,
    plan: _Plan,
    new_items: dict[str, BacklogItem],
    all_items: dict[str, BacklogItem],
    report: ImportReport,
) -> None:
    """The file's sprints, made for ``team`` in the order they ran; each takes its items.

    An item joins the sprint the file says it is in now when it is new, or when it was
    imported before and the file moved it to that sprint since; a sprint imported before takes
    such items too while it is planned or active here. An item already in an open sprint here
    stays where it is (said in a note).
    """
    if not bundle.sprints:
        return
    if team is None:
        report.skipped["sprint"] += len(bundle.sprints)
        report.notes.append(
            f"{len(bundle.sprints)} sprints were skipped: sprints belong to a team; import "
            "again with a team (--team) to bring them in"
        )
        return
    known = _refs(actor, bundle.source, "sprint", (s.external_id for s in bundle.sprints))
    to_start = [
        sprint
        for sprint in bundle.sprints
        if sprint.state != "planned" and sprint.external_id not in known
    ]
    running = (
        Sprint.objects.filter(team=team, state=SprintState.ACTIVE)
        .values_list("name", flat=True)
        .first()
    )
    if to_start and running is not None:
        # A team runs one sprint at a time: the file's closed and active sprints cannot be
        # replayed beside the one it runs now. The items come in; their sprints wait.
        report.skipped["sprint"] += len(bundle.sprints)
        report.notes.append(
            f"{len(bundle.sprints)} sprints were skipped: {team.name} runs {running} now, and "
            "the file's past and active sprints cannot run beside it; to bring them in, "
            "import with a team that runs no sprint"
        )
        return
    joining: dict[str, list[BacklogItem]] = {}
    for source_item in bundle.items:
        ext = source_item.external_id
        if source_item.sprints and (ext in new_items or ext in plan.sprint_moved):
            item = all_items.get(ext)
            if item is not None:
                joining.setdefault(source_item.sprints[-1], []).append(item)
    elsewhere = item_open_sprints(
        [item.pk for ext, item in all_items.items() if ext in plan.sprint_moved]
    )
    staying = 0

    def free(items: list[BacklogItem], name: str) -> list[BacklogItem]:
        """``items`` that are in no open sprint here (one in the sprint ``name`` is there)."""
        nonlocal staying
        staying += sum(1 for item in items if elsewhere.get(item.pk, name) != name)
        return [item for item in items if item.pk not in elsewhere]

    existing = {
        sprint.pk: sprint
        for sprint in Sprint.objects.filter(
            team=team, pk__in=[ref.object_id for ref in known.values()]
        )
    }
    names = {
        name.lower() for name in Sprint.objects.filter(team=team).values_list("name", flat=True)
    }
    today = timezone.localdate()
    undated = sum(
        1 for sprint in bundle.sprints if sprint.start is None and sprint.external_id not in known
    )
    if undated:
        report.notes.append(
            f"{undated} sprints have no dates in the file: each is dated from the day of the "
            "import (two weeks); change the dates on the sprint's page"
        )
    for source in sorted(bundle.sprints, key=_sprint_order):
        items = joining.get(source.external_id, [])
        if source.external_id in known:
            report.skipped["sprint"] += 1
            here = existing.get(known[source.external_id].object_id)
            if here is not None and here.state != SprintState.CLOSED:
                items = free(items, here.name)
            if here is not None and items and here.state != SprintState.CLOSED:
                _sprint_take(actor, here, items)
                report.notes.append(
                    f"{len(items)} item{'s' if len(items) != 1 else ''} joined {here.name}, "
                    "where the file has them now"
                )
            continue
        if source.name.strip().lower() in names:
            report.skipped["sprint"] += 1
            continue
        start = source.start or today
        end = source.end or start + dt.timedelta(days=13)
        sprint = sprint_create(
            actor=actor,
            team=team,
            name=source.name,
            start_date=start,
            end_date=max(end, start),
            goal=source.goal,
        )
        items = free(items, sprint.name)
        _sprint_take(actor, sprint, items)
        if source.state != "planned":
            goal = source.goal or f"Imported from {bundle.source}"
            sprint = sprint_start(actor=actor, sprint=sprint, goal=goal)
        if source.state == "closed":
            unfinished = [
                item.key
                for item in items
                if item.status not in (ItemStatus.DONE, ItemStatus.WONT_DO)
            ]
            sprint_close(
                actor=actor,
                sprint=sprint,
                goal_met=not unfinished,
                decisions=dict.fromkeys(unfinished, "backlog"),
            )
        _ref(actor, bundle.source, "sprint", source.external_id, sprint.pk)
        report.created["sprint"] += 1
    if staying:
        report.notes.append(
            f"{staying} item{'s' if staying != 1 else ''} the file moved to another sprint "
            f"{'are' if staying != 1 else 'is'} in an open sprint here already: left there"
        )


def _sprint_take(actor: Actor, sprint: Sprint, items: list[BacklogItem]) -> None:
    for first in range(0, len(items), LINKS_PER_CALL):
        sprint_items_add(actor=actor, sprint=sprint, items=items[first : first + LINKS_PER_CALL])


# -- the import -----------------------------------------------------------------------------


def _no_progress(done: int, total: int) -> None:
    return None


def import_bundle(
    actor: Actor,
    product: Product,
    bundle: Bundle,
    *,
    team: Team | None = None,
    dry_run: bool = False,
    status_map: dict[str, str] | None = None,
    invite: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``bundle`` into ``product`` (see the module's docstring); the report says what
    was (or, for a dry run, would be) created, updated and skipped, or every problem that
    refused it. A refused or failed import writes nothing."""
    require(actor, InteropPermission.IMPORT_DATA)
    if product.workspace_id != actor.workspace_id:
        raise Invalid.field("product", "is not a product of this workspace")
    if team is not None:
        if team.workspace_id != actor.workspace_id:
            raise Invalid.field(
                "team", "is not a team of this workspace", code=Code.IMPORT_TEAM_INVALID
            )
        works_from = team_product(team)
        if works_from is None or works_from.pk != product.pk:
            raise Invalid.field(
                "team",
                f"{team.name} does not work from {product.key}; choose one of its teams",
                code=Code.IMPORT_TEAM_INVALID,
            )
    report = ImportReport(source=bundle.source, dry_run=dry_run)
    # The readers fit their items already; a bundle made another way is fitted here, by the
    # same rule and with the same note (the caller's bundle is left as it was given).
    bundle = dataclasses.replace(bundle, items=list(bundle.items), notes=list(bundle.notes))
    fit_hierarchy(bundle)
    report.notes.extend(bundle.notes)
    tell = progress or _no_progress
    plan = _check(actor, bundle, status_map or {}, report)
    if not report.ok:
        return report
    plan.estimates = _fit_estimates(product, bundle, report)
    try:
        with transaction.atomic(), large_writes():
            people = _people(actor, bundle, invite=invite, report=report)
            created = _create_items(actor, product, bundle, plan, people, report, tell)
            updated = _update_items(actor, product, bundle, plan, report)
            _comments(
                actor, bundle, {**updated, **created}, people, report, imported_before=updated
            )
            _releases(actor, product, bundle, created, report)
            _sprints(actor, team, bundle, plan, created, {**updated, **created}, report)
            tell(len(bundle.items), len(bundle.items))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except DomainError as error:
        report.created.clear()
        report.updated.clear()
        report.skipped.clear()
        report.fail(error.detail)
    return report
