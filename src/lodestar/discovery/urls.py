"""The discovery pages (``app_name = "discovery"``): each part of the context keeps its routes in
its own views module and lists them here."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "discovery"

urlpatterns: list[URLPattern | URLResolver] = []
