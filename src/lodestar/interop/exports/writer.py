"""Writing a workspace's export: a zip of one JSON Lines file per table and ``manifest.json``.

Rows stream from the database in id order (``values_list`` iterators, a few thousand at a time),
are written as they come and hashed on the way, so a workspace of any size never sits in
memory as objects. Nothing of the moment of the export is in a data file (the manifest says
when), and every member has the same fixed date, so two exports of the same data hold the
same bytes in each data file."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

import lodestar
from lodestar.core.db import is_postgresql
from lodestar.interop.exports.format import (
    FORMAT_NAME,
    SCHEMA_VERSION,
    USER,
    USER_FIELDS,
    Table,
    encode_row,
    plan,
)
from lodestar.interop.exports.models import WorkspaceRestore
from lodestar.people.models import User, Workspace

MANIFEST = "manifest.json"
USERS_FILE = "people/user.jsonl"
# A zip's dates start in 1980; every member carries that one, so the bytes depend on data only.
MEMBER_DATE = (1980, 1, 1, 0, 0, 0)
CHUNK = 5000

# progress(rows written so far, rows in all)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Written:
    manifest: dict[str, Any]
    rows: int


def member_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=MEMBER_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


@contextmanager
def _snapshot(*, enabled: bool) -> Iterator[None]:
    """One view of the data for the whole export. PostgreSQL: a repeatable-read transaction
    (reads never wait and block no write). SQLite serializes writers, and a transaction would
    hold the write lock for the export's length: each table is read as it is then."""
    if not enabled or not is_postgresql(connection) or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _rows(table: Table, workspace_id: int) -> Iterator[tuple[Any, ...]]:
    queryset = table.model._base_manager.filter(**{table.path: workspace_id})
    yield from queryset.order_by("pk").values_list(*table.columns).iterator(chunk_size=CHUNK)


def write_export(
    workspace: Workspace,
    out: IO[bytes],
    progress: Progress | None = None,
    *,
    snapshot: bool = True,
) -> Written:
    """Write ``workspace``'s export to ``out`` (a file open for writing bytes). With
    ``snapshot`` (PostgreSQL), every table is read from one snapshot; a background export whose
    progress others read goes without, and reads each table as it is then."""
    tables = plan()
    entries: list[dict[str, Any]] = []
    with _snapshot(enabled=snapshot):
        counts = {
            t.label: t.model._base_manager.filter(**{t.path: workspace.pk}).count() for t in tables
        }
        user_ids: set[int] = set()
        total = sum(counts.values())
        done = 0
        with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
            for table in tables:
                users = [i for i, c in enumerate(table.columns) if table.references.get(c) == USER]
                digest = hashlib.sha256()
                count = 0
                with archive.open(member_info(table.file), "w", force_zip64=True) as member:
                    for values in _rows(table, workspace.pk):
                        line = encode_row(table.columns, values)
                        member.write(line)
                        digest.update(line)
                        count += 1
                        for index in users:
                            if values[index] is not None:
                                user_ids.add(values[index])
                        if progress is not None and count % CHUNK == 0:
                            progress(done + count, total)
                done += count
                entries.append(_entry(table.label, table.file, count, digest))
            digest = hashlib.sha256()
            count = 0
            with archive.open(member_info(USERS_FILE), "w", force_zip64=True) as member:
                ordered = sorted(user_ids)
                for start in range(0, len(ordered), CHUNK):
                    chunk = ordered[start : start + CHUNK]
                    for values in (
                        User.objects.filter(pk__in=chunk).order_by("pk").values_list(*USER_FIELDS)
                    ):
                        line = encode_row(USER_FIELDS, values)
                        member.write(line)
                        digest.update(line)
                        count += 1
            entries.insert(0, _entry(USER, USERS_FILE, count, digest))
            manifest = {
                "format": FORMAT_NAME,
                "schema_version": SCHEMA_VERSION,
                "lodestar_version": lodestar.__version__,
                "exported_at": timezone.now().astimezone(dt.UTC).isoformat(),
                "workspace": {"slug": workspace.slug, "name": workspace.name},
                "tables": entries,
            }
            restored = _restored_from(workspace)
            if restored is not None:
                manifest["restored_from"] = restored
            archive.writestr(member_info(MANIFEST), json.dumps(manifest, indent=2) + "\n")
    if progress is not None:
        progress(total, total)
    return Written(manifest=manifest, rows=total + count)


def _restored_from(workspace: Workspace) -> dict[str, Any] | None:
    """When a restore made ``workspace``: the export it read and each table's map from that
    file's ids to this one's (``format.id_runs``); None otherwise."""
    restore = WorkspaceRestore.objects.filter(workspace=workspace).order_by("-pk").first()
    if restore is None:
        return None
    return {
        **restore.source,
        "restored_at": restore.restored_at.astimezone(dt.UTC).isoformat(),
        "ids": restore.ids,
    }


def _entry(label: str, file: str, rows: int, digest: Any) -> dict[str, Any]:
    return {"table": label, "file": file, "rows": rows, "sha256": digest.hexdigest()}
