"""Restoring an export into an empty workspace (docs/EXPORT.md, *Restore*).

Two passes over the file. The first reads every table without writing: the limits, each
line, each file's SHA-256 and row count, and the ids of every row (rows must come in id
order). Then, in one transaction: the workspace (new, or one that exists and holds nothing
but its members), users matched by email or created without a usable password, new ids
reserved for each table in one query (a map old id -> new id per table, in the same order),
and the second pass writes each table's rows in batches (``core.db.insert_values``) with every
foreign key and every kind-and-id reference rewritten through the maps, and so are the ids
inside history's ``changes`` (a parent before and after). A row naming an id the file does not
hold stops the restore, naming its file, line and column; any error rolls everything back.
The maps are kept (``WorkspaceRestore``, as runs) for the workspace's next export's manifest.
Finally the search index of the workspace is rebuilt.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, connection, transaction

from lodestar.core.db import insert_rows, insert_values, large_writes, reserve_ids
from lodestar.core.errors import Conflict, Invalid
from lodestar.core.registry import registry
from lodestar.core.search.index import reindex
from lodestar.interop.errors import InteropErrorCode as Code
from lodestar.interop.exports import migrations
from lodestar.interop.exports.format import (
    SCHEMA_VERSION,
    USER,
    WORKSPACE,
    Table,
    change_references,
    decoder,
    id_runs,
    map_change,
    plan,
)
from lodestar.interop.exports.models import WorkspaceRestore
from lodestar.interop.exports.reader import Entry, ExportFile, Limits
from lodestar.people.models import Membership, User, Workspace

BATCH = 5000
MEMBERSHIP = "people.membership"
# Tables a workspace may hold and still be empty enough to restore into: the members of a
# workspace made to receive the restore, and the history of making it.
HISTORY = "core.historyentry"
ALLOWED_IN_EMPTY = frozenset({WORKSPACE, MEMBERSHIP, HISTORY})

# progress(rows written so far, rows in all)
Progress = Callable[[int, int], None]


@dataclass
class Restored:
    workspace: Workspace
    rows: int
    # table label -> {id in the file: id here}; a reference to an object the file does not
    # hold (the history of an object deleted before the export) maps to minus its old id.
    ids: dict[str, dict[int, int]] = field(default_factory=dict)
    users_created: int = 0
    users_matched: int = 0
    # Seconds of each step: reading and checking the file, writing the rows, indexing.
    timings: dict[str, float] = field(default_factory=dict)


def _tables_of(source: ExportFile) -> list[tuple[Table, Entry]]:
    tables = plan()
    known = {table.label for table in tables} | {USER}
    unknown = sorted(set(source.entries) - known)
    if unknown:
        raise Invalid(
            f"The export holds tables this Lodestar does not know: {', '.join(unknown)}.",
            code=Code.RESTORE_FILE_INVALID,
        )
    for label in (WORKSPACE, USER):
        if label not in source.entries:
            raise Invalid(f"The export has no {label} table.", code=Code.RESTORE_FILE_INVALID)
    return [
        (table, source.entries[table.label]) for table in tables if table.label in source.entries
    ]


def _soft_target(table: Table, row: dict[str, Any]) -> str | None:
    """The label of the table a kind-and-id reference of ``row`` names, or None (a kind this
    Lodestar does not export: its id is kept as it is)."""
    assert table.soft is not None  # noqa: S101
    kind = row.get(table.soft.type_field)
    if not isinstance(kind, str):
        return None
    if table.soft.by_label:
        return kind
    declared = registry().object_type(kind)
    return None if declared is None else declared.model._meta.label_lower


def _change_references() -> dict[str, dict[str, str]]:
    """For each exported table, the keys of its history's ``changes`` that hold ids."""
    return {t.label: refs for t in plan() if (refs := change_references(t))}


