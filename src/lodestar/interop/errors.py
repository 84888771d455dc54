"""Stable error codes of the interop context (imports, exports and restores, webhooks)."""

from __future__ import annotations

from enum import StrEnum


class InteropErrorCode(StrEnum):
    # Reading a file from another tool.
    IMPORT_FILE_INVALID = "import_file_invalid"
    IMPORT_FILE_TOO_LARGE = "import_file_too_large"
    IMPORT_SOURCE_UNKNOWN = "import_source_unknown"
    IMPORT_REFUSED = "import_refused"
    IMPORT_STATUS_MAP_INVALID = "import_status_map_invalid"
    IMPORT_NOT_FOUND = "import_not_found"
    IMPORT_TEAM_INVALID = "import_team_invalid"
    FORBIDDEN_IMPORT = "forbidden_import"
