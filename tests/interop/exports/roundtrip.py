"""Comparing two exports apart from their ids: the first's rows carried through a restore's
id maps must be the second's."""

from __future__ import annotations

import json
from typing import Any

from lodestar.core.registry import registry
from lodestar.interop.exports.format import (
    USER,
    USER_FIELDS,
    WORKSPACE,
    Table,
    change_references,
    map_change,
    plan,
)


def _soft_label(table: Table, row: dict[str, Any]) -> str | None:
    assert table.soft is not None
    kind = row[table.soft.type_field]
    if table.soft.by_label:
        return str(kind)
    declared = registry().object_type(kind)
    return None if declared is None else declared.model._meta.label_lower


def carried(
    files: dict[str, bytes], ids: dict[str, dict[int, int]], slug: str
) -> dict[str, list[dict[str, Any]]]:
    """The rows of ``files`` (an export) as they should read after the restore that made
    ``ids``: every id and reference mapped, the workspace's slug ``slug``."""
    out: dict[str, list[dict[str, Any]]] = {}
    users = ids[USER]
    out["people/user.jsonl"] = [
        {**row, "id": users[row["id"]]} for row in _rows(files["people/user.jsonl"])
    ]
    tables = plan()
    in_changes = {t.label: change_references(t) for t in tables}
    for table in tables:
        rows = []
        for row in _rows(files[table.file]):
            row = dict(row)
            row["id"] = ids[table.label][row["id"]]
            for column, target in table.references.items():
                if row[column] is not None:
                    row[column] = ids[target][row[column]]
            if table.soft is not None:
                label = _soft_label(table, row)
                if label in ids:
                    old = row[table.soft.id_field]
                    row[table.soft.id_field] = ids[label].get(old, -old)
                keys = in_changes.get(label or "", {})
                if isinstance(row.get("changes"), dict) and keys:
                    row["changes"] = {
                        key: map_change(value, ids[keys[key]]) if key in keys else value
                        for key, value in row["changes"].items()
                    }
            if table.label == WORKSPACE:
                row["slug"] = slug
            rows.append(row)
        out[table.file] = sorted(rows, key=lambda r: r["id"])
    assert set(USER_FIELDS) == set(out["people/user.jsonl"][0])
    return out


def parsed(files: dict[str, bytes]) -> dict[str, list[dict[str, Any]]]:
    return {name: _rows(data) for name, data in files.items() if name != "manifest.json"}


def _rows(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines()]