def _scan(
    source: ExportFile, tables: list[tuple[Table, Entry]], steps: list[migrations.Step]
) -> tuple[dict[str, list[int]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The first pass: every row read and checked, nothing written. Returns each table's ids
    in order, the users and the memberships."""
    ids: dict[str, list[int]] = {}
    users = []
    for line, raw in source.rows(source.entries[USER]):
        row = migrations.migrate(USER, raw, steps)
        if not isinstance(row.get("email"), str) or "@" not in row["email"]:
            raise Invalid(
                f"{source.entries[USER].file}, line {line}: a user needs an email.",
                code=Code.RESTORE_FILE_INVALID,
            )
        users.append(row)
    memberships: list[dict[str, Any]] = []
    for table, entry in tables:
        seen: list[int] = []
        last = 0
        expected = set(table.columns)
        for line, raw in source.rows(entry):
            row = migrations.migrate(table.label, raw, steps) if steps else raw
            if row.keys() != expected:
                missing = sorted(expected - set(row))
                extra = sorted(set(row) - expected)
                raise Invalid(
                    f"{entry.file}, line {line}: "
                    + (f"missing {', '.join(missing)}" if missing else "")
                    + ("; " if missing and extra else "")
                    + (f"unknown {', '.join(extra)}" if extra else ""),
                    code=Code.RESTORE_FILE_INVALID,
                )
            if row["id"] <= last:
                raise Invalid(
                    f"{entry.file}, line {line}: id {row['id']} is out of order (rows come in "
                    "id order, each once).",
                    code=Code.RESTORE_FILE_INVALID,
                )
            last = row["id"]
            seen.append(last)
            if table.label == MEMBERSHIP:
                memberships.append(row)
        ids[table.label] = seen
    if len(ids[WORKSPACE]) != 1:
        raise Invalid("The export must hold one workspace.", code=Code.RESTORE_FILE_INVALID)
    return ids, users, memberships


def _target_workspace(slug: str, tables: list[tuple[Table, Entry]]) -> Workspace | None:
    """The existing workspace ``slug`` when it is empty, None when there is none; Conflict
    when it holds anything."""
    existing = Workspace.objects.select_for_update().filter(slug=slug).first()
    if existing is None:
        return None
    for table, _ in tables:
        if table.label in ALLOWED_IN_EMPTY:
            continue
        if table.model._base_manager.filter(**{table.path: existing.pk}).exists():
            raise Conflict(
                f"The workspace '{slug}' is not empty (it holds "
                f"{table.model._meta.verbose_name_plural}): restore into a new slug "
                "(--workspace-slug) or an empty workspace.",
                code=Code.RESTORE_WORKSPACE_NOT_EMPTY,
            )
    return existing


def _users(rows: list[dict[str, Any]]) -> tuple[dict[int, int], int, int]:
    """Each user of the file matched by email to a user here, or created without a usable
    password (they set one through "Forgot your password?")."""
    emails = {str(row["email"]).strip().lower(): row for row in rows}
    found = dict(User.objects.filter(email__in=list(emails)).values_list("email", "pk"))
    new = [
        User(
            email=email,
            full_name=row.get("full_name") or "",
            is_active=bool(row.get("is_active", True)),
            date_joined=dt.datetime.fromisoformat(row["date_joined"])
            if row.get("date_joined")
            else dt.datetime.now(dt.UTC),
            password=make_password(None),
        )
        for email, row in emails.items()
        if email not in found
    ]
    insert_rows(User, new)
    found.update({user.email: user.pk for user in new})
    mapping = {int(row["id"]): found[str(row["email"]).strip().lower()] for row in rows}
    return mapping, len(rows) - len(new), len(new)


def restore_export(
    source: IO[bytes],
    *,
    slug: str | None = None,
    progress: Progress | None = None,
    limit: Limits | None = None,
) -> Restored:
    """Restore the export ``source`` (a file open for reading bytes) into the workspace
    ``slug`` (the export's own slug when None), which must not exist or be empty."""
    export = ExportFile(source, limit=limit)
    try:
        return _restore(export, slug, progress)
    finally:
        export.close()


def _restore(export: ExportFile, slug: str | None, progress: Progress | None) -> Restored:
    started = time.perf_counter()
    steps = migrations.steps_from(export.version, SCHEMA_VERSION)
    tables = _tables_of(export)
    ids, user_rows, membership_rows = _scan(export, tables, steps)
    checked = time.perf_counter() - started
    slug = slug or export.manifest["workspace"]["slug"]
    total = sum(len(v) for v in ids.values())
    try:
        with transaction.atomic(), large_writes():
            restored = _write(
                export, tables, steps, ids, user_rows, membership_rows, slug, total, progress
            )
            committing = time.perf_counter()
    except IntegrityError as error:
        raise Conflict(
            f"The export cannot be restored here: {error}. Nothing was restored.",
            code=Code.RESTORE_FILE_INVALID,
        ) from None
    # The commit checks every foreign key written (the constraints are deferred).
    commit = time.perf_counter() - committing
    restored.timings = {"check": checked, **restored.timings, "commit": commit}
    return restored


def _write(
    export: ExportFile,
    tables: list[tuple[Table, Entry]],
    steps: list[migrations.Step],
    ids: dict[str, list[int]],
    user_rows: list[dict[str, Any]],
    membership_rows: list[dict[str, Any]],
    slug: str,
    total: int,
    progress: Progress | None,
) -> Restored:
    existing = _target_workspace(slug, tables)
    user_map, matched, created = _users(user_rows)
    maps: dict[str, dict[int, int]] = {USER: user_map}
    skip: dict[str, set[int]] = {}
    for table, _ in tables:
        old = ids[table.label]
        if table.label == WORKSPACE and existing is not None:
            maps[WORKSPACE] = {old[0]: existing.pk}
            skip[WORKSPACE] = {old[0]}
            continue
        if table.label == MEMBERSHIP and existing is not None:
            current = dict(
                Membership.all_objects.filter(workspace=existing).values_list("user_id", "pk")
            )
            kept = {
                row["id"]: current[user_map[row["user_id"]]]
                for row in membership_rows
                if user_map.get(row["user_id"]) in current
            }
            skip[MEMBERSHIP] = set(kept)
            old = [i for i in old if i not in kept]
            maps[MEMBERSHIP] = dict(kept)
            maps[MEMBERSHIP].update(
                zip(old, reserve_ids(table.model, len(old), connection), strict=True)
            )
            continue
        maps[table.label] = dict(
            zip(old, reserve_ids(table.model, len(old), connection), strict=True)
        )
    started = time.perf_counter()
    done = 0
    for table, entry in tables:
        done = _write_table(
            export,
            table,
            entry,
            steps,
            maps,
            skip.get(table.label, set()),
            slug,
            done,
            total,
            progress,
        )
    written = time.perf_counter() - started
    workspace = Workspace.objects.get(pk=maps[WORKSPACE][ids[WORKSPACE][0]])
    manifest = export.manifest
    WorkspaceRestore.objects.create(
        workspace=workspace,
        source={
            "slug": manifest["workspace"]["slug"],
            "name": manifest["workspace"].get("name", ""),
            "exported_at": manifest.get("exported_at", ""),
            "lodestar_version": manifest.get("lodestar_version", ""),
            "schema_version": export.version,
        },
        ids={label: id_runs(mapping) for label, mapping in sorted(maps.items())},
    )
    started = time.perf_counter()
    reindex(workspace_id=workspace.pk)
    timings = {"write": written, "index": time.perf_counter() - started}
    return Restored(
        workspace, done, maps, users_created=created, users_matched=matched, timings=timings
    )


def _write_table(
    export: ExportFile,
    table: Table,
    entry: Entry,
    steps: list[migrations.Step],
    maps: dict[str, dict[int, int]],
    skip: set[int],
    slug: str,
    done: int,
    total: int,
    progress: Progress | None,
) -> int:
    model = table.model
    meta = model._meta
    fields = [meta.get_field(name) if name != "id" else meta.pk for name in table.columns]
    attnames = [f.attname for f in fields]  # type: ignore[union-attr]
    # Only the columns whose JSON value is not already the database's (dates, decimals, JSON).
    decoders = [
        (index, convert)
        for index, f in enumerate(fields)
        if (convert := decoder(f, connection)) is not None  # type: ignore[arg-type]
    ]
    own = maps[table.label]
    references = [
        (i, maps.get(table.references[c]), table.references[c], c)
        for i, c in enumerate(table.columns)
        if c in table.references
    ]
    soft_index = table.columns.index(table.soft.id_field) if table.soft else -1
    # History: the ids inside ``changes`` (a parent before and after) of each kind of object.
    changes_index = (
        table.columns.index("changes") if table.label == HISTORY and "changes" in table.columns
        else -1
    )  # fmt: skip
    in_changes = _change_references() if changes_index >= 0 else {}
    batch: list[list[Any]] = []
    for line, raw in export.rows(entry):
        row = migrations.migrate(table.label, raw, steps) if steps else raw
        if skip and row["id"] in skip:
            continue
        if table.label == WORKSPACE:
            row["slug"] = slug
        values = [row[c] for c in table.columns]
        values[0] = own[values[0]]
        for index, mapping, target, column in references:
            value = values[index]
            if value is None:
                continue
            new = mapping.get(value) if mapping is not None else None
            if new is None:
                raise Invalid(
                    f"{entry.file}, line {line}: {column} {value} names a {target} row that is not "
                    "in the export.",
                    code=Code.RESTORE_REFERENCE_MISSING,
                )
            values[index] = new
        if table.soft is not None:
            target_label = _soft_target(table, row)
            mapping = maps.get(target_label) if target_label else None
            if mapping is not None and values[soft_index] is not None:
                old = values[soft_index]
                values[soft_index] = mapping.get(old, -abs(old))
            changes = values[changes_index] if changes_index >= 0 else None
            keys = in_changes.get(target_label or "")
            if isinstance(changes, dict) and keys and not keys.keys().isdisjoint(changes):
                values[changes_index] = {
                    key: map_change(value, maps.get(keys[key], {})) if key in keys else value
                    for key, value in changes.items()
                }
        for index, convert in decoders:
            values[index] = convert(values[index])
        batch.append(values)
        if len(batch) >= BATCH:
            done += insert_values(model, attnames, batch)
            batch = []
            if progress is not None:
                progress(done, total)
    done += insert_values(model, attnames, batch)
    if progress is not None:
        progress(done, total)
    return done
