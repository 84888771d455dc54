"""The discovery pages (``app_name = "discovery"``): each part of the context keeps its routes in
its own views module and lists them here."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.discovery.views import backlog

W = "w/<slug:workspace_slug>"
ITEM_PROBLEMS = W + "/items/<str:item_key>/problems"

app_name = "discovery"

urlpatterns: list[URLPattern | URLResolver] = [
    # Problems in the backlog: an item's problems, and what a product's reach counts.
    path(ITEM_PROBLEMS + "/search", backlog.item_problem_search, name="item_problem_search"),
    path(ITEM_PROBLEMS + "/link", backlog.item_problem_link, name="item_problem_link"),
    path(
        ITEM_PROBLEMS + "/<int:problem_id>/unlink",
        backlog.item_problem_unlink,
        name="item_problem_unlink",
    ),
    path(
        W + "/products/<str:product_key>/discovery",
        backlog.product_discovery,
        name="product_discovery",
    ),
]
