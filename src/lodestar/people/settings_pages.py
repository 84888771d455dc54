"""The workspace settings page: what owners and admins change for the whole workspace."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from lodestar.core.errors import StaleVersion
from lodestar.people import services
from lodestar.people.forms import WorkspaceSettingsForm
from lodestar.people.policy import Permission, can
from lodestar.people.web import WorkspaceRequest, workspace_view


@require_http_methods(["GET", "POST"])
@workspace_view
def workspace_settings(request: WorkspaceRequest) -> HttpResponse:
    actor = request.actor
    workspace = actor.workspace
    initial = {
        "allow_external_images": workspace.allow_external_images,
        "version": workspace.version,
    }
    if request.method == "GET":
        form = WorkspaceSettingsForm(initial=initial)
        return _page(request, form)
    form = WorkspaceSettingsForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    try:
        services.workspace_settings_update(
            actor=actor,
            workspace=workspace,
            allow_external_images=form.cleaned_data["allow_external_images"],
            expected_version=form.cleaned_data["version"],
        )
    except StaleVersion:
        messages.error(
            request,
            "Someone changed these settings while you were looking; here they are as they are "
            "now. Make your change again.",
        )
        return redirect("people:workspace_settings", workspace_slug=workspace.slug)
    messages.success(request, "Settings saved.")
    return redirect("people:workspace_settings", workspace_slug=workspace.slug)


def _page(
    request: WorkspaceRequest, form: WorkspaceSettingsForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "people/workspace_settings.html",
        {"form": form, "manages": can(request.actor, Permission.MANAGE_SETTINGS)},
        status=status,
    )
