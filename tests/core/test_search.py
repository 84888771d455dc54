"""The search backend on real rows: kept in step by the services' history, found newest first
or by relevance, with marked snippets, filters, the trash, and the actor's workspace."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem
from lodestar.core import search
from lodestar.core.errors import Invalid
from lodestar.core.models import SearchEntry
from lodestar.core.registry import SearchDocument, registry
from lodestar.core.search.index import reindex, reindex_if_empty
from lodestar.core.trash import trash_move, trash_restore
from lodestar.people.models import Workspace
from tests.backlog.conftest import MakeItem, make_item, product
from tests.conftest import Persona
from tests.strategy.conftest import goal

__all__ = ["goal", "make_item", "product"]

pytestmark = pytest.mark.django_db(transaction=False)


def _titles(page: search.SearchPage) -> list[str]:
    return [hit.title.split(" ", 1)[1] for hit in page.items]


def test_a_created_item_is_found_by_a_word_of_its_title_or_description(
    owner: Persona, make_item: MakeItem
) -> None:
    make_item("Export invoices to PDF", description="Customers keep asking for it")
    make_item("Dark mode")
    page = search.search(actor=owner.actor, text="invoices")
    assert _titles(page) == ["Export invoices to PDF"]
    assert search.search(actor=owner.actor, text="customers").items[0].kind == "item"
    hit = page.items[0]
    assert hit.url
    assert hit.url.endswith(f"/items/{hit.obj.key}")
    assert str(hit.title_html).endswith("Export <mark>invoices</mark> to PDF")


def test_words_are_stemmed_and_prefixes_and_phrases_work(
    owner: Persona, make_item: MakeItem
) -> None:
    make_item("The upload crashes on large photos")
    make_item("Photos look large in the gallery")
    assert _titles(search.search(actor=owner.actor, text="crash")) == [
        "The upload crashes on large photos"
    ]
    assert len(search.search(actor=owner.actor, text="phot*").items) == 2
    assert _titles(search.search(actor=owner.actor, text='"large photos"')) == [
        "The upload crashes on large photos"
    ]


def test_newest_first_by_default_and_by_relevance_on_request(
    owner: Persona, make_item: MakeItem
) -> None:
    old = make_item("Login fails", description="login login login")
    new = make_item("Slow search", description="after login")
    BacklogItem.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=3))
    old.refresh_from_db()
    reindex()
    newest = search.search(actor=owner.actor, text="login")
    assert [hit.id for hit in newest.items] == [new.pk, old.pk]
    assert all(hit.score is None for hit in newest.items)
    ranked = search.search(actor=owner.actor, text="login", sort="relevance")
    assert [hit.id for hit in ranked.items] == [old.pk, new.pk]
    assert ranked.items[0].score is not None
    assert ranked.items[0].score > ranked.items[1].score


def test_an_edit_is_found_by_its_new_words_and_not_its_old(
    owner: Persona, make_item: MakeItem
) -> None:
    item = make_item("Onboarding checklist")
    services.item_update(actor=owner.actor, item=item, title="Welcome tour")
    assert search.search(actor=owner.actor, text="onboarding").items == []
    assert _titles(search.search(actor=owner.actor, text="welcome")) == ["Welcome tour"]
    assert SearchEntry.objects.filter(kind="item", object_id=item.pk).count() == 1


def test_a_trashed_item_is_not_found_and_a_restored_one_is_again(
    owner: Persona, make_item: MakeItem
) -> None:
    item = make_item("Calendar sync")
    trash_move(actor=owner.actor, obj=item)
    assert search.search(actor=owner.actor, text="calendar").items == []
    assert not SearchEntry.objects.filter(object_id=item.pk, kind="item").exists()
    trash_restore(actor=owner.actor, obj=item)
    assert _titles(search.search(actor=owner.actor, text="calendar")) == ["Calendar sync"]


def test_search_stays_in_the_actors_workspace(
    owner: Persona, outsider: Persona, make_item: MakeItem
) -> None:
    make_item("Secret roadmap")
    assert search.search(actor=outsider.actor, text="secret").items == []


def test_snippets_escape_everything_but_the_marks(owner: Persona, make_item: MakeItem) -> None:
    make_item(
        "Script in text",
        description='<script>alert("x")</script> & the \x02word\x03 <b>bold</b> payload',
    )
    hit = search.search(actor=owner.actor, text="payload").items[0]
    html = str(hit.snippet_html)
    assert "<script" not in html
    assert "<b>" not in html
    if connection.vendor == "sqlite":
        assert "&lt;script&gt;" in html  # PostgreSQL's headline leaves tags out
    assert "<mark>payload</mark>" in html
    # Marks stored in the text are dropped: only a match is ever marked.
    assert "<mark>word</mark>" not in html
    assert html.count("<mark>") == html.count("</mark>") == 1


def test_marked_html_balances_any_marks() -> None:
    assert str(search.marked_html("\x03a\x02b\x02c\x03d\x02e")) == (
        "a<mark>bc</mark>d<mark>e</mark>"
    )
    assert str(search.marked_html("<i>&")) == "&lt;i&gt;&amp;"


@pytest.mark.parametrize(
    "text",
    [
        'a "b',
        "NEAR(a b)",
        "a AND OR NOT b",
        "(((",
        ")",
        "-a",
        "title:x",
        "^a",
        "a*b*",
        "*",
        "🙂 💥",
        '"" "',
        "x" * 2000,
        "a " * 1000,
        "'; DROP TABLE core_search_entry; --",
        "\\",
        "%_%",
    ],
)
def test_any_text_is_a_safe_query(owner: Persona, make_item: MakeItem, text: str) -> None:
    make_item("A near miss")
    search.search(actor=owner.actor, text=text[: search.MAX_QUERY])
    search.similar(owner.actor.workspace_id, text)


def test_bad_input_is_refused_naming_the_field(owner: Persona) -> None:
    cases = [
        ({"text": "   "}, "q"),
        ({"text": "x" * (search.MAX_QUERY + 1)}, "q"),
        ({"text": "a", "kinds": ["nonsense"]}, "kind"),
        ({"text": "a", "sort": "oldest"}, "sort"),
        ({"text": "a", "limit": 0}, "limit"),
        ({"text": "a", "cursor": "!!"}, "cursor"),
        ({"text": "a", "date_from": dt.date(2026, 2, 1), "date_to": dt.date(2026, 1, 1)}, "to"),
        ({"text": "a", "facets": {"tag": " "}}, "tag"),
    ]
    for kwargs, field in cases:
        with pytest.raises(Invalid) as caught:
            search.search(actor=owner.actor, **kwargs)  # type: ignore[arg-type]
        assert caught.value.errors[0].field == field, kwargs
    with pytest.raises(Invalid, match="nonsense"):
        search.search(actor=owner.actor, text="a", kinds=["nonsense"])


def test_pages_follow_each_other_without_repeats(owner: Persona, make_item: MakeItem) -> None:
    made = [make_item(f"Report number {n}") for n in range(7)]
    for sort in ("newest", "relevance"):
        seen: list[int] = []
        cursor = None
        while True:
            page = search.search(
                actor=owner.actor, text="report", limit=3, cursor=cursor, sort=sort
            )
            seen.extend(hit.id for hit in page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        assert sorted(seen) == sorted(item.pk for item in made), sort
    first = search.search(actor=owner.actor, text="report", limit=3)
    assert first.next_cursor is not None
    with pytest.raises(Invalid):
        search.search(actor=owner.actor, text="report", sort="relevance", cursor=first.next_cursor)


def test_facets_and_dates_filter(owner: Persona, make_item: MakeItem) -> None:
    """Facets and ``at`` as a kind declares them (discovery's feedback will)."""
    early = make_item("Sync breaks on iPad")
    late = make_item("Sync is slow")
    base = registry().object_type("item")
    assert base is not None

    def document(item: BacklogItem) -> SearchDocument:
        at = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC) if item.pk == early.pk else None
        return SearchDocument(
            title=item.title,
            body="",
            updated_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
            at=at,
            facets={"segment": "enterprise", "tag": ["ios", "sync"]}
            if item.pk == early.pk
            else {"segment": "smb", "tag": []},
        )

    with registry().scoped():
        registry().replace(replace(base, search=document))
        reindex()
        actor = owner.actor

        def ids(**kwargs: object) -> list[int]:
            return [hit.id for hit in search.search(actor=actor, text="sync", **kwargs).items]  # type: ignore[arg-type]

        assert ids() == [late.pk, early.pk]
        assert ids(facets={"segment": "enterprise"}) == [early.pk]
        assert ids(facets={"tag": "ios"}) == [early.pk]
        assert ids(facets={"tag": "android"}) == []
        assert ids(date_from=dt.date(2026, 1, 5), date_to=dt.date(2026, 1, 5)) == [early.pk]
        assert ids(date_from=dt.date(2026, 1, 6)) == [late.pk]
        assert ids(date_to=dt.date(2026, 1, 4)) == []
        assert ids(kinds=["item"]) == [late.pk, early.pk]
        assert ids(kinds=["product"]) == []
    reindex()


