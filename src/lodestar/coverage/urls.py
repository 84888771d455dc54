"""The coverage pages (``app_name = "coverage"``): the trace through an object."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.coverage import trace_views

app_name = "coverage"

W = "w/<slug:workspace_slug>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "trace/<str:kind>/<path:ref>", trace_views.trace_page, name="trace"),
]
