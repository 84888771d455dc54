from django.urls import include, path

from lodestar.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("lodestar.people.urls")),
    path("", include("lodestar.strategy.urls")),
    path("", include("lodestar.backlog.urls")),
]
