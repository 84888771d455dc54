"""Every error code lives in its context's ``errors.py`` enum, never as a literal elsewhere."""

from __future__ import annotations

import ast
from pathlib import Path

import lodestar

SOURCE = Path(lodestar.__file__).parent
# Rewritten separately: it builds its problem by hand for now.
LEFT_ALONE = {SOURCE / "api" / "idempotency.py"}


def _literal(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _literal_codes(source: str, name: str) -> list[str]:
    """Where ``source`` passes ``code=`` or sets ``default_code`` to a string literal."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.keyword) and node.arg == "code" and _literal(node.value):
            found.append(f"{name}:{node.value.lineno}")
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "default_code" for t in node.targets)
            and _literal(node.value)
        ):
            found.append(f"{name}:{node.lineno}")
    return found


def test_no_error_code_is_written_as_a_literal_outside_the_enums() -> None:
    modules = [
        path
        for path in SOURCE.rglob("*.py")
        if path.name != "errors.py" and "migrations" not in path.parts and path not in LEFT_ALONE
    ]
    offenders = [
        where
        for path in modules
        for where in _literal_codes(path.read_text(), str(path.relative_to(SOURCE)))
    ]
    assert offenders == []


def test_the_check_sees_a_literal_code() -> None:
    source = (
        'raise Invalid.field("x", "y", code="made_up")\n'
        'raise Forbidden("z", code=f"a_{b}")\n'
        'default_code = "oops"\n'
        "raise Conflict('fine', code=Code.FINE)\n"
    )
    found = sorted(_literal_codes(source, "sample.py"))
    assert found == ["sample.py:1", "sample.py:2", "sample.py:3"]
