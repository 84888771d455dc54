"""The URL root: the API at /api/v1, then every context's pages (declared in its plugin)."""

from django.urls import URLPattern, URLResolver, include, path, re_path

from lodestar.api.errors import api_not_found
from lodestar.api.urls import api
from lodestar.core.registry import registry

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<path>.*)$", api_not_found),
    *(path("", include(module)) for module in registry().url_modules()),
]
