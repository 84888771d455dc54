"""Keeping the search index in step with the objects each context declares searchable.

``core.history`` calls ``sync_objects`` (one object or many, with what happened to each) in
the writing transaction: an object whose ``ObjectType`` declares ``search`` is stored (or
updated) with the document its context gives, and taken out when it is deleted, moved to the
trash or purged, so a trashed object is never found and a restored one is again. Many objects
are stored in one statement per batch. ``reindex`` rebuilds the index from the declarations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import models, transaction

from lodestar.core.models import HistoryEntry, SearchEntry
from lodestar.core.registry import ObjectType, SearchDocument, registry
from lodestar.core.search.backends import Row, backend, clean

# What takes an object out of the index.
REMOVING = frozenset({HistoryEntry.Action.DELETED.value, HistoryEntry.Action.PURGED.value})
# What changes no word of a document (a new place in a ranked list; a hat passed on): the
# index is left as it is, so that reordering a backlog costs no index writes.
UNCHANGING = frozenset({HistoryEntry.Action.MOVED.value})
# What makes a new object: it has no entry yet (see ``_apply``).
CREATED = HistoryEntry.Action.CREATED.value
# Objects read per query when many are indexed at once.
CHUNK = 2000
# Longest title and body stored (a longer text is cut: it is still found by its beginning).
MAX_TITLE = 1000
MAX_BODY = 100_000
# Facet names are words (the API's filter names).
FACET_NAME_MAX = 40


def _facets(document: SearchDocument) -> dict[str, list[str]]:
    facets: dict[str, list[str]] = {}
    for name, value in document.facets.items():
        if not name.isidentifier() or len(name) > FACET_NAME_MAX:
            raise ValueError(f"a search facet's name must be a short word, not {name!r}")
        values = [value] if isinstance(value, str) else list(value)
        # Facets compare without regard to letter case ("Enterprise" finds "enterprise").
        facets[name] = sorted({str(v).casefold() for v in values if str(v)})
    return facets


def row_of(object_type: ObjectType, obj: Any, workspace_id: int | None = None) -> Row:
    """What the index stores of ``obj`` (its kind must declare ``search``)."""
    assert object_type.search is not None  # noqa: S101 - callers pick searchable kinds
    document = object_type.search(obj)
    return Row(
        workspace_id=workspace_id if workspace_id is not None else object_type.workspace_id_of(obj),
        kind=object_type.name,
        object_id=int(obj.pk),
        title=clean(document.title)[:MAX_TITLE],
        body=clean(document.body)[:MAX_BODY],
        at=document.sort_at,
        facets=_facets(document),
    )


def _in_trash(obj: Any) -> bool:
    return getattr(obj, "deleted_at", None) is not None


def sync_objects(changes: Iterable[tuple[models.Model, str]]) -> None:
    """Bring the index in step with ``(object, action)`` pairs just written (history's
    actions): stored when live, removed when deleted, trashed or purged, left alone when
    moved. Kinds that declare no search are skipped."""
    store: list[Row] = []
    remove: dict[str, list[int]] = defaultdict(list)
    kinds = registry()
    for obj, action in changes:
        try:
            object_type = kinds.object_type_for(obj)
        except LookupError:
            continue
        if object_type.search is None or action in UNCHANGING:
            continue
        if action in REMOVING or _in_trash(obj):
            remove[object_type.name].append(int(obj.pk))
        else:
            store.append(row_of(object_type, obj))
    _apply(store, remove)


def sync_entries(entries: Sequence[HistoryEntry], objects: Mapping[Any, Any] | None = None) -> None:
    """As ``sync_objects`` for recorded history entries; the objects are read (a query per
    kind and ``CHUNK``) unless ``objects`` gives them by ``(object_type, object_id)``."""
    wanted: dict[str, dict[int, str]] = defaultdict(dict)
    kinds = registry()
    for entry in entries:
        object_type = kinds.object_type_for_label(entry.object_type)
        if object_type is None or object_type.search is None or entry.action in UNCHANGING:
            continue
        wanted[entry.object_type][int(entry.object_id)] = entry.action
    if not wanted:
        return
    store: list[Row] = []
    remove: dict[str, list[int]] = defaultdict(list)
    for label, actions in wanted.items():
        object_type = kinds.object_type_for_label(label)
        assert object_type is not None  # noqa: S101 - checked above
        live = [pk for pk, action in actions.items() if action not in REMOVING]
        remove[object_type.name].extend(pk for pk, action in actions.items() if action in REMOVING)
        found: dict[int, Any] = {}
        missing = []
        for pk in live:
            obj = objects.get((label, pk)) if objects is not None else None
            if obj is None:
                missing.append(pk)
            else:
                found[pk] = obj
        _fill_related(object_type, list(found.values()))
        for start in range(0, len(missing), CHUNK):
            for obj in _queryset(object_type, base=True).filter(
                pk__in=missing[start : start + CHUNK]
            ):
                found[int(obj.pk)] = obj
        for pk in live:
            obj = found.get(pk)
            if obj is None or _in_trash(obj):
                remove[object_type.name].append(pk)
            else:
                store.append(row_of(object_type, obj))
    _apply(store, remove)


def sync_many(changes: Iterable[tuple[models.Model, str]]) -> None:
    """As ``sync_entries`` for ``(object, action)`` pairs of a bulk write, whose objects the
    caller holds (nothing is read but what their documents need, a query per relation for all
    of them): an object changed twice is indexed once, by its last action."""
    wanted: dict[str, dict[int, tuple[Any, str]]] = defaultdict(dict)
    declared: dict[str, ObjectType] = {}
    kinds = registry()
    by_model: dict[type[models.Model], ObjectType | None] = {}
    for obj, action in changes:
        model = type(obj)
        if model in by_model:
            object_type = by_model[model]
        else:
            object_type = by_model[model] = kinds.object_type_for_label(model._meta.label_lower)
        if object_type is None or object_type.search is None or action in UNCHANGING:
            continue
        declared[object_type.name] = object_type
        wanted[object_type.name][int(obj.pk)] = (obj, action)
    if not wanted:
        return
    store: list[Row] = []
    new: list[Row] = []
    remove: dict[str, list[int]] = defaultdict(list)
    for name, found in wanted.items():
        object_type = declared[name]
        live = [(pk, obj) for pk, (obj, action) in found.items() if action not in REMOVING]
        remove[name].extend(pk for pk, (_, action) in found.items() if action in REMOVING)
        _fill_related(object_type, [obj for _, obj in live])
        for pk, obj in live:
            if _in_trash(obj):
                remove[name].append(pk)
            elif found[pk][1] == CREATED:
                new.append(row_of(object_type, obj))
            else:
                store.append(row_of(object_type, obj))
    _apply(store, remove, new)


def _apply(store: list[Row], remove: Mapping[str, list[int]], new: Sequence[Row] = ()) -> None:
    """Write the index's changes: ``remove`` taken out, ``store`` stored or updated, and
    ``new``, the rows of objects created in this transaction (a fresh id has no entry: ids are
    never reused), inserted without looking for one (``COPY`` on PostgreSQL)."""
    engine = backend()
    for kind, ids in remove.items():
        if ids:
            engine.delete(kind, ids)
    if store:
        engine.upsert(store)
    if new:
        engine.insert(new)


def _queryset(object_type: ObjectType, *, base: bool = False) -> models.QuerySet[Any]:
    """The kind's objects with what its document reads (every row, or only live ones)."""
    model = object_type.model
    manager = model._base_manager if base else model._default_manager
    qs = manager.all()
    if "__" in object_type.workspace:
        # What ``workspace_id_of`` walks through (``product`` of ``product__workspace``).
        qs = qs.select_related(object_type.workspace.rsplit("__", 1)[0])
    if object_type.search_related:
        qs = qs.select_related(*object_type.search_related)
    if object_type.search_prefetch:
        qs = qs.prefetch_related(*object_type.search_prefetch)
    return qs


