"""Security headers on every answer: the Content-Security-Policy and the Permissions-Policy.

Django 5.2 has no Content-Security-Policy of its own. Pages get a strict one: scripts, styles,
fonts and requests from this server only, no inline script or style, no plugins, no framing, and
forms that post back here. Images come from this server and ``data:`` URLs, and from any HTTPS
host only on the pages of a workspace that allows external images (its setting), so a Markdown
image cannot track who reads an item. Everything else (the API's JSON, files) gets a policy that
allows nothing at all, in case a browser is pointed at it directly.

The Permissions-Policy turns off the browser features Lodestar never uses, for this site and
anything it could embed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CSP = "Content-Security-Policy"

_PAGE_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:{external}",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)
# Not HTML: nothing in it may load or run anything.
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def page_policy(*, external_images: bool) -> str:
    """The Content-Security-Policy of an HTML page; ``external_images`` adds any HTTPS host
    to ``img-src``."""
    return "; ".join(_PAGE_DIRECTIVES).format(external=" https:" if external_images else "")


def _external_images(request: HttpRequest) -> bool:
    # The page's workspace, when its view resolved one (people.web sets request.workspace).
    workspace = getattr(request, "workspace", None)
    return bool(getattr(workspace, "allow_external_images", False))


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and the Permissions-Policy to every answer that does
    not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if CSP not in response:
            html = response.get("Content-Type", "").startswith("text/html")
            response[CSP] = (
                page_policy(external_images=_external_images(request)) if html else OTHER_POLICY
            )
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
