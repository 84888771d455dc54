"""The product pages: products, a product's vision and its Product Goal."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.strategy import views

P = "w/<slug:workspace_slug>/products/<str:product_key>"

app_name = "strategy"

urlpatterns: list[URLPattern | URLResolver] = [
    path("w/<slug:workspace_slug>/products", views.products, name="product_list"),
    path(P, views.product_page, name="product_detail"),
    path(P + "/product-owner", views.product_owner, name="product_owner"),
    path(P + "/teams", views.product_team, name="product_team"),
    path(P + "/settings", views.product_settings, name="product_settings"),
    path(P + "/goal", views.goal_page, name="product_goal"),
    path(P + "/goal/new", views.goal_set, name="product_goal_set"),
    path(P + "/goal/<int:goal_id>/close", views.goal_close, name="product_goal_close"),
]
