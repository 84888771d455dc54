"""The release pages (``app_name = "releases"``): every product's releases, a product's
releases (state, target date, forecast 85% date, progress) with its own go-live checks, the
new and edit forms, and the release page: items with their status, the checklist with what
is unmet, the forecast with its histogram, the notes editor with a preview, and going live
(with the force form for the product's owner and admins)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.backlog.refs import item_refs
from lodestar.core import charts
from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import DomainError, Invalid, error_sentence, field_sentence
from lodestar.core.history import describe, history_for
from lodestar.core.markdown import render_markdown
from lodestar.people.policy import can
from lodestar.people.web import WorkspaceRequest, is_htmx, workspace_view
from lodestar.releases import selectors, services
from lodestar.releases.access import access_product_check, access_release
from lodestar.releases.checklist import checklist, unmet
from lodestar.releases.extensions import RELEASE_SECTIONS
from lodestar.releases.forecasts import ReleaseForecast, product_forecasts, release_forecast
from lodestar.releases.models import Release, ReleaseState
from lodestar.releases.notes import draft
from lodestar.releases.page_exports import releases_csv
from lodestar.releases.permissions import ReleasePermission
from lodestar.strategy.access import access_product
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import product_list, product_team_query

OPEN_STATES = (ReleaseState.PLANNED, ReleaseState.IN_PROGRESS)
# The release's latest changes shown on its page.
HISTORY_SHOWN = 30
STATE_CHOICES = [(s.value, s.label) for s in ReleaseState if s != ReleaseState.LIVE]


def _url(request: WorkspaceRequest, name: str, release: Release) -> str:
    return reverse(
        f"releases:{name}",
        kwargs={
            "workspace_slug": request.workspace.slug,
            "product_key": release.product.key,
            "release_id": release.pk,
        },
    )


def _product_url(request: WorkspaceRequest, product: Product) -> str:
    return reverse(
        "releases:product",
        kwargs={"workspace_slug": request.workspace.slug, "product_key": product.key},
    )


def _rights(request: WorkspaceRequest, product: Product) -> dict[str, bool]:
    return {
        "may_change": can(
            request.actor,
            ReleasePermission.CHANGE_RELEASE,
            teams=product_team_query(product),
            product=product,
        ),
        "may_decide": can(request.actor, ReleasePermission.DECIDE_RELEASE, product=product),
    }


def _rows(request: WorkspaceRequest, product: Product) -> list[dict[str, Any]]:
    """The product's releases with their progress and, for open ones, the forecast (the
    product's teams' history read once for all of them)."""
    rows = []
    releases = list(
        selectors.release_list(actor=request.actor, product=product).order_by("-created_at", "-id")
    )
    forecasts = (
        product_forecasts(product, releases=releases)
        if any(release.state in OPEN_STATES for release in releases)
        else {}
    )
    for release in releases:
        forecast = forecasts.get(release.pk)
        rows.append(
            {
                "release": release,
                "progress": selectors.release_progress(release),
                "p85": forecast.date_at(85) if forecast else None,
                "forecast": forecast,
            }
        )
    return rows


@require_GET
@workspace_view
def home(request: WorkspaceRequest) -> HttpResponse:
    """Every product with its releases."""
    products = [
        {"product": product, "rows": _rows(request, product)}
        for product in product_list(actor=request.actor, owners=False)
    ]
    return render(request, "releases/home.html", {"products": products})


@require_GET
@workspace_view
def product_releases(
    request: WorkspaceRequest, product_key: str
) -> HttpResponse | StreamingHttpResponse:
    product = access_product(request.actor, product_key)
    if wants_csv(request):
        return releases_csv(request, product, _rows(request, product))
    return render(
        request,
        "releases/product.html",
        {
            "product": product,
            "rows": _rows(request, product),
            "checks": selectors.product_checks(actor=request.actor, product=product),
            **_rights(request, product),
        },
    )


def _form_values(request: WorkspaceRequest) -> tuple[dict[str, Any], list[str]]:
    post = request.POST
    values: dict[str, Any] = {
        "name": post.get("name", ""),
        "description": post.get("description", ""),
    }
    errors: list[str] = []
    raw = post.get("target_date", "").strip()
    values["target_date"] = None
    if raw:
        try:
            values["target_date"] = dt.date.fromisoformat(raw)
        except ValueError:
            errors.append(f"Target date: must be a date like 2026-03-31 (it is “{raw}”).")
    if "state" in post:
        values["state"] = post.get("state", "")
    return values, errors


def _sentences(error: DomainError) -> list[str]:
    if isinstance(error, Invalid) and error.errors:
        return [field_sentence(e) for e in error.errors]
    return [error_sentence(error)]


@require_http_methods(["GET", "POST"])
@workspace_view
def new(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    product = access_product(request.actor, product_key)
    values: dict[str, Any] = {"name": "", "description": "", "target_date": None}
    errors: list[str] = []
    if request.method == "POST":
        values, errors = _form_values(request)
        if not errors:
            try:
                release = services.release_create(actor=request.actor, product=product, **values)
            except DomainError as error:
                errors = _sentences(error)
            else:
                messages.success(request, f"Release {release.name} is planned.")
                return redirect(_url(request, "detail", release))
    return render(
        request,
        "releases/form.html",
        {"product": product, "values": values, "errors": errors, "release": None},
        status=422 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@workspace_view
def edit(request: WorkspaceRequest, product_key: str, release_id: int) -> HttpResponse:
    product = access_product(request.actor, product_key)
    release = access_release(request.actor, release_id, product=product)
    values: dict[str, Any] = {
        "name": release.name,
        "description": release.description,
        "target_date": release.target_date,
        "state": release.state,
    }
    errors: list[str] = []
    if request.method == "POST":
        values, errors = _form_values(request)
        if values.get("state") in (None, "", release.state):
            values.pop("state", None)
        if not errors:
            try:
                services.release_update(
                    actor=request.actor,
                    release=release,
                    expected_version=_version(request),
                    **values,
                )
            except DomainError as error:
                errors = _sentences(error)
            else:
                messages.success(request, f"Release {release.name} is saved.")
                return redirect(_url(request, "detail", release))
        values.setdefault("state", release.state)
    return render(
        request,
        "releases/form.html",
        {
            "product": product,
            "values": values,
            "errors": errors,
            "release": release,
            "states": STATE_CHOICES,
            **_rights(request, product),
        },
        status=422 if errors else 200,
    )


def _version(request: WorkspaceRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _histogram(release: Release, forecast: ReleaseForecast) -> charts.Chart | None:
    if forecast.when is None:
        return None
    return charts.forecast_histogram(
        [((b.low + b.high) / 2, b.trials) for b in forecast.when.histogram],
        [(p.percentile, p.value) for p in forecast.when.percentiles if p.value is not None],
        unit="weeks",
        id=f"release-{release.pk}-forecast",
        title=(
            f"{release.name}: weeks until its {forecast.remaining} remaining items are done"
            + (f", after the {forecast.ahead} before them" if forecast.ahead else "")
        ),
    )


def detail_context(request: WorkspaceRequest, release: Release, **extra: Any) -> dict[str, Any]:
    entries = checklist(release)
    forecast = release_forecast(release)
    rights = _rights(request, release.product)
    frozen = release.state not in OPEN_STATES
    return {
        "release": release,
        "product": release.product,
        "items": list(selectors.release_items(release=release)),
        # One address reversed for every row (a reverse per row costs more than the row).
        "item_prefix": reverse(
            "backlog:item_detail",
            kwargs={"workspace_slug": request.workspace.slug, "item_key": "X"},
        )[:-1],
        "progress": selectors.release_progress(release),
        "checks": entries,
        "unmet": unmet(entries),
        "forecast": forecast,
        "histogram": _histogram(release, forecast),
        "notes_text": release.notes or draft(release),
        "notes_drafted": not release.notes,
        "frozen": frozen,
        "may_change": rights["may_change"] and not frozen,
        "may_change_notes": rights["may_change"] and release.state != ReleaseState.CANCELLED,
        "may_decide": rights["may_decide"] and not frozen,
        "go_live": {"errors": [], "open": False, "reason": ""},
        # What later contexts add to the page (``extensions.RELEASE_SECTIONS``).
        "release_sections": [
            html
            for section in RELEASE_SECTIONS.providers()
            if (html := section.render(request, release))
        ],
        "history": [
            (entry, describe(entry))
            for entry in history_for(workspace_id=release.workspace_id, obj=release).order_by(
                "-created_at", "-id"
            )[:HISTORY_SHOWN]
        ],
        **extra,
    }


@require_GET
@workspace_view
def detail(request: WorkspaceRequest, product_key: str, release_id: int) -> HttpResponse:
    product = access_product(request.actor, product_key)
    release = access_release(request.actor, release_id, product=product)
    return render(request, "releases/detail.html", detail_context(request, release))


def _keys(text: str) -> list[str]:
    return [key for key in re.split(r"[\s,;]+", text.strip()) if key]


def _write(
    request: WorkspaceRequest, product_key: str, release_id: int, write: Callable[[Release], str]
) -> HttpResponse:
    """Run ``write`` on the release; its message or the refusal in one sentence, then back to
    the release page (nothing changed on a refusal)."""
    product = access_product(request.actor, product_key)
    release = access_release(request.actor, release_id, product=product)
    back = _url(request, "detail", release)
    try:
        done = write(release)
    except DomainError as error:
        messages.error(request, error_sentence(error))
        return redirect(back)
    messages.success(request, done)
    return redirect(back)


@require_POST
@workspace_view
def items_add(request: WorkspaceRequest, product_key: str, release_id: int) -> HttpResponse:
    def write(release: Release) -> str:
        keys = _keys(request.POST.get("items", ""))
        if not keys:
            raise Invalid.field("items", "name at least one item key, like ACME-12")
        services.release_items_add(
            actor=request.actor, release=release, items=item_refs(request.actor, keys)
        )
        return f"Added {', '.join(k.upper() for k in keys)}."

    return _write(request, product_key, release_id, write)


@require_POST
@workspace_view
def items_remove(request: WorkspaceRequest, product_key: str, release_id: int) -> HttpResponse:
    def write(release: Release) -> str:
        keys = _keys(request.POST.get("item", ""))
        services.release_items_remove(
            actor=request.actor, release=release, items=item_refs(request.actor, keys)
        )
        return f"Took {', '.join(k.upper() for k in keys)} out of the release."

    return _write(request, product_key, release_id, write)


@require_POST
@workspace_view
def items_drop(request: WorkspaceRequest, product_key: str, release_id: int) -> HttpResponse:
    def write(release: Release) -> str:
        keys = _keys(request.POST.get("item", ""))
        services.release_items_drop(
            actor=request.actor,
            release=release,
            items=item_refs(request.actor, keys),
            reason=request.POST.get("reason", ""),
        )
        return f"Dropped {', '.join(k.upper() for k in keys)} from the release."

    return _write(request, product_key, release_id, write)


@require_POST
@workspace_view
def check_tick(
    request: WorkspaceRequest, product_key: str, release_id: int, check_id: int
) -> HttpResponse:
    def write(release: Release) -> str:
        check = access_product_check(request.actor, release.product, check_id)
        ticked = request.POST.get("ticked") == "1"
        services.release_check_tick(
            actor=request.actor, release=release, check=check, ticked=ticked
        )
        return f"{'Ticked' if ticked else 'Unticked'} “{check.label}”."

    return _write(request, product_key, release_id, write)


@require_POST
@workspace_view
def notes(request: WorkspaceRequest, product_key: str, release_id: int) -> HttpResponse:
    def write(release: Release) -> str:
        services.release_notes_save(
            actor=request.actor,
            release=release,
            notes=request.POST.get("notes", ""),
            expected_version=_version(request),
        )
        return "Release notes saved."

    return _write(request, product_key, release_id, write)


@require_POST
@workspace_view
def notes_preview(request: WorkspaceRequest, product_key: str, release_id: int) -> HttpResponse:
    """The notes as they would read, rendered and sanitized as saving does (nothing saved)."""
    product = access_product(request.actor, product_key)
    release = access_release(request.actor, release_id, product=product)
    text = request.POST.get("notes", "")[: services.TEXT_MAX]
    template = "releases/_preview.html" if is_htmx(request) else "releases/preview.html"
    return render(request, template, {"html": render_markdown(text), "release": release})


@require_POST
@workspace_view
def go_live(request: WorkspaceRequest, product_key: str, release_id: int) -> HttpResponse:
    """Go live; refused past unmet checks (the page again, 422, naming them) unless forced
    with a reason."""
    product = access_product(request.actor, product_key)
    release = access_release(request.actor, release_id, product=product)
    force = request.POST.get("force") == "1"
    reason = request.POST.get("reason", "")
    try:
        services.release_go_live(
            actor=request.actor,
            release=release,
            force=force,
            reason=reason,
            expected_version=_version(request),
        )
    except DomainError as error:
        release = access_release(request.actor, release_id, product=product)
        sent = {"errors": _sentences(error), "open": force, "reason": reason}
        return render(
            request,
            "releases/detail.html",
            detail_context(request, release, go_live=sent),
            status=error.status,
        )
    messages.success(
        request,
        f"{release.name} is live" + (" (forced past unmet checks)." if release.forced else "."),
    )
    return redirect(_url(request, "detail", release))


@require_POST
@workspace_view
def product_check_add(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    product = access_product(request.actor, product_key)
    try:
        check = services.product_check_create(
            actor=request.actor, product=product, label=request.POST.get("label", "")
        )
    except DomainError as error:
        messages.error(request, error_sentence(error))
    else:
        messages.success(request, f"Added the check “{check.label}”.")
    return redirect(_product_url(request, product))


@require_POST
@workspace_view
def product_check_delete(
    request: WorkspaceRequest, product_key: str, check_id: int
) -> HttpResponse:
    product = access_product(request.actor, product_key)
    check = access_product_check(request.actor, product, check_id)
    try:
        services.product_check_delete(actor=request.actor, check=check)
    except DomainError as error:
        messages.error(request, error_sentence(error))
    else:
        messages.success(request, f"Removed the check “{check.label}”.")
    return redirect(_product_url(request, product))
