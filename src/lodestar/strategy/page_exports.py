"""The products page as a CSV file: the products it lists, as it names them."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.urls import reverse

from lodestar.core.csvexport import csv_response, export_filename
from lodestar.people.web import WorkspaceRequest
from lodestar.strategy.selectors import active_goal, product_list

PRODUCT_HEADER = ("Key", "Name", "Product Goal", "Teams", "Product owner", "URL")


def products_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    """Every product the products page lists, by key."""
    slug = request.workspace.slug
    url = request.build_absolute_uri(reverse("strategy:product_detail", args=[slug, "__key__"]))
    rows = (
        [
            product.key,
            product.name,
            goal.statement if (goal := active_goal(product)) else "",
            [team.name for team in product.teams.all()],
            ", ".join(
                hat.member.user.display_name for hat in getattr(product, "current_owner_hats", [])
            ),
            url.replace("__key__", product.key),
        ]
        for product in product_list(actor=request.actor)
    )
    return csv_response(export_filename(slug, "products"), PRODUCT_HEADER, rows)
