"""The interop context's pages (``app_name = "interop"``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.interop.imports import views as imports

app_name = "interop"

W = "w/<slug:workspace_slug>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "imports", imports.imports_page, name="imports"),
    path(W + "imports/<int:run_id>", imports.import_run_page, name="import_run"),
    path(W + "imports/<int:run_id>/status", imports.import_run_status, name="import_run_status"),
]
