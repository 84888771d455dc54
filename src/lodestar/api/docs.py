"""The API reference page at /api/v1/docs: Swagger UI served from Lodestar's own static files.

The UI comes from the npm package ``swagger-ui-dist``, pinned in ``package-lock.json`` and
copied into ``static/vendor/swagger-ui`` by the install step, so the page needs no network and
loads nothing from another host. Its initialiser is a static script
(``lodestar/api-docs.js``) that reads its settings from the page's data attributes: the page
runs under the Content-Security-Policy, which allows no inline script.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI


class OfflineSwagger(DocsBase):
    """Swagger UI from the vendored package, initialised by a static script."""

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, context)
