"""The report pages (``app_name = "reports"``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.reports import views

app_name = "reports"

W = "w/<slug:workspace_slug>/"
P = W + "reports/<str:product_key>"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "reports", views.home, name="home"),
    path(P, views.report, name="report"),
    path(P + "/markdown", views.markdown, name="markdown"),
    path(P + "/print", views.printable, name="printable"),
]
