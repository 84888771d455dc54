"""Contexts reach each other only through what each one makes public.

The layers themselves (who may depend on whom) are import-linter contracts in
``pyproject.toml``, run by ``make lint``. This test adds the rule they cannot say: when one
context imports another, it imports one of the other's public modules, never its views, forms,
API handlers, templates tags, tasks or the private parts of its services.
"""

from __future__ import annotations

import grimp
import pytest

CONTEXTS = ("people", "strategy", "backlog", "discovery", "sprints", "releases", "reports")
# What a context offers the others: its data, its gates and references, its writes and reads,
# its errors and permissions, its extension points, and (people) the policy and the shared
# page plumbing. ``demo`` lets one context's demo build on another's.
PUBLIC = {
    "access",
    "demo",
    "errors",
    "extensions",
    # Sprints' team forecasts (``team_history``), which releases builds its forecast on.
    "forecasts",
    "models",
    "permissions",
    "policy",
    "refs",
    "selectors",
    "services",
    "web",
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("lodestar", cache_dir=None)


def _context(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in CONTEXTS else None


def test_contexts_import_only_each_others_public_modules(graph: grimp.ImportGraph) -> None:
    wrong = []
    for module in sorted(graph.modules):
        source = _context(module)
        if source is None:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            target = _context(imported)
            if target is None or target == source:
                continue
            parts = imported.split(".")
            # ``lodestar.backlog.services``, or a part's own (``lodestar.backlog.prioritization
            # .services``): a context's parts offer the same kinds of module.
            if len(parts) not in (3, 4) or parts[-1] not in PUBLIC:
                wrong.append(f"{module} -> {imported}")
    assert wrong == [], "import the other context's services, selectors, refs or models instead"


def test_the_check_sees_the_imports_it_judges(graph: grimp.ImportGraph) -> None:
    """A check that saw no cross-context import could not fail."""
    assert "lodestar.strategy.selectors" in graph.find_modules_directly_imported_by(
        "lodestar.backlog.selectors"
    )
