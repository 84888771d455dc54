"""The Product Backlog as a CSV file: the rows the page lists for the same filters and sort."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.urls import reverse

from lodestar.backlog.forms import FilterForm
from lodestar.backlog.models import ItemKind, ItemStatus
from lodestar.backlog.selectors import BacklogFilters, backlog_export
from lodestar.core.csvexport import Cell, csv_response, export_filename
from lodestar.core.errors import FieldError, Invalid
from lodestar.people.selectors import member_list
from lodestar.people.web import WorkspaceRequest
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import goal_list

# The page's column names, then what a spreadsheet needs beside them (the item's address).
HEADER = (
    "Key", "Title", "Kind", "Status", "Goal", "RICE", "WSJF", "Estimate", "Assignee",
    "Labels", "Parent", "Flagged", "Created", "Updated", "URL",
)  # fmt: skip


def backlog_csv(
    request: WorkspaceRequest,
    product: Product,
    filters: Callable[[FilterForm], BacklogFilters],
) -> StreamingHttpResponse:
    """Every item the backlog page lists for the address's filters and sort, all pages of it,
    in backlog order (or that sort); ``filters`` reads the page's filters from its form. A
    filter the page would ignore and flag is refused here, naming it: a file cannot show that
    a filter was left out."""
    actor = request.actor
    form = FilterForm(
        request.GET,
        goals=list(goal_list(actor=actor, product=product)),
        members=list(member_list(actor=actor)),
    )
    if not form.is_valid():
        raise Invalid.fields(
            [
                FieldError(name, " ".join(str(message) for message in errors))
                for name, errors in form.errors.items()
            ]
        )
    rows = backlog_export(
        actor=actor, product=product, filters=filters(form), sort=form.cleaned_data["sort"] or None
    )
    url = request.build_absolute_uri(
        reverse("backlog:item_detail", args=[actor.workspace.slug, "__key__"])
    )
    return csv_response(
        export_filename(product.key, "backlog"), HEADER, _lines(rows, url.split("__key__"))
    )


def _lines(rows: Iterator[dict[str, Any]], url: list[str]) -> Iterator[list[Cell]]:
    kinds, statuses = dict(ItemKind.choices), dict(ItemStatus.choices)
    for row in rows:
        yield [
            row["key"],
            row["title"],
            kinds.get(row["kind"], row["kind"]),
            statuses.get(row["status"], row["status"]),
            row["goal__statement"],
            row["rice"],
            row["wsjf"],
            "?" if row["estimate_unknown"] else row["estimate"],
            row["assignee__user__full_name"] or row["assignee__user__email"],
            row["label_names"],
            row["parent__key"],
            row["flagged"],
            row["created_at"],
            row["updated_at"],
            row["key"].join(url),
        ]