def test_reindex_rebuilds_and_fills_an_empty_index(owner: Persona, make_item: MakeItem) -> None:
    make_item("Roadmap export")
    SearchEntry.objects.all().delete()
    assert search.search(actor=owner.actor, text="roadmap").items == []
    assert reindex_if_empty() >= 1
    assert reindex_if_empty() == 0
    assert len(search.search(actor=owner.actor, text="roadmap").items) == 1


def test_a_rebuild_writes_what_the_services_wrote(owner: Persona, make_item: MakeItem) -> None:
    """``reindex`` stores each entry in bulk, from the declared columns only, as the services'
    own writes store it (title, body, date, facets, workspace), and the rebuilt index finds."""
    make_item("Roadmap export", description="As PDF", acceptance_criteria=["One page"])
    make_item("Dark mode")

    def entries() -> list[tuple[object, ...]]:
        return sorted(
            SearchEntry.objects.values_list("kind", "object_id", "workspace_id", "title", "body",
                                            "at", "facets")
        )  # fmt: skip

    written = entries()
    assert reindex() == len(written)
    assert entries() == written
    # An entry filed under another workspace is replaced, not met as a conflict.
    SearchEntry.objects.filter(object_id=BacklogItem.objects.get(title="Dark mode").pk).update(
        workspace_id=Workspace.objects.create(slug="elsewhere", name="Elsewhere").pk
    )
    assert reindex(workspace_id=owner.actor.workspace_id) == len(written)
    assert entries() == written
    assert [hit.title for hit in search.search(actor=owner.actor, text="page").items] == [
        f"{BacklogItem.objects.get(title='Roadmap export').key} Roadmap export"
    ]


