"""The notifications' pages (``app_name = "notifications"``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.notifications import views

app_name = "notifications"

W = "w/<slug:workspace_slug>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "inbox", views.inbox, name="inbox"),
    path(W + "inbox/unread", views.unread, name="unread"),
    path(W + "inbox/read", views.read, name="read"),
    path(W + "inbox/preferences", views.preferences, name="preferences"),
    path(W + "inbox/<int:notification_id>", views.open_notification, name="open"),
    path(W + "mentionables", views.mentionables, name="mentionables"),
    path(W + "watch", views.watch, name="watch"),
    # An email's one-click unsubscribe (RFC 8058): no sign-in, a signed token.
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
]
