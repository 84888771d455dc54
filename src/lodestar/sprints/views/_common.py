"""What the sprint pages share: who may change a sprint, and the answer to a form posted from
a page (the part of the page again for htmx, the page itself otherwise)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from lodestar.core.errors import DomainError, error_sentence
from lodestar.people.models import Team
from lodestar.people.policy import can
from lodestar.people.web import WorkspaceRequest, error_response, is_htmx
from lodestar.sprints.models import Sprint, SprintState
from lodestar.sprints.permissions import SprintPermission


def may_change(request: WorkspaceRequest, team: Team, sprint: Sprint | None = None) -> bool:
    """Whether the page offers the controls that change the team's sprints (the service
    checks again)."""
    if sprint is not None and sprint.state == SprintState.CLOSED:
        return False
    product = sprint.product if sprint is not None else None
    return can(request.actor, SprintPermission.CHANGE_SPRINT, teams=[team], product=product)


def sprint_url(request: WorkspaceRequest, name: str, sprint: Sprint) -> str:
    return reverse(
        f"sprints:{name}",
        kwargs={"workspace_slug": request.workspace.slug, "sprint_id": sprint.pk},
    )


def answer(
    request: WorkspaceRequest,
    write: Callable[[], str | None],
    part: Callable[[int], HttpResponse],
    back: str,
) -> HttpResponse:
    """Run ``write``; on success show its message and answer the page's part (htmx) or go
    back to the page; a refusal is one sentence, and nothing changed."""
    try:
        done = write()
    except DomainError as error:
        if is_htmx(request):
            return error_response(request, error)
        messages.error(request, error_sentence(error))
        return redirect(back)
    if done:
        messages.success(request, done)
    if is_htmx(request):
        return part(200)
    return redirect(back)