def test_declared_search_fields_are_all_a_document_reads(db: None) -> None:
    """A kind that names its ``search_fields`` is rebuilt from rows of only those columns: its
    document (and the entry's workspace) must read nothing else, which would cost a query per
    object. Checked on the demo, which has objects of every kind."""
    from lodestar.core.search.index import _rebuild_queryset, row_of

    world: dict[str, object] = {}
    for name, context_demo in registry().demos():
        world[name] = context_demo.seed(world)
    declared = [t for t in registry().searchable() if t.search_fields]
    assert declared
    for object_type in declared:
        objects = list(_rebuild_queryset(object_type)[:50])
        assert objects, object_type.name
        for obj in objects:
            deferred = obj.get_deferred_fields()
            assert deferred, object_type.name  # only the declared columns were read
            row_of(object_type, obj)
            assert obj.get_deferred_fields() == deferred, (
                f"{object_type.name}'s document reads "
                f"{sorted(deferred - obj.get_deferred_fields())}: add them to search_fields"
            )


def test_bulk_writes_index_in_bulk(owner: Persona, make_item: MakeItem) -> None:
    """Items changed through ``history_record_many`` are reindexed together."""
    items = [make_item(f"Bulk thing {n}") for n in range(25)]
    from django.test.utils import CaptureQueriesContext

    from lodestar.core.history import Change, history_record_many

    for item in items:
        item.title = f"Renamed gizmo {item.pk}"
    BacklogItem.objects.bulk_update(items, ["title"])
    with CaptureQueriesContext(connection) as queries:
        history_record_many(
            workspace_id=owner.actor.workspace_id,
            changes=[Change(obj=item, action="updated") for item in items],
        )
    index_writes = [q for q in queries.captured_queries if "core_search_entry" in q["sql"]]
    assert 1 <= len(index_writes) <= 2
    assert len(search.search(actor=owner.actor, text="gizmo", limit=50).items) == 25


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(min_size=1, max_size=600))
def test_no_text_makes_a_query_fail(owner: Persona, make_item: MakeItem, text: str) -> None:
    if not BacklogItem.objects.exists():
        make_item("Anything at all", description='quotes " and (parens) NEAR AND OR NOT')
    if not text.strip():
        with pytest.raises(Invalid):
            search.search(actor=owner.actor, text=text)
        return
    if len(text) <= search.MAX_QUERY:
        search.search(actor=owner.actor, text=text)
        search.search(actor=owner.actor, text=text, sort="relevance")
    search.similar(owner.actor.workspace_id, text * 4)


