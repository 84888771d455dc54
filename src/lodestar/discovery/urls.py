"""The discovery pages (``app_name = "discovery"``): each part of the context keeps its routes in
its own views module and lists them here."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.discovery.views import portal

app_name = "discovery"

# The portal of a product, as the team sees it (the public pages are in ``portal_urls``).
PORTAL = "w/<slug:workspace_slug>/products/<str:product_key>/portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path(PORTAL, portal.portal_settings, name="portal_settings"),
    path(PORTAL + "/queue", portal.portal_queue, name="portal_queue"),
    path(
        PORTAL + "/submissions/<int:submission_id>/publish",
        portal.submission_decide,
        {"decision": "publish"},
        name="portal_publish",
    ),
    path(
        PORTAL + "/submissions/<int:submission_id>/merge",
        portal.submission_decide,
        {"decision": "merge"},
        name="portal_merge",
    ),
    path(
        PORTAL + "/submissions/<int:submission_id>/reject",
        portal.submission_decide,
        {"decision": "reject"},
        name="portal_reject",
    ),
    path(PORTAL + "/ideas", portal.idea_post, name="portal_idea_post"),
    path(PORTAL + "/ideas/<int:idea_id>", portal.idea_change, name="portal_idea"),
]
