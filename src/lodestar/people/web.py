"""What every workspace page shares: the ``workspace_view`` gate and htmx-aware responses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from lodestar.core.errors import DomainError, Invalid, NotFound, error_sentence
from lodestar.people.access import access_workspace
from lodestar.people.models import User, Workspace
from lodestar.people.policy import Actor

LAST_WORKSPACE_SESSION_KEY = "lodestar_last_workspace"


class WorkspaceRequest(HttpRequest):
    """A request that ``workspace_view`` resolved: the signed-in user acting in a workspace."""

    user: User
    actor: Actor
    workspace: Workspace


# A page view answers with a page, or with a streamed file (a list's CSV).
View = Callable[..., HttpResponse | StreamingHttpResponse]


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (it expects a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"


def workspace_view(view: View) -> View:
    """Gate a page under ``/w/<workspace_slug>/``.

    Anonymous visitors go to sign-in; non-members get 404 (the same as a missing workspace);
    ``request.actor`` and ``request.workspace`` are set for the view. A ``DomainError`` the view
    lets escape becomes a message with the error's status; htmx requests also get the pending
    flash messages out of band.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, workspace_slug: str, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return _to_sign_in(request)
        try:
            actor = access_workspace(request.user, workspace_slug)
        except NotFound as error:
            if is_htmx(request):
                return with_flash(request, error_response(request, error))
            raise Http404(error.detail) from error
        request.actor = actor  # type: ignore[attr-defined]
        request.workspace = actor.workspace  # type: ignore[attr-defined]
        if request.session.get(LAST_WORKSPACE_SESSION_KEY) != actor.workspace.slug:
            # Only on a change: an unchanged session is not written back on every page view.
            request.session[LAST_WORKSPACE_SESSION_KEY] = actor.workspace.slug
        try:
            response = view(request, *args, **kwargs)
        except DomainError as error:
            response = error_response(request, error)
        if isinstance(response, StreamingHttpResponse):
            return response  # a file: no message to add
        return with_flash(request, response)

    return wrapped


def _to_sign_in(request: HttpRequest) -> HttpResponse:
    if is_htmx(request):
        # A fragment request cannot show the sign-in page; send the whole window there.
        current = request.headers.get("HX-Current-URL") or request.get_full_path()
        login = redirect_to_login(current)
        return HttpResponse(status=204, headers={"HX-Redirect": login["Location"]})
    return redirect_to_login(request.get_full_path())


def error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    """The answer to a refused or invalid request: its status, and the reason in words.

    htmx requests keep the page as it is and show the reason as a flash message; plain
    requests get a page that explains it.
    """
    if is_htmx(request):
        messages.error(request, error_sentence(error))
        response = HttpResponse(status=error.status, headers={"HX-Reswap": "none"})
    else:
        if isinstance(error, NotFound):
            raise Http404(error.detail) from error
        response = render(
            request,
            "problem.html",
            {"error": error, "detail": error_sentence(error), "back": _back(request)},
            status=error.status,
        )
    for name, value in error.headers.items():
        response[name] = value
    return response


def _back(request: HttpRequest) -> str:
    """Where "go back" leads: the page the form was on, when it is one of ours."""
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc == request.get_host() and referer.path.startswith("/"):
        path = "/" + referer.path.lstrip("/")
        return f"{path}?{referer.query}" if referer.query else path
    workspace = getattr(request, "workspace", None)
    return f"/w/{workspace.slug}/" if workspace is not None else "/"


def with_flash(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Append pending flash messages to an htmx fragment, swapped into the page out of band."""
    if (
        not is_htmx(request)
        or any(header in response for header in ("HX-Redirect", "HX-Refresh", "HX-Location"))
        or response.streaming
        or 300 <= response.status_code < 400
        or not response.get("Content-Type", "").startswith("text/html")
    ):
        return response
    pending = list(messages.get_messages(request))
    if pending:
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        response.content += render_to_string(
            "partials/messages.html", {"messages": pending, "oob": True}
        ).encode()
    return response


def apply_errors(form: Any, error: Invalid) -> None:
    """Put a service's field errors on the form fields they name (the rest on the form)."""
    if not error.errors:
        form.add_error(None, error.detail)
        return
    for field_error in error.errors:
        field = field_error.field if field_error.field in form.fields else None
        message = field_error.message[:1].upper() + field_error.message[1:]
        form.add_error(field, message if message.endswith(".") else f"{message}.")
