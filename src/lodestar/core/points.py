"""Story points as people write them: parsed from input, formatted for pages, the CLI and the
stored estimate scale. Pure Python (no Django), so every interface formats points one way.

Points are non-negative with one decimal at most (``0.5``, ``3``, ``13``), below 100,000;
``UNKNOWN`` (``"?"``) is the scale's "we looked and could not size it".
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

UNKNOWN = "?"
LIMIT = 100_000
_ONE_DECIMAL = Decimal("0.1")


def parse_points(value: object) -> Decimal | None:
    """``value`` as points (non-negative, one decimal at most), or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not points.is_finite() or points < 0 or points >= LIMIT:
        return None
    if points != points.quantize(_ONE_DECIMAL):
        return None
    return points


def format_points(points: Decimal | float | str) -> str:
    """Points as the scale writes them: ``Decimal("5.0")`` and ``5.0`` -> ``"5"``, ``0.5`` ->
    ``"0.5"``; text (``"?"``) stays as it is."""
    if isinstance(points, str):
        return points
    number = points if isinstance(points, Decimal) else Decimal(str(points))
    return format(number.normalize(), "f")
