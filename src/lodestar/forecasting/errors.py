"""What a forecast refuses, with stable codes.

``ForecastError`` is an ``Invalid`` (``core.errors``, which imports no Django): the API answers
it as a 422 problem naming the field, the CLI as one line naming it, and a program using the
engine alone catches it as a plain exception with ``code``, ``field_name`` and ``message``.
"""

from __future__ import annotations

from enum import StrEnum

from lodestar.core.errors import FieldError, Invalid


class ForecastErrorCode(StrEnum):
    HISTORY_EMPTY = "forecast_history_empty"
    HISTORY_ALL_ZERO = "forecast_history_all_zero"
    HISTORY_TOO_LONG = "forecast_history_too_long"
    NEGATIVE = "forecast_negative"
    OUT_OF_RANGE = "forecast_out_of_range"
    MISSING = "forecast_missing"
    NOT_APPLICABLE = "forecast_not_applicable"
    DATE_IN_PAST = "forecast_date_in_past"
    DATE_TOO_SOON = "forecast_date_too_soon"
    BEYOND_HORIZON = "forecast_beyond_horizon"
    RANGE_INVALID = "forecast_range_invalid"


class ForecastError(Invalid):
    """Input a forecast cannot be made from: ``field`` names it, ``message`` says what to fix."""

    def __init__(self, field: str, message: str, *, code: ForecastErrorCode) -> None:
        super().__init__(f"{field}: {message}", code=code, errors=[FieldError(field, message)])
        self.field_name = field
        self.message = message
