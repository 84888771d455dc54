"""Request and response bodies of the saved views API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from lodestar.api.schemas import Id, InSchema
from lodestar.backlog.saved_views.models import COLUMNS, SavedView
from lodestar.backlog.saved_views.selectors import saved_view_url

COLUMNS_HELP = f"The optional columns shown, from {', '.join(COLUMNS)}; left out: all of them"


class ViewFilters(InSchema):
    """The backlog's filters, as ``GET .../backlog`` takes them (an unknown one is an error)."""

    q: str | None = Field(None, description="Words of the title")
    kind: str | None = None
    status: str | None = None
    label: str | None = None
    assignee: str | None = Field(None, description='A member\'s email, or "none"')
    goal: Id | None = None
    flagged: bool | None = None
    finished: bool | None = Field(None, description="true: show done and won't-do items too")


class ViewFiltersOut(Schema):
    q: str | None = None
    kind: str | None = None
    status: str | None = None
    label: str | None = None
    assignee: str | None = None
    goal: int | None = None
    flagged: bool | None = None
    finished: bool | None = None


class SavedViewIn(InSchema):
    name: str = Field(
        description="Unique among the caller's views of the product; 1 to 60 characters"
    )
    shared: bool = Field(False, description="Shown to the whole workspace (not for viewers)")
    filters: ViewFilters | None = None
    columns: list[str] | None = Field(None, description=COLUMNS_HELP)


class SavedViewPatch(InSchema):
    name: str | None = None
    shared: bool | None = None
    filters: ViewFilters | None = Field(None, description="Replaces every filter of the view")
    columns: list[str] | None = Field(None, description=COLUMNS_HELP)


class SavedViewOut(Schema):
    id: int
    name: str
    product: str = Field(description="The product's key")
    owner: str = Field(description="The email of the member who saved it")
    shared: bool
    filters: ViewFiltersOut
    columns: list[str]
    url: str = Field(description="The backlog page showing the view")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, view: SavedView) -> SavedViewOut:
        filters: dict[str, Any] = dict(view.filters)
        return cls(
            id=view.pk,
            name=view.name,
            product=view.product.key,
            owner=view.owner.user.email,
            shared=view.shared,
            filters=ViewFiltersOut(**filters),
            columns=list(view.columns),
            url=saved_view_url(view),
            version=view.version,
            created_at=view.created_at,
            updated_at=view.updated_at,
        )
