"""Stable error codes of the outcomes context."""

from __future__ import annotations

from enum import StrEnum


class OutcomeErrorCode(StrEnum):
    METRIC_NOT_FOUND = "metric_not_found"
    METRIC_KEY_INVALID = "metric_key_invalid"
    METRIC_KEY_TAKEN = "metric_key_taken"
    METRIC_NAME_INVALID = "metric_name_invalid"
    METRIC_UNIT_INVALID = "metric_unit_invalid"
    METRIC_DESCRIPTION_INVALID = "metric_description_invalid"
    METRIC_TIME_ZONE_INVALID = "metric_time_zone_invalid"
    METRIC_CHOICE_INVALID = "metric_choice_invalid"
    SAMPLES_INVALID = "samples_invalid"
    SAMPLES_TOO_MANY = "samples_too_many"
    SAMPLES_FILE_INVALID = "samples_file_invalid"
    SAMPLES_RANGE_INVALID = "samples_range_invalid"
    CRITERION_NOT_FOUND = "criterion_not_found"
    CRITERION_INVALID = "criterion_invalid"
    CRITERION_TAKEN = "criterion_taken"
    CRITERION_FIXED = "criterion_fixed"
    OUTCOME_NOT_FOUND = "outcome_not_found"
    OUTCOME_NOT_DUE = "outcome_not_due"
    OUTCOME_CONCLUDE_INVALID = "outcome_conclude_invalid"
    FORBIDDEN_DEFINE_METRICS = "forbidden_define_metrics"
    FORBIDDEN_PUSH_SAMPLES = "forbidden_push_samples"
    FORBIDDEN_SET_CRITERIA = "forbidden_set_criteria"
    FORBIDDEN_REVIEW_OUTCOMES = "forbidden_review_outcomes"
