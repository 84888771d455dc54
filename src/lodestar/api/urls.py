"""The NinjaAPI at /api/v1: every context's router, mounted under the workspace."""

from __future__ import annotations

from ninja import NinjaAPI

from lodestar import __version__
from lodestar.api import errors
from lodestar.api.auth import API_AUTH
from lodestar.api.trash import router as trash_router
from lodestar.backlog.api import router as backlog_router
from lodestar.backlog.prioritization.api import router as prioritization_router
from lodestar.people.api import router as people_router
from lodestar.strategy.api import router as strategy_router

api = NinjaAPI(
    title="Lodestar API",
    version="1",
    description=(
        "Lodestar's HTTP API. Authenticate with 'Authorization: Bearer <token>' or the browser "
        "session (with its CSRF token). Errors are application/problem+json (RFC 9457)."
    ),
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_extra={"info": {"x-api-version": __version__}},
)
errors.install(api)

api.add_router("/workspaces/", people_router)
api.add_router("/workspaces/", strategy_router)
api.add_router("/workspaces/", backlog_router)
api.add_router("/workspaces/", prioritization_router)
api.add_router("/workspaces/", trash_router)
