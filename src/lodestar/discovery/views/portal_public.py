"""The public portal's pages, at ``/portal/<workspace_slug>/<product_key>/``: no sign-in, their
own minimal layout, and only what the team published.

Every page goes through ``public_portal`` (a portal that is off answers 404) and reads through
``portal_selectors.public_ideas``. Sending an idea or a vote takes an email address and answers
"check your inbox" (after a redirect, so reloading sends nothing again); the emailed link opens
a page whose button confirms (a POST: mail scanners that open links confirm nothing). A filled
honeypot field gets the same answer and writes nothing; past the rate limits the answer is a
429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.core.errors import Invalid, NotFound, RateLimited
from lodestar.core.ratelimit import client_address
from lodestar.discovery.portal_access import public_idea, public_portal
from lodestar.discovery.portal_models import Portal, PortalIdea
from lodestar.discovery.portal_selectors import public_ideas, public_vote_count
from lodestar.discovery.portal_services import (
    EMAIL_MAX,
    IDEA,
    IDEA_DESCRIPTION_MAX,
    IDEA_TITLE_MAX,
    ConfirmUrl,
    LinkExpired,
    portal_confirm,
    portal_submit,
    portal_throttle,
    portal_vote_request,
    read_confirmation,
)
from lodestar.people.web import apply_errors

_INPUT = {"class": "input"}
# The honeypot: a field people never see (hidden, out of the tab order); bots fill it.
HONEYPOT = "website"


class _VisitorForm(forms.Form):
    email = forms.CharField(
        max_length=EMAIL_MAX,
        label="Your email address",
        help_text="We send you a link to confirm; it is never shown on this page.",
        widget=forms.EmailInput(attrs={**_INPUT, "autocomplete": "email"}),
    )
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def trapped(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())


class IdeaForm(_VisitorForm):
    title = forms.CharField(
        max_length=IDEA_TITLE_MAX,
        label="Your idea",
        help_text=f"One line, up to {IDEA_TITLE_MAX} characters.",
        widget=forms.TextInput(attrs=_INPUT),
    )
    description = forms.CharField(
        required=False,
        max_length=IDEA_DESCRIPTION_MAX,
        label="Tell us more (optional)",
        help_text=f"What would it let you do? Up to {IDEA_DESCRIPTION_MAX:,} characters.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 4}),
    )
    field_order = ["title", "description", "email", "website"]


class VoteForm(_VisitorForm):
    pass


def _portal(workspace_slug: str, product_key: str) -> Portal:
    try:
        return public_portal(workspace_slug, product_key)
    except NotFound as error:
        raise Http404(error.detail) from error


def _idea(portal: Portal, idea_id: int) -> PortalIdea:
    try:
        return public_idea(portal, idea_id)
    except NotFound as error:
        raise Http404(error.detail) from error


def _confirm_url(request: HttpRequest, portal: Portal) -> ConfirmUrl:
    def build(token: str) -> str:
        path = reverse("portal:confirm", args=[portal.workspace.slug, portal.product.key, token])
        return (
            f"{settings.BASE_URL}{path}" if settings.BASE_URL else request.build_absolute_uri(path)
        )

    return build


def _page(
    request: HttpRequest, template: str, portal: Portal, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {"portal": portal, "product_key": portal.product.key, **context}
    context["slug"] = portal.workspace.slug
    return render(request, f"discovery/portal/{template}", context, status=status)


def _home(
    request: HttpRequest,
    portal: Portal,
    form: IdeaForm | None = None,
    status: int = 200,
    throttled: str = "",
) -> HttpResponse:
    return _page(
        request,
        "public_home.html",
        portal,
        {
            "ideas": list(public_ideas(portal)),
            "form": form or IdeaForm(),
            "throttled": throttled,
        },
        status,
    )


def _throttled(response: HttpResponse, error: RateLimited) -> HttpResponse:
    response["Retry-After"] = str(error.retry_after)
    return response


def _sent(portal: Portal, kind: str) -> HttpResponse:
    url = reverse("portal:sent", args=[portal.workspace.slug, portal.product.key])
    return redirect(f"{url}?kind={kind}", permanent=False)


@never_cache
@require_GET
def home(request: HttpRequest, workspace_slug: str, product_key: str) -> HttpResponse:
    """The portal: the published ideas with their votes, and the form to send one."""
    return _home(request, _portal(workspace_slug, product_key))


@never_cache
@require_POST
def submit(request: HttpRequest, workspace_slug: str, product_key: str) -> HttpResponse:
    portal = _portal(workspace_slug, product_key)
    form = IdeaForm(request.POST)
    if form.trapped():
        return _sent(portal, "idea")
    try:
        portal_throttle(
            address=client_address(request), email=request.POST.get("email", "").strip().lower()
        )
    except RateLimited as error:
        return _throttled(_home(request, portal, form, error.status, error.detail), error)
    if not form.is_valid():
        return _home(request, portal, form, status=422)
    try:
        portal_submit(
            portal=portal,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            email=form.cleaned_data["email"],
            confirm_url=_confirm_url(request, portal),
        )
    except Invalid as error:
        apply_errors(form, error)
        return _home(request, portal, form, status=422)
    return _sent(portal, "idea")


def _idea_page(
    request: HttpRequest,
    portal: Portal,
    idea: PortalIdea,
    form: VoteForm | None = None,
    status: int = 200,
    throttled: str = "",
) -> HttpResponse:
    return _page(
        request,
        "public_idea.html",
        portal,
        {
            "idea": idea,
            "votes": public_vote_count(idea),
            "form": form or VoteForm(),
            "throttled": throttled,
        },
        status,
    )


@never_cache
@require_GET
def idea(request: HttpRequest, workspace_slug: str, product_key: str, idea_id: int) -> HttpResponse:
    portal = _portal(workspace_slug, product_key)
    return _idea_page(request, portal, _idea(portal, idea_id))


@never_cache
@require_POST
def vote(request: HttpRequest, workspace_slug: str, product_key: str, idea_id: int) -> HttpResponse:
    portal = _portal(workspace_slug, product_key)
    voted = _idea(portal, idea_id)
    form = VoteForm(request.POST)
    if form.trapped():
        return _sent(portal, "vote")
    try:
        portal_throttle(
            address=client_address(request), email=request.POST.get("email", "").strip().lower()
        )
    except RateLimited as error:
        page = _idea_page(request, portal, voted, form, error.status, error.detail)
        return _throttled(page, error)
    if not form.is_valid():
        return _idea_page(request, portal, voted, form, status=422)
    try:
        portal_vote_request(
            portal=portal,
            idea=voted,
            email=form.cleaned_data["email"],
            confirm_url=_confirm_url(request, portal),
        )
    except Invalid as error:
        apply_errors(form, error)
        return _idea_page(request, portal, voted, form, status=422)
    return _sent(portal, "vote")


@never_cache
@require_GET
def sent(request: HttpRequest, workspace_slug: str, product_key: str) -> HttpResponse:
    portal = _portal(workspace_slug, product_key)
    kind = "vote" if request.GET.get("kind") == "vote" else "idea"
    return _page(request, "public_sent.html", portal, {"kind": kind})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(
    request: HttpRequest, workspace_slug: str, product_key: str, token: str
) -> HttpResponse:
    """An emailed link: the page asks for one click (a POST), which confirms once."""
    portal = _portal(workspace_slug, product_key)
    try:
        kind = read_confirmation(token)
        if request.method != "POST":
            return _page(request, "public_confirm.html", portal, {"kind": kind})
        done = portal_confirm(portal=portal, token=token)
    except LinkExpired as error:
        return _page(request, "public_expired.html", portal, {"detail": error.detail}, 410)
    except NotFound as error:
        raise Http404(error.detail) from error
    votes = public_vote_count(done.idea) if done.idea is not None else None
    return _page(
        request,
        "public_done.html",
        portal,
        {"done": done, "idea": done.idea, "votes": votes, "is_idea": done.kind == IDEA},
    )
