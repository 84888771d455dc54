"""The coverage pages (``app_name = "coverage"``): who carries each duty, and the trace through
an object."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.coverage import trace_views, views

app_name = "coverage"

W = "w/<slug:workspace_slug>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "coverage", views.coverage_page, name="page"),
    path(W + "coverage/thresholds", views.thresholds_update, name="thresholds"),
    path(W + "goals/<int:goal_id>/map", views.opportunity_page, name="opportunity"),
    path(W + "products/<str:product_key>/focus", views.focus_strip, name="focus"),
    path(W + "trace/<str:kind>/<path:ref>", trace_views.trace_page, name="trace"),
]
