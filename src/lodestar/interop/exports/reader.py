"""Reading an export file safely: a zip from anywhere is checked before anything is believed.

Before a row is read: the file must be a zip, with no more than ``members`` members, each
declaring no more than ``member_bytes`` unpacked (``total_bytes`` in all) and, past a MiB,
packed no more than ``ratio`` times (a zip bomb declares small sizes or packs a lot into a
little); the manifest must name the format and a schema this Lodestar reads. While rows are
read, the bytes unpacked are counted against the same limits (a member that lies about its
size is stopped), every line must be a whole JSON object of at most ``line_bytes``, and each
file's SHA-256 and row count must match the manifest's at its end.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings

from lodestar.core.errors import Invalid
from lodestar.interop.errors import InteropErrorCode as Code
from lodestar.interop.exports.format import FORMAT_NAME, SCHEMA_VERSION
from lodestar.interop.exports.writer import MANIFEST

MIB = 1024 * 1024
_raw_decode = json.JSONDecoder().raw_decode


@dataclass(frozen=True)
class Limits:
    members: int = 1000
    member_bytes: int = 4096 * MIB
    total_bytes: int = 16384 * MIB
    ratio: int = 100
    line_bytes: int = 16 * MIB
    manifest_bytes: int = 4 * MIB


def limits() -> Limits:
    """The limits, as settings may change them (``RESTORE_LIMITS``, a dict of the fields)."""
    return Limits(**getattr(settings, "RESTORE_LIMITS", {}))


def _too_large(detail: str) -> Invalid:
    return Invalid(detail, code=Code.RESTORE_FILE_TOO_LARGE)


def _invalid(detail: str) -> Invalid:
    return Invalid(detail, code=Code.RESTORE_FILE_INVALID)


@dataclass(frozen=True)
class Entry:
    table: str
    file: str
    rows: int
    sha256: str


class ExportFile:
    """An export file opened for a restore; ``rows(entry)`` streams one table's rows."""

    def __init__(self, source: IO[bytes], *, limit: Limits | None = None) -> None:
        self.limits = limit or limits()
        try:
            self.archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise _invalid(
                f"This is not an export: the file is not a zip archive ({error})."
            ) from None
        infos = self.archive.infolist()
        if len(infos) > self.limits.members:
            raise _too_large(
                f"The zip holds {len(infos)} files; an export holds at most {self.limits.members}."
            )
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > self.limits.member_bytes:
                raise _too_large(
                    f"{info.filename} unpacks to {info.file_size} bytes; at most "
                    f"{self.limits.member_bytes} are read from one file."
                )
            if info.file_size > MIB and info.file_size > self.limits.ratio * max(
                info.compress_size, 1
            ):
                raise _too_large(
                    f"{info.filename} is packed {info.file_size // max(info.compress_size, 1)} "
                    f"times; at most {self.limits.ratio} times is read (a zip bomb?)."
                )
        if total > self.limits.total_bytes:
            raise _too_large(
                f"The zip unpacks to {total} bytes; at most {self.limits.total_bytes} are read."
            )
        self.unpacked = 0
        self.manifest = self._manifest()
        self.version: int = self.manifest["schema_version"]
        self.entries = self._entries()

    def _manifest(self) -> dict[str, Any]:
        try:
            info = self.archive.getinfo(MANIFEST)
        except KeyError:
            raise _invalid(f"This is not an export: it has no {MANIFEST}.") from None
        if info.file_size > self.limits.manifest_bytes:
            raise _too_large(f"{MANIFEST} is {info.file_size} bytes; an export's is far smaller.")
        data = b"".join(self._chunks(info))
        try:
            manifest = json.loads(data)
        except (ValueError, UnicodeDecodeError) as error:
            raise _invalid(f"{MANIFEST} is not JSON: {error}.") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
            raise _invalid(f"This is not a Lodestar export: {MANIFEST} names no {FORMAT_NAME}.")
        version = manifest.get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise _invalid(f"{MANIFEST}'s schema_version must be a whole number from 1.")
        if version > SCHEMA_VERSION:
            raise Invalid(
                f"This export has schema {version}, written by Lodestar "
                f"{manifest.get('lodestar_version', '?')}; this Lodestar reads schemas up to "
                f"{SCHEMA_VERSION}. Restore it with that version of Lodestar or a later one.",
                code=Code.RESTORE_SCHEMA_NEWER,
            )
        workspace = manifest.get("workspace")
        if not isinstance(workspace, dict) or not isinstance(workspace.get("slug"), str):
            raise _invalid(f"{MANIFEST} names no workspace slug.")
        return manifest

    def _entries(self) -> dict[str, Entry]:
        tables = self.manifest.get("tables")
        if not isinstance(tables, list):
            raise _invalid(f"{MANIFEST} lists no tables.")
        entries: dict[str, Entry] = {}
        names = set(self.archive.namelist())
        for position, raw in enumerate(tables):
            try:
                entry = Entry(
                    table=str(raw["table"]),
                    file=str(raw["file"]),
                    rows=int(raw["rows"]),
                    sha256=str(raw["sha256"]),
                )
            except (KeyError, TypeError, ValueError):
                raise _invalid(
                    f"{MANIFEST}'s tables[{position}] needs table, file, rows and sha256."
                ) from None
            if entry.file not in names:
                raise _invalid(f"{MANIFEST} lists {entry.file}, which is not in the zip.")
            entries[entry.table] = entry
        return entries

    def _chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(MIB):
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise _invalid(f"{info.filename} cannot be unpacked: {error}.") from None

    def rows(self, entry: Entry) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(line number, row)`` of the table's file, in order; at its end, the file's
        SHA-256 and row count are checked against the manifest."""
        info = self.archive.getinfo(entry.file)
        digest = hashlib.sha256()
        size = 0
        line_number = 0
        pending = b""
        for chunk in self._chunks(info):
            size += len(chunk)
            self.unpacked += len(chunk)
            if size > self.limits.member_bytes or self.unpacked > self.limits.total_bytes:
                raise _too_large(
                    f"{entry.file} unpacks to more than it declares or than is read "
                    f"({size} bytes so far): a zip bomb?"
                )
            digest.update(chunk)
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            if len(pending) > self.limits.line_bytes:
                raise _too_large(
                    f"{entry.file}, line {line_number + 1}: longer than "
                    f"{self.limits.line_bytes} bytes."
                )
            for line in lines:
                line_number += 1
                yield line_number, self._row(entry, line_number, line)
        if pending:
            raise _invalid(
                f"{entry.file}, line {line_number + 1}: the line is cut short (no line end): "
                "the file is truncated."
            )
        if digest.hexdigest() != entry.sha256:
            raise Invalid(
                f"{entry.file} does not match its SHA-256 in {MANIFEST}: the file was changed "
                "or damaged after the export.",
                code=Code.RESTORE_CHECKSUM_MISMATCH,
            )
        if line_number != entry.rows:
            raise _invalid(f"{entry.file} holds {line_number} rows; {MANIFEST} says {entry.rows}.")

    @staticmethod
    def _row(entry: Entry, line_number: int, line: bytes) -> dict[str, Any]:
        try:
            # The line as text, then one JSON value from its start: what ``json.loads`` does
            # without guessing the encoding or skipping spaces (an export writes none); a line
            # with more after its value goes the long way, which accepts spaces or says why not.
            text = line.decode()
            row, end = _raw_decode(text)
            if end != len(text):
                row = json.loads(text)
        except (ValueError, UnicodeDecodeError) as error:
            raise _invalid(
                f"{entry.file}, line {line_number}: not a JSON object ({error}): the line is "
                "damaged or cut short."
            ) from None
        if not isinstance(row, dict) or not isinstance(row.get("id"), int):
            raise _invalid(f"{entry.file}, line {line_number}: a row must be an object with an id.")
        return row

    def close(self) -> None:
        self.archive.close()
