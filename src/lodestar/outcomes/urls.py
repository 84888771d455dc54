"""The metric pages (``app_name = "outcomes"``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.outcomes import outcome_views, views

app_name = "outcomes"

W = "w/<slug:workspace_slug>/"
P = W + "metrics/<str:product_key>"
M = P + "/<str:metric_key>"
R = W + "outcomes/<str:product_key>"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "metrics", views.metrics_home, name="home"),
    path(P, views.product_metrics, name="product"),
    path(M, views.metric_page, name="metric"),
    path(M + "/edit", views.metric_edit, name="edit"),
    path(M + "/upload", views.metric_upload, name="upload"),
    path(R, outcome_views.outcomes, name="outcomes"),
    path(R + "/evaluate", outcome_views.evaluate, name="evaluate"),
    path(R + "/criteria/new", outcome_views.criterion_new, name="criterion_new"),
    path(
        R + "/criteria/<int:criterion_id>/delete",
        outcome_views.criterion_delete,
        name="criterion_delete",
    ),
    path(R + "/<int:review_id>", outcome_views.review, name="review"),
    path(R + "/<int:review_id>/conclude", outcome_views.conclude, name="conclude"),
]
