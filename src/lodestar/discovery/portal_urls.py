"""The public portal's pages (``app_name = "portal"``), outside every workspace's ``/w/``:
``/portal/<workspace_slug>/<product_key>/``. The address names the workspace and the product,
which are not secrets; a portal that is off answers 404 there."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.discovery.views import portal_public as views

P = "portal/<slug:workspace_slug>/<str:product_key>/"

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path(P, views.home, name="home"),
    path(P + "ideas", views.submit, name="submit"),
    path(P + "ideas/<int:idea_id>/", views.idea, name="idea"),
    path(P + "ideas/<int:idea_id>/vote", views.vote, name="vote"),
    path(P + "sent", views.sent, name="sent"),
    path(P + "confirm/<str:token>/", views.confirm, name="confirm"),
]
