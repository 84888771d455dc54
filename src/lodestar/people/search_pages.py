"""The workspace's search page (``/w/<slug>/search?q=``): what ``core.search`` finds, of the
kinds the member may view, with its filters. The box on every page (``partials/search_box``)
and the ``/`` shortcut lead here."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lodestar.core import search
from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import FieldError, Invalid
from lodestar.people.page_exports import search_csv
from lodestar.people.web import WorkspaceRequest, apply_errors, workspace_view

# Filters that contexts give their documents (``SearchDocument.facets``), as the API names them.
FACETS = ("customer", "segment", "source", "tag", "product")


class SearchInput(forms.TextInput):
    input_type = "search"


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=search.MAX_QUERY,
        strip=False,
        label="Search for",
        widget=SearchInput,
    )
    kind = forms.ChoiceField(required=False, label="Kind")
    sort = forms.ChoiceField(
        required=False,
        choices=[("newest", "Newest first"), ("relevance", "Best match first")],
        label="Order",
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Everything"), *kinds]  # type: ignore[attr-defined]
        self.fields["from"] = forms.DateField(
            required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["to"] = forms.DateField(
            required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
        )
        for name in FACETS:
            self.fields[name] = forms.CharField(required=False, max_length=200, label=name.title())
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "input")
        self.fields["q"].widget.attrs.update(
            {
                "autocomplete": "off",
                "placeholder": 'Words, "a phrase", prefix*',
                "data-search-focus": "",
                "aria-keyshortcuts": "/",
            }
        )


def _asked(form: SearchForm) -> dict[str, Any]:
    """What the form asks ``core.search.search`` for (a form with errors is refused, naming
    its fields: only a file asks before the page has checked it)."""
    if not form.is_bound or not form.is_valid() or not form.cleaned_data["q"].strip():
        errors = form.errors if form.is_bound else {}
        raise Invalid.fields(
            [
                FieldError(name, " ".join(str(m) for m in messages))
                for name, messages in errors.items()
            ]
            or [FieldError("q", "Type what to search for.")]
        )
    data = form.cleaned_data
    return {
        "text": data["q"],
        "kinds": [data["kind"]] if data["kind"] else None,
        "facets": {name: data[name] or None for name in FACETS},
        "date_from": data["from"],
        "date_to": data["to"],
        "sort": data["sort"] or "newest",
    }


@require_GET
@workspace_view
def search_page(request: WorkspaceRequest) -> HttpResponse | StreamingHttpResponse:
    actor = request.actor
    kinds = [(t.name, t.label.capitalize()) for t in search.searchable_kinds(actor)]
    form = SearchForm(request.GET or None, kinds=kinds)
    page = None
    more_url = None
    text = request.GET.get("q", "")
    if wants_csv(request):
        return search_csv(request, _asked(form))
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        try:
            page = search.search(
                actor=actor,
                **_asked(form),
                cursor=request.GET.get("cursor") or None,
            )
        except Invalid as error:
            if any(field_error.field == "cursor" for field_error in error.errors):
                form.add_error(None, "This link to more results is not one this search gave out.")
            else:
                apply_errors(form, error)
        else:
            if page.next_cursor:
                query = {k: v for k, v in request.GET.items() if k != "cursor" and v}
                more_url = "?" + urlencode({**query, "cursor": page.next_cursor})
    facets_open = any(request.GET.get(name) for name in FACETS)
    return render(
        request,
        "people/search.html",
        {
            "form": form,
            "page": page,
            "more_url": more_url,
            "search_text": text,
            "facets_open": facets_open,
            "facet_fields": [form[name] for name in FACETS],
            "paged": bool(request.GET.get("cursor")),
        },
    )
