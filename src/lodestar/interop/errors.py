"""Stable error codes of the interop context (imports, exports and restores, webhooks)."""

from __future__ import annotations

from enum import StrEnum


class InteropErrorCode(StrEnum):
    # Reading a file from another tool.
    IMPORT_FILE_INVALID = "import_file_invalid"
    IMPORT_FILE_TOO_LARGE = "import_file_too_large"
    IMPORT_SOURCE_UNKNOWN = "import_source_unknown"
    # Webhooks.
    WEBHOOK_URL_INVALID = "webhook_url_invalid"
    WEBHOOK_EVENTS_INVALID = "webhook_events_invalid"
    WEBHOOK_DESCRIPTION_INVALID = "webhook_description_invalid"
    WEBHOOK_REASON_INVALID = "webhook_reason_invalid"
    WEBHOOK_LIMIT_REACHED = "webhook_limit_reached"
    WEBHOOK_NOT_ACTIVE = "webhook_not_active"
    FORBIDDEN_MANAGE_WEBHOOKS = "forbidden_manage_webhooks"
    WEBHOOK_NOT_FOUND = "webhook_not_found"
    WEBHOOK_DELIVERY_NOT_FOUND = "webhook_delivery_not_found"
    IMPORT_REFUSED = "import_refused"
    IMPORT_STATUS_MAP_INVALID = "import_status_map_invalid"
    IMPORT_NOT_FOUND = "import_not_found"
    IMPORT_TEAM_INVALID = "import_team_invalid"
    FORBIDDEN_IMPORT = "forbidden_import_data"
    # Exports and restores of a whole workspace.
    EXPORT_NOT_READY = "export_not_ready"
    RESTORE_FILE_INVALID = "restore_file_invalid"
    RESTORE_FILE_TOO_LARGE = "restore_file_too_large"
    RESTORE_CHECKSUM_MISMATCH = "restore_checksum_mismatch"
    RESTORE_SCHEMA_NEWER = "restore_schema_newer"
    RESTORE_REFERENCE_MISSING = "restore_reference_missing"
    RESTORE_WORKSPACE_NOT_EMPTY = "restore_workspace_not_empty"
    FORBIDDEN_EXPORT = "forbidden_export_workspace"
    BACKUP_UNAVAILABLE = "backup_unavailable"
