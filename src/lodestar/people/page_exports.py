"""The members and teams pages as CSV files: the rows each page lists, as it names them."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.urls import reverse

from lodestar.core import search
from lodestar.core.csvexport import csv_response, every_page, export_filename
from lodestar.core.errors import Invalid
from lodestar.people import selectors
from lodestar.people.models import Role
from lodestar.people.web import WorkspaceRequest

MEMBER_HEADER = ("Member", "Email", "Handle", "Job title", "Role", "Hats", "Joined")
SEARCH_HEADER = ("Kind", "Title", "Date", "URL")
TEAM_HEADER = (
    "Team", "Description", "Product", "Product owner", "Scrum master", "Developers",
    "Stakeholders", "URL",
)  # fmt: skip


def members_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    """Every member the members page lists, with their hats, by email."""
    actor = request.actor
    hats = selectors.hats_by_member(
        selectors.who_does_what(actor=actor), workspace_slug=request.workspace.slug
    )
    roles = dict(Role.choices)
    rows = (
        [
            member.user.full_name,
            member.user.email,
            f"@{member.handle}",
            member.job_title,
            roles.get(member.role, member.role),
            [f"{hat.label} · {hat.where}" for hat in hats.get(member.pk, [])],
            member.created_at,
        ]
        for member in selectors.member_list(actor=actor).iterator(chunk_size=500)
    )
    return csv_response(export_filename(request.workspace.slug, "members"), MEMBER_HEADER, rows)


def teams_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    """Every team the teams page lists, with its hats, by name."""
    slug = request.workspace.slug
    rows = (
        [
            hats.team.name,
            hats.team.description,
            hats.product.product_key if hats.product else "",
            hats.product_owner.member.user.display_name if hats.product_owner else "",
            [row.member.user.display_name for row in hats.scrum_masters],
            len(hats.developers),
            len(hats.stakeholders),
            request.build_absolute_uri(reverse("people:team_detail", args=[slug, hats.team.slug])),
        ]
        for hats in selectors.who_does_what(actor=request.actor)
    )
    return csv_response(export_filename(slug, "teams"), TEAM_HEADER, rows)


def search_csv(request: WorkspaceRequest, asked: dict[str, Any]) -> StreamingHttpResponse:
    """Every result the search page finds for ``asked`` (its form's search), in its order: the
    search's own pages, read as the file is written. Best-match order goes as deep as the page
    may (``core.search.MAX_OFFSET``); newest first has every result."""
    actor = request.actor

    def fetch(cursor: str | None) -> search.SearchPage:
        try:
            return search.search(actor=actor, **asked, limit=search.MAX_LIMIT, cursor=cursor)
        except Invalid as error:
            if cursor and any(field.field == "cursor" for field in error.errors):
                return search.SearchPage(items=[], next_cursor=None, kinds=[])
            raise

    rows = (
        [
            hit.label.capitalize(),
            hit.title,
            hit.at,
            request.build_absolute_uri(hit.url) if hit.url else "",
        ]
        for hit in every_page(fetch(None), fetch)
    )
    return csv_response(export_filename(actor.workspace.slug, "search"), SEARCH_HEADER, rows)
