"""The interop context's pages (``app_name = "interop"``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.interop.exports import views as exports

app_name = "interop"

W = "w/<slug:workspace_slug>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "exports", exports.export_list, name="export_list"),
    path(W + "exports/new", exports.export_create, name="export_create"),
    path(W + "exports/<int:run_id>/download", exports.export_download, name="export_download"),
]
