"""One way an error becomes words, for page messages and the CLI's one-line error alike."""

from __future__ import annotations

import pytest

from lodestar.core.errors import (
    Conflict,
    FieldError,
    Invalid,
    error_sentence,
    field_label,
    field_sentence,
)


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("title", "Title"),
        ("job_title", "Job title"),
        ("inputs.reach", "Reach"),
        ("definition_of_ready.max_velocity_share", "Max velocity share"),
        ("estimate_scale[2]", "Estimate scale"),
        ("items.0", "Items"),
        ("If-Match", "If-match"),
        ("items[ACME-3].status", "ACME-3 status"),
        ("items[ACME-3].labels[0]", "ACME-3 labels"),
        ("items[ACME-3]", "ACME-3"),
        ("items[3].title", "Title"),
    ],
)
def test_a_field_path_reads_as_its_name(field: str, label: str) -> None:
    assert field_label(field) == label


def test_a_field_error_is_one_sentence() -> None:
    assert field_sentence(FieldError("job_title", "must be short")) == "Job title: must be short."
    assert field_sentence(FieldError("x", "ends already.")) == "X: ends already."


def test_an_error_reads_as_its_field_errors_or_its_detail() -> None:
    many = Invalid.fields([FieldError("inputs.reach", "is required"), FieldError("b", "too big")])
    assert many.detail == "inputs.reach: is required; b: too big"
    assert error_sentence(many) == "Reach: is required. B: too big."
    assert error_sentence(Invalid("Send before or after.")) == "Send before or after."
    assert error_sentence(Conflict("Already a member.")) == "Already a member."
