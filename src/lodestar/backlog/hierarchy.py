"""Which kind of item may sit under which: the breakdown rules of a Product Backlog.

Pure (no Django): an epic breaks down into stories (and bugs and spikes found on the way), a
story into tasks (and bugs and spikes), a bug or a spike into tasks. Tasks are leaves and
epics are roots, so the kinds alone bound the depth (at most four levels: epic, story, bug,
task) and the walk up the parents in ``cycle_in`` is the only other check a new parent needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

EPIC, STORY, TASK, BUG, SPIKE = "epic", "story", "task", "bug", "spike"

ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    EPIC: frozenset(),
    STORY: frozenset({EPIC}),
    BUG: frozenset({EPIC, STORY}),
    SPIKE: frozenset({EPIC, STORY}),
    TASK: frozenset({STORY, BUG, SPIKE}),
}

# The kind a split makes by default: one level down from the item split.
CHILD_KIND: dict[str, str | None] = {EPIC: STORY, STORY: TASK, BUG: TASK, SPIKE: TASK, TASK: None}

MAX_DEPTH = 4


def may_contain(parent_kind: str, child_kind: str) -> bool:
    return parent_kind in ALLOWED_PARENTS[child_kind]


def parent_rule(child_kind: str) -> str:
    """A sentence saying where an item of ``child_kind`` may sit."""
    allowed = sorted(ALLOWED_PARENTS[child_kind])
    if not allowed:
        return f"{_a(child_kind)} is a top-level item and has no parent"
    return f"{_a(child_kind)} may only sit under " + " or ".join(_a(kind) for kind in allowed)


def _a(kind: str) -> str:
    """The kind with its article: "an epic", "a story"."""
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def children_rule(parent_kind: str, child_kinds: Iterable[str]) -> str | None:
    """Why ``parent_kind`` cannot hold children of ``child_kinds``, or None when it can."""
    misfits = sorted({kind for kind in child_kinds if not may_contain(parent_kind, kind)})
    if not misfits:
        return None
    return f"a {parent_kind} cannot hold {', '.join(misfits)} items; move them out first"


def cycle_in(item_id: int, new_parent_id: int, parent_of: Callable[[int], int | None]) -> bool:
    """Whether making ``new_parent_id`` the parent of ``item_id`` would close a loop.

    ``parent_of`` answers an item's parent id; the walk stops after ``MAX_DEPTH`` steps more
    than any legal tree has, so corrupt data cannot make it spin.
    """
    current: int | None = new_parent_id
    for _ in range(MAX_DEPTH * 4):
        if current is None:
            return False
        if current == item_id:
            return True
        current = parent_of(current)
    return True


def tree_order(
    roots: Iterable[int],
    rows: Iterable[tuple[int, int | None, str]],
) -> list[tuple[int, int]]:
    """``(id, depth)`` of the ``roots`` and their descendants among ``rows``, in tree order.

    ``rows`` are ``(id, parent id, rank)``; ``roots`` come in the order given, each followed by
    its children in rank order, each child followed by its own (depth-first, pre-order), so a
    list read top to bottom shows every item under its parent. A row whose parent is neither
    a root nor another row is left out; a row met twice (corrupt data) is taken once.
    """
    children: dict[int | None, list[tuple[str, int]]] = {}
    for pk, parent_id, rank in rows:
        children.setdefault(parent_id, []).append((rank, pk))
    for siblings in children.values():
        siblings.sort()
    out: list[tuple[int, int]] = []
    seen: set[int] = set()
    stack = [(pk, 0) for pk in reversed(list(roots))]
    while stack:
        pk, depth = stack.pop()
        if pk in seen:
            continue
        seen.add(pk)
        out.append((pk, depth))
        if depth + 1 < MAX_DEPTH:
            stack.extend((child, depth + 1) for _, child in reversed(children.get(pk, [])))
    return out
