"""Stable error codes of the reports context."""

from __future__ import annotations

from enum import StrEnum


class ReportErrorCode(StrEnum):
    REPORT_PERIOD_INVALID = "report_period_invalid"
