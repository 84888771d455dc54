"""Stable error codes of the coverage context."""

from __future__ import annotations

from enum import StrEnum


class CoverageErrorCode(StrEnum):
    COVERAGE_DAYS_INVALID = "coverage_days_invalid"
    COVERAGE_SCOPE_INVALID = "coverage_scope_invalid"
    TRACE_KIND_UNKNOWN = "trace_kind_unknown"
    COVERAGE_THRESHOLDS_INVALID = "coverage_thresholds_invalid"
    FORBIDDEN_SET_COVERAGE_THRESHOLDS = "forbidden_set_coverage_thresholds"
