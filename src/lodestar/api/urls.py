"""The NinjaAPI at /api/v1: every context's router (declared in its plugin), mounted under the
workspace, its ``me_router`` (if any) under /me/, the trash's, the search's and the forecasts'."""

from __future__ import annotations

from importlib import import_module

from lodestar import __version__
from lodestar.api import errors
from lodestar.api.auth import API_AUTH
from lodestar.api.docs import OfflineSwagger
from lodestar.api.document import LodestarApi
from lodestar.api.forecasts import router as forecasts_router
from lodestar.api.search import router as search_router
from lodestar.api.trash import router as trash_router
from lodestar.core.registry import registry

api = LodestarApi(
    title="Lodestar API",
    version="1",
    description=(
        "Lodestar's HTTP API. Authenticate with 'Authorization: Bearer <token>' or the browser "
        "session (with its CSRF token). Errors are application/problem+json (RFC 9457). "
        "Requests are rate-limited per token or session user, and per client address for "
        "requests without valid credentials, across all of the server's processes; every "
        "counted answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset "
        "(seconds until the window ends), and a request beyond the limit answers 429 "
        "(code rate_limited) with Retry-After."
    ),
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    docs=OfflineSwagger(),
    openapi_extra={"info": {"x-api-version": __version__}},
)
errors.install(api)

for module in registry().api_modules():
    routers = import_module(module)
    api.add_router("/workspaces/", routers.router)
    # A context's routes about the caller themselves (not a workspace) live under /me/.
    if hasattr(routers, "me_router"):
        api.add_router("/me/", routers.me_router)
api.add_router("/workspaces/", trash_router)
api.add_router("/workspaces/", search_router)
api.add_router("/workspaces/", forecasts_router)
