"""The NinjaAPI at /api/v1: every context's router (declared in its plugin), mounted under the
workspace, and the trash's."""

from __future__ import annotations

from importlib import import_module

from lodestar import __version__
from lodestar.api import errors
from lodestar.api.auth import API_AUTH
from lodestar.api.document import LodestarApi
from lodestar.api.trash import router as trash_router
from lodestar.core.registry import registry

api = LodestarApi(
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

for module in registry().api_modules():
    api.add_router("/workspaces/", import_module(module).router)
api.add_router("/workspaces/", trash_router)
