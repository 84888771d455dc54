"""HTTP API of the search (``core.search``): one route over every searchable kind."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from lodestar.api.auth import actor as request_actor
from lodestar.api.schemas import ERRORS, ProblemOut
from lodestar.core import search
from lodestar.core.search import Hit


class SearchQuery(Schema):
    q: str = Field(
        description=(
            "The words to find (every one must match). "
            '"Quoted words" are a phrase, word* a prefix; any other character separates '
            f"words. At most {search.MAX_QUERY} characters."
        )
    )
    kind: list[str] | None = Field(
        None,
        description="Only these kinds of object (item, product, goal, ...); repeat it or "
        "separate with commas",
    )
    customer: str | None = None
    segment: str | None = None
    source: str | None = None
    tag: str | None = None
    product: str | None = None
    date_from: dt.date | None = Field(
        None, alias="from", description="Only what dates from this day on (UTC), YYYY-MM-DD"
    )
    date_to: dt.date | None = Field(
        None, alias="to", description="Only what dates up to this day (UTC), YYYY-MM-DD"
    )
    sort: Literal["newest", "relevance"] = Field(
        "newest", description="newest first (the default), or the best matches first"
    )
    limit: int | None = Field(
        None, ge=1, le=search.MAX_LIMIT, description=f"Hits per page, 1 to {search.MAX_LIMIT}"
    )
    cursor: str | None = None


class SearchHitOut(Schema):
    kind: str
    label: str
    id: int
    title: str
    title_html: str = Field(description="The title, escaped, its matches in <mark>")
    snippet: str = Field(description="A passage of the text, escaped, its matches in <mark>")
    url: str | None
    at: dt.datetime
    score: float | None = Field(description="How well it matches (sort=relevance only)")

    @classmethod
    def of(cls, hit: Hit) -> SearchHitOut:
        return cls(
            kind=hit.kind,
            label=hit.label,
            id=hit.id,
            title=hit.title,
            title_html=str(hit.title_html),
            snippet=str(hit.snippet_html),
            url=hit.url,
            at=hit.at,
            score=hit.score,
        )


class SearchPageOut(Schema):
    items: list[SearchHitOut]
    next_cursor: str | None


router = Router(tags=["search"])

FACETS = ("customer", "segment", "source", "tag", "product")


def kinds_of(values: list[str] | None) -> list[str] | None:
    """``kind`` values, each one or several separated by commas."""
    if not values:
        return None
    kinds = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return kinds or None


@router.get(
    "/{workspace_slug}/search",
    # 414: many repeated filters can make the URL longer than the server takes.
    response={200: SearchPageOut, **ERRORS, 414: ProblemOut},
    operation_id="workspace_search",
)
def search_workspace(
    request: HttpRequest, workspace_slug: str, query: Query[SearchQuery]
) -> SearchPageOut:
    """Everything in the workspace that the words find, of the kinds the caller may view:
    newest first, or by relevance; each hit with a snippet whose matches are marked."""
    actor = request_actor(request, workspace_slug)
    page = search.search(
        actor=actor,
        text=query.q,
        kinds=kinds_of(query.kind),
        facets={name: getattr(query, name) for name in FACETS},
        date_from=query.date_from,
        date_to=query.date_to,
        sort=query.sort,
        limit=query.limit,
        cursor=query.cursor,
    )
    return SearchPageOut(
        items=[SearchHitOut.of(hit) for hit in page.items], next_cursor=page.next_cursor
    )
