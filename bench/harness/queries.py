"""Queries per request of the list endpoints at several page sizes, and the plans of the
queries that order the backlog."""

from __future__ import annotations

from typing import Any

from harness.callers import InProcess
from harness.workload import Api


def query_counts(call: InProcess, api: Api, cursor: str | None) -> list[dict[str, Any]]:
    """One request each (after one unmeasured request, so caches are warm)."""
    epic = api.fixture.epic_keys[len(api.fixture.epic_keys) // 2]
    requests: list[tuple[str, str]] = [
        (f"backlog, limit {limit}", api.backlog(limit)) for limit in (10, 100, 500)
    ]
    if cursor:
        requests += [
            (f"backlog via cursor, limit {limit}", api.backlog(limit, cursor))
            for limit in (10, 100, 500)
        ]
    requests += [
        ("children of an epic", api.item(epic, "/children")),
        ("history of an item, limit 10", api.item(epic, "/history?limit=10")),
        ("history of an item, limit 100", api.item(epic, "/history?limit=100")),
        ("one item", api.item(epic)),
    ]
    # Some history to page through (moves of the epic: the backlog order is not measured here).
    for i in range(15):
        call("POST", api.item(epic, "/move"), {"position": "top" if i % 2 else "bottom"})
    rows = []
    for name, path in requests:
        call("GET", path)
        response = call("GET", path)
        statements = response.statements
        assert statements is not None
        rows.append(
            {
                "request": name,
                "path": path.split("?")[0].replace(api.workspace, ""),
                "status": response.status,
                "items": len(response.json().get("items", [None])) if response.status == 200 else 0,
                **statements.as_dict(),
            }
        )
    return rows


def plans(product_id: int, workspace_id: int) -> dict[str, str]:
    """The plans the database picks for the page and neighbour queries."""
    from lodestar.backlog.models import BacklogItem
    from lodestar.backlog.selectors import item_queryset

    middle = (
        BacklogItem.objects.filter(product_id=product_id)
        .order_by("rank")
        .values_list("rank", flat=True)[BacklogItem.objects.count() // 2]
    )
    page = item_queryset().filter(workspace_id=workspace_id, product_id=product_id)
    live = BacklogItem.objects.filter(product_id=product_id)
    return {
        "first page": page.order_by("rank")[:101].explain(),
        "cursor page": page.filter(rank__gt=middle).order_by("rank")[:101].explain(),
        "neighbour after (move)": live.filter(rank__gt=middle)
        .order_by("rank")
        .values_list("rank", flat=True)[:1]
        .explain(),
        "last item (bottom)": live.order_by("-rank").values_list("rank", flat=True)[:1].explain(),
    }