def _rebuild_queryset(object_type: ObjectType) -> models.QuerySet[Any]:
    """The kind's live objects for a rebuild: only the declared ``search_fields`` (and the
    way to the workspace) when the kind names them."""
    qs = _queryset(object_type)
    if not object_type.search_fields:
        return qs
    first = object_type.workspace.split("__", 1)[0]
    return qs.only(
        *object_type.search_fields, first if "__" in object_type.workspace else f"{first}_id"
    )


def _fill_related(object_type: ObjectType, objects: list[Any]) -> None:
    """Load what the kind's document reads for objects given by the caller (a bulk write
    builds rows with ids, not related objects): one query per relation for all of them, and
    nothing for a relation an object already holds, instead of a query per object."""
    if not objects:
        return
    related = list(object_type.search_related) + list(object_type.search_prefetch)
    if "__" in object_type.workspace:
        related.append(object_type.workspace.rsplit("__", 1)[0])
    if related:
        models.prefetch_related_objects(objects, *dict.fromkeys(related))


Progress = Callable[[str, int, int], None]


def reindex(*, workspace_id: int | None = None, progress: Progress | None = None) -> int:
    """Rebuild the index (one workspace's part, or all of it) from every searchable kind's
    live objects, in bulk (``Backend.insert``: no lookup of existing entries; only the
    ``search_fields`` a kind declares are read); returns how many are indexed.
    ``progress(kind, done, total)`` is told after each batch. Entries of kinds no longer
    declared are dropped. One transaction."""
    searchable = registry().searchable()
    names = [object_type.name for object_type in searchable]
    done_total = 0
    with transaction.atomic():
        stale = SearchEntry.objects.exclude(kind__in=names)
        if workspace_id is not None:
            stale = stale.filter(workspace_id=workspace_id)
        stale.delete()
        for object_type in searchable:
            qs = _rebuild_queryset(object_type)
            if workspace_id is not None:
                qs = qs.filter(**{object_type.workspace: workspace_id})
            total = qs.count()
            existing = SearchEntry.objects.filter(kind=object_type.name)
            if workspace_id is not None:
                existing = existing.filter(workspace_id=workspace_id)
            existing.delete()
            if workspace_id is not None:
                # An entry of one of these objects filed under another workspace (there should
                # be none) goes too: every entry below is inserted, none updated.
                SearchEntry.objects.filter(
                    kind=object_type.name, object_id__in=qs.values("pk")
                ).delete()
            done = 0
            if progress is not None:
                progress(object_type.name, done, total)
            # One query read as it goes (a server-side cursor on PostgreSQL), not a query per
            # batch: each of those sorted what was left of the kind's rows again.
            batch: list[Any] = []
            for obj in qs.order_by("pk").iterator(chunk_size=CHUNK):
                batch.append(obj)
                if len(batch) == CHUNK:
                    done += _insert(object_type, batch)
                    batch = []
                    if progress is not None:
                        progress(object_type.name, done, total)
            if batch:
                done += _insert(object_type, batch)
                if progress is not None:
                    progress(object_type.name, done, total)
            done_total += done
    return done_total


def _insert(object_type: ObjectType, objects: list[Any]) -> int:
    # The kind's entries of these objects were deleted first: every row is new.
    backend().insert([row_of(object_type, obj) for obj in objects])
    return len(objects)


def index_is_empty() -> bool:
    return not SearchEntry.objects.exists()


def reindex_if_empty() -> int:
    """Fill an empty index from the declarations (an install that predates search, or one
    restored from a copy without it); nothing when it holds anything. Returns how many."""
    if not index_is_empty():
        return 0
    return reindex()
