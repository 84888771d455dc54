"""Signing in and out, invitations, and the way into a workspace."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.core.errors import Conflict, Invalid, NotFound, RateLimited
from lodestar.core.mail import site_url
from lodestar.people import selectors, services, throttle
from lodestar.people.errors import PeopleErrorCode
from lodestar.people.forms import NewAccountForm, SignInForm, StyledPasswordChangeForm
from lodestar.people.models import Membership, User
from lodestar.people.web import LAST_WORKSPACE_SESSION_KEY, apply_errors

_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest) -> str:
    """The ``next`` page to return to after signing in, when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Email and password; failures are throttled per account and address with growing
    delays, per address and overall, never holding back a known device (``throttle``)."""
    next_url = _next_url(request)
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(next_url or "people:home")
    form = SignInForm(request.POST or None)
    context = {"form": form, "next": next_url}
    if request.method != "POST":
        return render(request, "people/sign_in.html", context)
    email = request.POST.get("email", "").strip().lower()
    attempt = throttle.attempt(request, email)
    try:
        throttle.check(attempt)
        if form.is_valid():
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is not None:
                login(request, user)
                signed_in = redirect(next_url or "people:home")
                throttle.record_success(attempt, signed_in)
                return signed_in
            form.add_error(None, "That email and password do not match an account here.")
            throttle.record_failure(attempt)
            throttle.check(attempt)
    except RateLimited as error:
        context["throttled"] = error.detail
        response = render(request, "people/sign_in.html", context, status=error.status)
        response["Retry-After"] = str(error.retry_after)
        return response
    return render(request, "people/sign_in.html", context, status=422)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("people:login")


@never_cache
@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = StyledPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            # Keep this session signed in; every other session of the user ends.
            update_session_auth_hash(request, form.user)
            messages.success(request, "Your password has been changed.")
            return redirect("people:home")
        return render(request, "people/password_change.html", {"form": form}, status=422)
    return render(request, "people/password_change.html", {"form": form})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The workspace used last (or the first), else a page that explains how to get one."""
    memberships = list(
        Membership.objects.filter(user=cast(User, request.user))
        .select_related("workspace")
        .order_by("workspace__name")
    )
    if not memberships:
        invitations = list(selectors.invitations_for_user(user=cast(User, request.user)))
        return render(request, "people/no_workspace.html", {"invitations": invitations})
    last = request.session.get(LAST_WORKSPACE_SESSION_KEY)
    slugs = [membership.workspace.slug for membership in memberships]
    return redirect("people:workspace_home", workspace_slug=last if last in slugs else slugs[0])


# -- invitations -------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password", "password_again")
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: as the signed-in invitee, or by creating the invitee's account."""
    try:
        invite = selectors.invitation_for_token(token=token)
    except Invalid as error:
        return _invitation_unusable(request, error)
    user = request.user if request.user.is_authenticated else None
    form = NewAccountForm(
        request.POST if request.method == "POST" and user is None else None, email=invite.email
    )
    context = {"invitation": invite, "form": form, "token": token}
    if request.method != "POST":
        return render(request, "people/invitation.html", context)
    try:
        if user is not None:
            assert isinstance(user, User)  # noqa: S101 - narrowed by is_authenticated above
            membership = services.invitation_accept(token=token, user=user)
        elif form.is_valid():
            # One transaction: no account is left behind if the invitation cannot be accepted.
            with transaction.atomic():
                user = services.user_create(
                    email=invite.email,
                    password=form.cleaned_data["password"],
                    full_name=form.cleaned_data["full_name"],
                )
                membership = services.invitation_accept(token=token, user=user)
            login(request, user, backend=_BACKEND)
        else:
            return render(request, "people/invitation.html", context, status=422)
    except Invalid as error:
        if error.errors and error.errors[0].field == "token":
            return _invitation_unusable(request, error)
        apply_errors(form, error)
        return render(request, "people/invitation.html", context, status=422)
    except Conflict as error:
        messages.info(request, error.detail)
        return redirect("people:workspace_home", workspace_slug=invite.workspace.slug)
    messages.success(
        request,
        f"Welcome to {membership.workspace.name}. You joined as "
        f"{membership.get_role_display().lower()}.",
    )
    return redirect("people:workspace_home", workspace_slug=membership.workspace.slug)


@login_required
@require_GET
def my_invitations(request: HttpRequest) -> HttpResponse:
    """The invitations waiting for the signed-in user's answer, in every workspace."""
    invitations = list(selectors.invitations_for_user(user=cast(User, request.user)))
    return render(request, "people/my_invitations.html", {"invitations": invitations})


@login_required
@require_POST
def my_invitation_answer(request: HttpRequest, invitation_id: int, answer: str) -> HttpResponse:
    """Accept (and go to the workspace) or decline one of the user's own invitations."""
    user = cast(User, request.user)
    try:
        if answer == "accept":
            membership = services.invitation_accept_own(user=user, invitation_id=invitation_id)
        else:
            services.invitation_decline(user=user, invitation_id=invitation_id)
    except (Invalid, NotFound) as error:
        messages.error(request, _reason(error))
        return redirect("people:my_invitations")
    except Conflict as error:
        messages.info(request, error.detail)
        return redirect("people:my_invitations")
    if answer != "accept":
        messages.success(request, "Invitation declined.")
        return redirect("people:my_invitations")
    messages.success(
        request,
        f"Welcome to {membership.workspace.name}. You joined as "
        f"{membership.get_role_display().lower()}.",
    )
    return redirect("people:workspace_home", workspace_slug=membership.workspace.slug)


def _reason(error: Invalid | NotFound) -> str:
    """Why an invitation cannot be answered, as one sentence (no field name: it is the link)."""
    message = error.errors[0].message if error.errors else error.detail
    return message[:1].upper() + message[1:].rstrip(".") + "."


def _invitation_unusable(request: HttpRequest, error: Invalid) -> HttpResponse:
    """A clear page for a link that no longer works: unknown (404), used or expired (410)."""
    code = error.code
    reasons: dict[str, str] = {
        PeopleErrorCode.INVITATION_EXPIRED.value: "expired",
        PeopleErrorCode.INVITATION_USED.value: "used",
        PeopleErrorCode.INVITATION_WRONG_USER.value: "wrong_user",
    }
    reason = reasons.get(code, "invalid")
    status = {"invalid": 404, "wrong_user": 403}.get(reason, 410)
    message = _reason(error)
    if reason == "invalid":
        message = "The link may be incomplete: copy the whole link from the message you received."
    return render(
        request,
        "people/invitation_unusable.html",
        {"reason": reason, "message": message},
        status=status,
    )


def invitation_url(request: HttpRequest, secret: str) -> str:
    """The absolute link an invitee opens (``LODESTAR_BASE_URL`` first, as in the email)."""
    return services.invitation_link(secret, site_url(request))