def test_bulk_writes_index_an_object_once_by_its_last_change_and_take_trashed_ones_out(
    owner: Persona, make_item: MakeItem
) -> None:
    from lodestar.core.history import Change, history_record_many

    kept, trashed, deleted = (make_item(f"Sprocket {name}") for name in ("one", "two", "three"))
    kept.title = "Sprocket renamed"
    trashed.deleted_at = timezone.now()
    BacklogItem.all_objects.bulk_update([kept, trashed], ["title", "deleted_at"])
    history_record_many(
        workspace_id=owner.actor.workspace_id,
        changes=[
            Change(obj=kept, action="deleted"),
            Change(obj=kept, action="updated"),  # the last change of the object counts
            Change(obj=trashed, action="updated"),
            Change(obj=deleted, action="deleted"),
        ],
    )
    found = search.search(actor=owner.actor, text="sprocket").items
    assert [hit.id for hit in found] == [kept.pk]
    entries = SearchEntry.objects.filter(
        kind="item", object_id__in=[kept.pk, trashed.pk, deleted.pk]
    )
    assert [(entry.object_id, entry.title) for entry in entries] == [
        (kept.pk, f"{kept.key} Sprocket renamed")
    ]


def test_bulk_created_objects_are_inserted_without_looking_for_an_entry(
    owner: Persona, make_item: MakeItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An object created in the transaction has no entry (ids are never reused): its entry is
    inserted as it is (no lookup, ``COPY`` on PostgreSQL); one created then changed in the same
    batch is stored by its last change; a trashed new one stays out."""
    from lodestar.core.history import Change, history_record_many
    from lodestar.core.search import index

    # make_item indexes as it goes: these stand for rows written without an entry yet.
    fresh = [make_item(f"Widget fresh {n}") for n in range(3)]
    then_renamed, trashed = make_item("Widget before"), make_item("Widget trashed")
    SearchEntry.objects.filter(
        kind="item", object_id__in=[i.pk for i in [*fresh, then_renamed, trashed]]
    ).delete()
    then_renamed.title = "Widget renamed"
    trashed.deleted_at = timezone.now()
    BacklogItem.all_objects.bulk_update([then_renamed, trashed], ["title", "deleted_at"])
    calls: list[tuple[str, list[int]]] = []
    real = index.backend

    class Spy:
        def __init__(self) -> None:
            self.engine = real()

        def upsert(self, rows: list[Any]) -> None:
            calls.append(("upsert", [row.object_id for row in rows]))
            self.engine.upsert(rows)

        def insert(self, rows: list[Any]) -> None:
            calls.append(("insert", [row.object_id for row in rows]))
            self.engine.insert(rows)

        def delete(self, kind: str, ids: list[int]) -> None:
            calls.append(("delete", list(ids)))
            self.engine.delete(kind, ids)

    monkeypatch.setattr(index, "backend", Spy)
    history_record_many(
        workspace_id=owner.actor.workspace_id,
        changes=[
            *(Change(obj=item, action="created") for item in fresh),
            Change(obj=then_renamed, action="created"),
            Change(obj=then_renamed, action="updated"),
            Change(obj=trashed, action="created"),
        ],
    )
    assert calls == [
        ("delete", [trashed.pk]),
        ("upsert", [then_renamed.pk]),
        ("insert", [item.pk for item in fresh]),
    ]
    titles = dict(SearchEntry.objects.filter(kind="item").values_list("object_id", "title"))
    assert titles[then_renamed.pk] == f"{then_renamed.key} Widget renamed"
    assert trashed.pk not in titles
    assert all(titles[item.pk] == f"{item.key} {item.title}" for item in fresh)
    found = search.search(actor=owner.actor, text="widget", limit=10).items
    assert sorted(hit.id for hit in found) == sorted([*(i.pk for i in fresh), then_renamed.pk])
