"""The decision pages (``app_name = "decisions"``): the workspace's logs, a product's log, a
decision, its forms and writes, and recording a decision from another object's page."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.decisions.views import pages, sections

app_name = "decisions"

W = "w/<slug:workspace_slug>/"
P = W + "decisions/<str:product_key>"
D = P + "/<int:number>"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "decisions", pages.home, name="home"),
    path(W + "decisions/capture", sections.capture, name="capture"),
    path(P, pages.log, name="log"),
    path(P + "/new", pages.new, name="new"),
    path(D, pages.detail, name="detail"),
    path(D + "/edit", pages.edit, name="edit"),
    path(D + "/decide", pages.decide, name="decide"),
    path(D + "/supersede", pages.supersede, name="supersede"),
    path(D + "/links", pages.link, name="link"),
    path(D + "/links/remove", pages.unlink, name="unlink"),
    path(D + "/delete", pages.delete, name="delete"),
]
