from django.urls import include, path, re_path

from lodestar.api.errors import api_not_found
from lodestar.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<path>.*)$", api_not_found),
    path("", include("lodestar.people.urls")),
    path("", include("lodestar.strategy.urls")),
    path("", include("lodestar.backlog.urls")),
]
