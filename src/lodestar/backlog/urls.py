"""The backlog pages: a product's ordered backlog, its items, and the suggested order."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.backlog.views import backlog, items, live, palette, saved_views, suggest

W = "w/<slug:workspace_slug>"
ITEM = W + "/items/<str:item_key>"
VIEWS = W + "/products/<str:product_key>/views"

app_name = "backlog"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "/products/<str:product_key>/backlog", backlog.backlog, name="backlog"),
    path(W + "/products/<str:product_key>/backlog/live", live.backlog_live, name="backlog_live"),
    path(W + "/products/<str:product_key>/backlog/bulk", backlog.bulk, name="bulk"),
    path(W + "/products/<str:product_key>/backlog/suggest", suggest.suggest, name="suggest_order"),
    path(VIEWS, saved_views.saved_view_create, name="saved_view_create"),
    path(VIEWS + "/<int:view_id>", saved_views.saved_view_edit, name="saved_view_edit"),
    path(VIEWS + "/<int:view_id>/delete", saved_views.saved_view_delete, name="saved_view_delete"),
    path(
        VIEWS + "/<int:view_id>/filters",
        saved_views.saved_view_refilter,
        name="saved_view_refilter",
    ),
    path(W + "/palette", palette.palette_search, name="palette_search"),
    path(ITEM, items.item_detail, name="item_detail"),
    path(ITEM + "/live", live.item_live, name="item_live"),
    path(ITEM + "/edit", items.item_update, name="item_update"),
    path(ITEM + "/move", backlog.item_move, name="item_move"),
    path(ITEM + "/score", items.item_score, name="item_score"),
    path(ITEM + "/split", items.item_split, name="item_split"),
    path(ITEM + "/convert", items.item_convert, name="item_convert"),
    path(ITEM + "/duplicate", items.item_duplicate, name="item_duplicate"),
    path(ITEM + "/delete", items.item_delete, name="item_delete"),
    path(ITEM + "/restore", items.item_restore, name="item_restore"),
]
