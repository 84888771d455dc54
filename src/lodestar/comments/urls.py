"""The comments' page writes (``app_name = "comments"``): posting, editing and deleting from
the comments section of an object's page."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.comments import views

app_name = "comments"

W = "w/<slug:workspace_slug>/comments"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W, views.create, name="create"),
    path(W + "/<int:comment_id>/edit", views.edit, name="edit"),
    path(W + "/<int:comment_id>/delete", views.delete, name="delete"),
    path(W + "/<int:comment_id>/react", views.react, name="react"),
]
