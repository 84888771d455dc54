"""The metric pages (``app_name = "outcomes"``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.outcomes import views

app_name = "outcomes"

W = "w/<slug:workspace_slug>/"
P = W + "metrics/<str:product_key>"
M = P + "/<str:metric_key>"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "metrics", views.metrics_home, name="home"),
    path(P, views.product_metrics, name="product"),
    path(M, views.metric_page, name="metric"),
    path(M + "/edit", views.metric_edit, name="edit"),
    path(M + "/upload", views.metric_upload, name="upload"),
]
