"""The discovery pages (``app_name = "discovery"``): each part of the context keeps its routes in
its own views module and lists them here."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.discovery.views import imports

W = "w/<slug:workspace_slug>"

app_name = "discovery"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "/import", imports.import_page, name="import"),
]
