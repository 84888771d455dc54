"""The signed-in person's account: the account page (email, password, API tokens, and the
sections later contexts add), password reset by email, email change, and the API-token page
of a workspace.

Views are thin: a form for the shape, a service for the rules, a page for the answer.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.core import ratelimit
from lodestar.core.errors import Invalid, NotFound, RateLimited
from lodestar.core.mail import site_url
from lodestar.people import selectors, services
from lodestar.people.access import access_token
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.extensions import ACCOUNT_SECTIONS
from lodestar.people.forms import (
    EmailChangeForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    TokenForm,
)
from lodestar.people.models import User
from lodestar.people.web import WorkspaceRequest, apply_errors, workspace_view

# How a confirmation link that no longer works answers: gone once used or expired, a conflict
# when its address was taken meanwhile, else a bad link.
_UNUSABLE_STATUS = {
    Code.EMAIL_CHANGE_EXPIRED.value: 410,
    Code.EMAIL_CHANGE_USED.value: 410,
    Code.EMAIL_UNUSABLE.value: 409,
}

# -- the account page ----------------------------------------------------------------------------


def _account_page(
    request: HttpRequest, email_form: EmailChangeForm | None = None, status: int = 200
) -> HttpResponse:
    user = cast(User, request.user)
    context: dict[str, Any] = {
        "email_form": email_form or EmailChangeForm(),
        "workspaces": list(selectors.account_workspaces(user=user)),
        "sections": ACCOUNT_SECTIONS.providers(),
    }
    return render(request, "people/account.html", context, status=status)


@never_cache
@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """Everything about the signed-in person's account, as a list of sections."""
    return _account_page(request)


@never_cache
@login_required
@sensitive_post_parameters("password")
@require_POST
def email_change(request: HttpRequest) -> HttpResponse:
    """Ask to change the account's email: a link goes to the new address, a notice to the old."""
    form = EmailChangeForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form, status=422)
    try:
        new = services.email_change_request(
            user=cast(User, request.user),
            password=form.cleaned_data["password"],
            new_email=form.cleaned_data["email"],
            site=site_url(request),
        )
    except Invalid as error:
        apply_errors(form, error)
        return _account_page(request, form, status=422)
    except RateLimited as error:
        form.add_error(None, error.detail)
        response = _account_page(request, form, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    messages.success(
        request,
        f"A confirmation link is on its way to {new}. Your address changes when you follow it; "
        "until then you sign in as before.",
    )
    return redirect("people:account")


@never_cache
@require_http_methods(["GET", "POST"])
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to the new address: shows the change, and makes it when confirmed."""
    try:
        change = (
            services.email_change_confirm(token=token)
            if request.method == "POST"
            else services.email_change_read(token=token)
        )
    except Invalid as error:
        message = error.errors[0].message if error.errors else error.detail
        return render(
            request,
            "people/email_change_unusable.html",
            {"message": message[:1].upper() + message[1:] + "."},
            status=_UNUSABLE_STATUS.get(error.code, 400),
        )
    if request.method != "POST":
        return render(request, "people/email_change_confirm.html", {"change": change})
    messages.success(request, f"Your email address is now {change.new}.")
    if request.user.is_authenticated and request.user.pk == change.user.pk:
        return redirect("people:account")
    return redirect("people:login")


# -- password reset ------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same whether or not an account has the address:
    the email is built and sent by the worker."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method != "POST":
        return render(request, "people/password_reset.html", {"form": form})
    if not form.is_valid():
        return render(request, "people/password_reset.html", {"form": form}, status=422)
    email = form.cleaned_data["email"]
    try:
        services.password_reset_request(
            email=email,
            client_address=ratelimit.client_address(request),
            site=site_url(request),
        )
    except RateLimited as error:
        response = render(
            request,
            "people/password_reset.html",
            {"form": form, "throttled": error.detail},
            status=error.status,
        )
        response["Retry-After"] = str(error.retry_after)
        return response
    return render(request, "people/password_reset_sent.html", {"email": email})


@never_cache
@sensitive_post_parameters("password", "password_again")
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Choose a new password from the emailed link; then sign in with it."""
    try:
        user = services.password_reset_user(uidb64=uidb64, token=token)
    except Invalid:
        return render(request, "people/password_reset_unusable.html", status=410)
    form = NewPasswordForm(request.POST or None)
    context = {"form": form, "email": user.email}
    if request.method != "POST":
        return render(request, "people/password_reset_confirm.html", context)
    if form.is_valid():
        try:
            services.password_reset_confirm(
                uidb64=uidb64, token=token, password=form.cleaned_data["password"]
            )
        except Invalid as error:
            if error.errors and error.errors[0].field == "token":
                return render(request, "people/password_reset_unusable.html", status=410)
            apply_errors(form, error)
        else:
            messages.success(
                request,
                "Your password has been changed and every session of your account has ended. "
                "Sign in with the new password.",
            )
            return redirect("people:login")
    return render(request, "people/password_reset_confirm.html", context, status=422)


# -- API tokens ----------------------------------------------------------------------------------


def _tokens_page(
    request: WorkspaceRequest,
    *,
    form: TokenForm | None = None,
    secret: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    context = {
        "tokens": list(selectors.my_token_list(actor=actor)),
        "form": form or TokenForm(),
        "secret": secret,
    }
    return render(request, "people/tokens.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@workspace_view
def token_page(request: WorkspaceRequest) -> HttpResponse:
    """My API tokens in this workspace; posting here creates one, whose secret shows once."""
    if request.method != "POST":
        return _tokens_page(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form=form, status=422)
    try:
        token, secret = services.token_create(
            actor=request.actor,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
    except Invalid as error:
        apply_errors(form, error)
        return _tokens_page(request, form=form, status=422)
    messages.success(request, f"Token “{token.name}” created. Copy it now: it is shown only once.")
    return _tokens_page(request, secret=secret)


@require_POST
@workspace_view
def token_revoke(request: WorkspaceRequest, token_id: int) -> HttpResponse:
    """Revoke one of my tokens at once (the page asks first)."""
    token = access_token(request.actor, token_id)
    if token.user_id != request.user.pk:
        # This page lists one's own tokens; admins revoke others' through the API.
        raise NotFound("No such API token.", code=Code.TOKEN_NOT_FOUND)
    services.token_revoke(actor=request.actor, token=token)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("people:token_page", workspace_slug=request.workspace.slug)
