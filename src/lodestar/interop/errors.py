"""Stable error codes of the interop context (imports, exports and restores, webhooks)."""

from __future__ import annotations

from enum import StrEnum


class InteropErrorCode(StrEnum):
    # Reading a file from another tool.
    IMPORT_FILE_INVALID = "import_file_invalid"
    IMPORT_FILE_TOO_LARGE = "import_file_too_large"
    IMPORT_SOURCE_UNKNOWN = "import_source_unknown"
    # Exports and restores of a whole workspace.
    EXPORT_NOT_READY = "export_not_ready"
    RESTORE_FILE_INVALID = "restore_file_invalid"
    RESTORE_FILE_TOO_LARGE = "restore_file_too_large"
    RESTORE_CHECKSUM_MISMATCH = "restore_checksum_mismatch"
    RESTORE_SCHEMA_NEWER = "restore_schema_newer"
    RESTORE_REFERENCE_MISSING = "restore_reference_missing"
    RESTORE_WORKSPACE_NOT_EMPTY = "restore_workspace_not_empty"
    FORBIDDEN_EXPORT = "forbidden_export"
    BACKUP_UNAVAILABLE = "backup_unavailable"
