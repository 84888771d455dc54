"""Stable error codes of the interop context (imports, exports and restores, webhooks)."""

from __future__ import annotations

from enum import StrEnum


class InteropErrorCode(StrEnum):
    # Reading a file from another tool.
    IMPORT_FILE_INVALID = "import_file_invalid"
    IMPORT_FILE_TOO_LARGE = "import_file_too_large"
    IMPORT_SOURCE_UNKNOWN = "import_source_unknown"
