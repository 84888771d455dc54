"""The release pages (``app_name = "releases"``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.releases import roadmap_views, views

app_name = "releases"

# Under /releases (not /products), so the sidebar's Releases entry is the one marked current.
W = "w/<slug:workspace_slug>/"
P = W + "releases/<str:product_key>"
R = P + "/<int:release_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "releases", views.home, name="home"),
    # A roadmap share link's public page, outside every workspace (the token is the only key).
    path("share/roadmap/<str:token>", roadmap_views.shared, name="roadmap_shared"),
    path(P, views.product_releases, name="product"),
    path(P + "/new", views.new, name="new"),
    path(P + "/roadmap", roadmap_views.roadmap_page, name="roadmap"),
    path(P + "/roadmap/entries", roadmap_views.entry_add, name="roadmap_add"),
    path(P + "/roadmap/move", roadmap_views.entries_move, name="roadmap_moves"),
    path(P + "/roadmap/remove", roadmap_views.entries_remove, name="roadmap_removes"),
    path(
        P + "/roadmap/entries/<int:entry_id>/move",
        roadmap_views.entry_move,
        name="roadmap_move",
    ),
    path(
        P + "/roadmap/entries/<int:entry_id>/remove",
        roadmap_views.entry_remove,
        name="roadmap_remove",
    ),
    path(P + "/roadmap/shares", roadmap_views.share_create, name="roadmap_share"),
    path(
        P + "/roadmap/shares/<int:share_id>/revoke",
        roadmap_views.share_revoke,
        name="roadmap_share_revoke",
    ),
    path(P + "/checks", views.product_check_add, name="product_check_add"),
    path(
        P + "/checks/<int:check_id>/delete",
        views.product_check_delete,
        name="product_check_delete",
    ),
    path(P + "/<int:release_id>", views.detail, name="detail"),
    path(R + "edit", views.edit, name="edit"),
    path(R + "items", views.items_add, name="items_add"),
    path(R + "items/remove", views.items_remove, name="items_remove"),
    path(R + "items/drop", views.items_drop, name="items_drop"),
    path(R + "checks/<int:check_id>", views.check_tick, name="check_tick"),
    path(R + "notes", views.notes, name="notes"),
    path(R + "notes/preview", views.notes_preview, name="notes_preview"),
    path(R + "go-live", views.go_live, name="go_live"),
]
