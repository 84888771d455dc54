"""The team's flow page (``app_name = "sprint_flow"``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.sprints.views import flow

app_name = "sprint_flow"

urlpatterns: list[URLPattern | URLResolver] = [
    path("w/<slug:workspace_slug>/teams/<slug:team_slug>/flow", flow.team_flow_page, name="team"),
]
