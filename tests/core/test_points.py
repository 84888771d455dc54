"""Points are parsed and formatted one way, for the services, the pages and the CLI."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from lodestar.core.points import UNKNOWN, format_points, parse_points


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("5.0"), "5"),
        (Decimal("0.5"), "0.5"),
        (Decimal("10"), "10"),
        (Decimal("100.0"), "100"),
        (5.0, "5"),
        (0.5, "0.5"),
        (13, "13"),
        (UNKNOWN, "?"),
    ],
)
def test_points_read_as_people_write_them(value: Decimal | float | str, text: str) -> None:
    assert format_points(value) == text


@pytest.mark.parametrize("value", ["-1", "0.25", "abc", "100000", "nan", "inf", True, None, ""])
def test_what_is_not_points(value: object) -> None:
    assert parse_points(value) is None


@given(st.integers(min_value=0, max_value=999_999))
def test_formatting_and_parsing_round_trip(tenths: int) -> None:
    points = Decimal(tenths) / 10
    text = format_points(points)
    assert parse_points(text) == points
    assert format_points(float(text)) == text
    assert not text.endswith(".0")


def test_the_template_filter_formats_the_same_way() -> None:
    template = Template("{% load lodestar %}[{{ a|points }}][{{ b|points }}][{{ c|points }}]")
    rendered = template.render(Context({"a": Decimal("8.0"), "b": Decimal("0.5"), "c": None}))
    assert rendered == "[8][0.5][]"
