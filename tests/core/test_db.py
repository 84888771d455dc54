"""RankField: ordering by rank in the database is Python's string order, on every database;
bulk_update_values: one statement per batch writes what a save would, on every database."""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext, isolate_apps

from lodestar.backlog.models import BacklogItem
from lodestar.core import db
from lodestar.core.db import RankField, bulk_update_values, quick_commit
from lodestar.core.ranking import DIGITS, MAX_KEY_LENGTH, key_between, keys_between
from lodestar.people.models import Workspace
from tests.core.conftest import MakeItem


def test_rank_field_defaults_to_the_key_length_limit() -> None:
    field = RankField()
    assert field.max_length == MAX_KEY_LENGTH
    _, path, _, kwargs = field.deconstruct()
    assert path == "lodestar.core.db.RankField"
    assert kwargs["max_length"] == MAX_KEY_LENGTH
    assert "db_collation" not in kwargs


def test_rank_field_asks_for_a_byte_order_collation() -> None:
    collation = RankField().db_parameters(connection)["collation"]
    if connection.vendor == "postgresql":
        assert collation == "C"
    else:
        # SQLite's default collation, BINARY, already compares bytes.
        assert collation is None


def _keys_whose_case_order_differs() -> list[str]:
    """Keys that a locale-aware collation (a < B) would put in another order than bytes do."""
    rng = random.Random(7)
    keys: list[str] = []
    for _ in range(300):
        spot = rng.randint(0, len(keys))
        before = keys[spot - 1] if spot else None
        after = keys[spot] if spot < len(keys) else None
        keys.insert(spot, key_between(before, after))
    keys += keys_between(None, None, 200)[100:]
    # Force neighbours that differ only by case, the pair locales sort the other way round.
    keys += ["a0a", "a0B", "a0b", "a0A", "a0Z", "a0z", "a09", "b0a", "b0Z"]
    return sorted(set(keys))


def _assert_column_is_byte_ordered(table: str, keys: list[str]) -> None:
    """The column carries "C" whatever the database default, and the keys tell the difference."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = %s AND column_name = 'rank'",
            [table],
        )
        assert cursor.fetchone() == ("C",)
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = 'en-US-x-icu'")
        if cursor.fetchone() is None:
            return
        # Under a locale collation the same rows come back in another order: the probe keys
        # would catch a column that lost its collation.
        cursor.execute(f'SELECT rank FROM {table} ORDER BY rank COLLATE "en-US-x-icu"')  # noqa: S608
        assert [row[0] for row in cursor.fetchall()] != keys


@pytest.mark.django_db(transaction=True)
def test_ordering_by_rank_in_the_database_is_python_string_order() -> None:
    with isolate_apps("lodestar.core"):

        class RankProbe(models.Model):
            rank = RankField()

            class Meta:
                app_label = "core"
                db_table = "core_test_rank_probe"
                indexes = [models.Index(fields=["rank"], name="core_test_rank_probe_rank")]

            def __str__(self) -> str:
                return self.rank

        with connection.schema_editor() as editor:
            editor.create_model(RankProbe)
        try:
            keys = _keys_whose_case_order_differs()
            shuffled = keys[:]
            random.Random(3).shuffle(shuffled)
            RankProbe.objects.bulk_create(RankProbe(rank=k) for k in shuffled)
            in_db: list[Any] = list(
                RankProbe.objects.order_by("rank").values_list("rank", flat=True)
            )
            assert in_db == keys
            # Range comparisons use the same collation as ORDER BY.
            pivot = "a0B"
            above = set(RankProbe.objects.filter(rank__gt=pivot).values_list("rank", flat=True))
            assert above == {k for k in keys if k > pivot}
            assert "a0a" in above
            assert max(in_db) == RankProbe.objects.aggregate(m=models.Max("rank"))["m"]
            assert set(DIGITS) >= set("".join(keys))
            if connection.vendor == "postgresql":
                _assert_column_is_byte_ordered(RankProbe._meta.db_table, keys)
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(RankProbe)


# -- bulk_update_values ------------------------------------------------------------------------


def _rows_of(*items: BacklogItem, fields: str) -> list[tuple[Any, ...]]:
    return list(
        BacklogItem.all_objects.filter(pk__in=[i.pk for i in items])
        .order_by("pk")
        .values_list("pk", *fields.split())
    )


@pytest.mark.django_db
def test_bulk_update_values_writes_each_row_its_values(
    workspace: Workspace, make_item: MakeItem
) -> None:
    first, second, third = (make_item(workspace, f"Item {n}") for n in range(3))
    when = dt.datetime(2024, 2, 29, 12, 30, tzinfo=dt.UTC)
    rows = [
        (first.pk, 'It\'s "quoted"; DROP TABLE x; --', Decimal("2.5"), ["a", {"b": None}], when),
        (second.pk, "Ünïcödé ✓", None, [], when + dt.timedelta(days=1)),
        (third.pk, "back\\slash %s %%", Decimal("0.0"), [], when),
    ]
    fields = ["title", "estimate", "acceptance_criteria", "updated_at"]

    written = bulk_update_values(BacklogItem, rows, fields)

    assert written == 3
    stored = _rows_of(first, second, third, fields="title estimate acceptance_criteria updated_at")
    assert stored == sorted(rows)


@pytest.mark.django_db
def test_bulk_update_values_sets_and_clears_nulls_and_foreign_keys(
    workspace: Workspace, make_item: MakeItem
) -> None:
    epic, story, task = (make_item(workspace, f"Item {n}") for n in range(3))
    bulk_update_values(BacklogItem, [(story.pk, epic.pk), (task.pk, story)], ["parent"])
    assert _rows_of(epic, story, task, fields="parent_id") == [
        (epic.pk, None),
        (story.pk, epic.pk),
        (task.pk, story.pk),
    ]

    bulk_update_values(BacklogItem, [(story.pk, None), (task.pk, None)], ["parent_id"])

    assert _rows_of(story, task, fields="parent_id") == [(story.pk, None), (task.pk, None)]


@pytest.mark.django_db
def test_bulk_update_values_reads_model_instances(
    workspace: Workspace, make_item: MakeItem
) -> None:
    items = [make_item(workspace, f"Item {n}") for n in range(3)]
    for n, item in enumerate(items):
        item.description_html = f"<p>{n}</p>"
        item.acceptance_criteria_html = [f"<p>c{n}</p>"]
        item.title = "not written"

    bulk_update_values(BacklogItem, items, ["description_html", "acceptance_criteria_html"])

    assert _rows_of(*items, fields="description_html acceptance_criteria_html title") == [
        (item.pk, f"<p>{n}</p>", [f"<p>c{n}</p>"], f"Item {n}") for n, item in enumerate(items)
    ]


@pytest.mark.django_db
def test_bulk_update_values_leaves_other_rows_alone(
    workspace: Workspace, make_item: MakeItem
) -> None:
    changed, untouched = make_item(workspace, "Changed"), make_item(workspace, "Untouched")
    missing_pk = untouched.pk + 1000

    written = bulk_update_values(
        BacklogItem, [(changed.pk, "New"), (missing_pk, "Nobody")], ["title"]
    )

    assert written == 1
    assert _rows_of(changed, untouched, fields="title") == [
        (changed.pk, "New"),
        (untouched.pk, "Untouched"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [1, 2, 7, None])
def test_bulk_update_values_in_batches_writes_every_row(
    workspace: Workspace,
    make_item: MakeItem,
    batch_size: int | None,
    django_assert_num_queries: Any,
) -> None:
    items = [make_item(workspace, f"Item {n}") for n in range(7)]
    statements = 7 // batch_size + bool(7 % batch_size) if batch_size else 1
    with django_assert_num_queries(statements):
        written = bulk_update_values(
            BacklogItem,
            [(item.pk, f"Renamed {n}") for n, item in enumerate(items)],
            ["title"],
            batch_size=batch_size,
        )
    assert written == 7
    assert [t for _, t in _rows_of(*items, fields="title")] == [f"Renamed {n}" for n in range(7)]


@pytest.mark.django_db
def test_bulk_update_values_batches_under_the_sqlite_parameter_limit(
    workspace: Workspace, make_item: MakeItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL sends one array per column: no parameter limit applies")
    items = [make_item(workspace, f"Item {n}") for n in range(5)]
    # Four parameters allow two rows of (pk, title): five rows take three statements.
    monkeypatch.setattr(db, "_sqlite_max_params", lambda connection: 4)
    with CaptureQueriesContext(connection) as queries:
        bulk_update_values(BacklogItem, [(i.pk, "x") for i in items], ["title"])
    assert [q["sql"].count("'x'") for q in queries.captured_queries] == [2, 2, 1]


@pytest.mark.django_db
def test_bulk_update_values_with_no_rows_runs_nothing(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert bulk_update_values(BacklogItem, [], ["title"]) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (["titel"], "BacklogItem has no field named 'titel'"),
        (["title", "title"], "BacklogItem.title is named twice"),
        (["id"], "BacklogItem.id is the primary key"),
        (["labels"], "BacklogItem.labels is not a column"),
        (["children"], "BacklogItem.children is not a column"),
        ([], "fields must be a non-empty list"),
        ("title", "fields must be a non-empty list"),
    ],
)
def test_bulk_update_values_names_a_bad_field(fields: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        bulk_update_values(BacklogItem, [(1, "x")], fields)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(1, "a"), (2,)], "rows[1] must be (pk, title): 2 values"),
        ([(None, "a")], "rows[0] has no primary key"),
        ([(1, "a"), (1, "b")], "rows[1] repeats the primary key 1"),
        (["ab"], "rows[0] must be (pk, title)"),
    ],
)
def test_bulk_update_values_names_a_bad_row(rows: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        bulk_update_values(BacklogItem, rows, ["title"])


def test_bulk_update_values_refuses_expressions() -> None:
    with pytest.raises(TypeError, match=re.escape("rows[0] holds an expression")):
        bulk_update_values(BacklogItem, [(1, F("key"))], ["title"])


@pytest.mark.django_db
def test_a_row_the_database_refuses_fails_its_whole_statement(
    workspace: Workspace, make_item: MakeItem
) -> None:
    first, second = make_item(workspace, "First"), make_item(workspace, "Second")
    with pytest.raises(IntegrityError), transaction.atomic():
        # A negative estimate breaks a check constraint.
        bulk_update_values(
            BacklogItem, [(first.pk, Decimal(3)), (second.pk, Decimal(-1))], ["estimate"]
        )
    assert _rows_of(first, second, fields="estimate") == [(first.pk, None), (second.pk, None)]


@pytest.mark.django_db
def test_bulk_update_values_keeps_the_rank_column_byte_ordered(
    workspace: Workspace, make_item: MakeItem
) -> None:
    keys = _keys_whose_case_order_differs()[:60]
    items = [make_item(workspace, f"Item {n}") for n in range(len(keys))]
    shuffled = keys[:]
    random.Random(11).shuffle(shuffled)
    # Park first: the (product, rank) index is checked row by row.
    bulk_update_values(BacklogItem, [(i.pk, f"~{i.pk}") for i in items], ["rank"])

    bulk_update_values(
        BacklogItem, [(i.pk, k) for i, k in zip(items, shuffled, strict=True)], ["rank"]
    )

    in_db = list(
        BacklogItem.objects.filter(pk__in=[i.pk for i in items])
        .order_by("rank")
        .values_list("rank", flat=True)
    )
    assert in_db == keys
    above = BacklogItem.objects.filter(pk__in=[i.pk for i in items], rank__gt="a0B")
    assert {item.rank for item in above} == {k for k in keys if k > "a0B"}


# -- bulk_insert and increment -----------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_insert_takes_one_statement_for_many_wide_rows(
    workspace: Workspace, make_item: MakeItem, django_assert_num_queries: Any
) -> None:
    product = make_item(workspace).product
    rows = [
        BacklogItem(
            workspace=workspace,
            product=product,
            number=n,
            key=f"ACME-{n}",
            title=f"Item {n}",
            rank=key,
        )
        for n, key in zip(range(2, 302), keys_between("b00", None, 300), strict=True)
    ]
    # Django alone would send 300 rows of 24 columns in eight statements on SQLite (999
    # parameters each).
    with django_assert_num_queries(1):
        inserted = db.bulk_insert(BacklogItem, rows)
    assert inserted == rows
    assert all(row.pk for row in rows)
    assert BacklogItem.objects.filter(product=product).count() == 301
    assert connection.features.max_query_params == (999 if connection.vendor == "sqlite" else None)


@pytest.mark.django_db
def test_increment_returns_the_new_value_in_one_statement(
    workspace: Workspace, make_item: MakeItem, django_assert_num_queries: Any
) -> None:
    product = make_item(workspace).product
    start = type(product).objects.get(pk=product.pk).next_item_number
    with django_assert_num_queries(1):
        assert db.increment(type(product), pk=product.pk, field="next_item_number", by=5) == (
            start + 5
        )
    assert db.increment(type(product), pk=product.pk + 99, field="next_item_number") is None
    with pytest.raises(ValueError, match="no field named 'nope'"):
        db.increment(type(product), pk=product.pk, field="nope")


# -- insert_rows ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_insert_rows_writes_every_field_with_fresh_ids(workspace: Workspace) -> None:
    from lodestar.core.models import HistoryEntry

    existing = HistoryEntry.objects.create(
        workspace=workspace, object_type="x.y", object_id=1, action="created"
    )
    when = dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    rows = [
        HistoryEntry(
            workspace=workspace,
            object_type="x.y",
            object_id=n,
            object_label=f"it's “{n}”",
            action="updated",
            changes={"title": [None, f"T{n}"], "n": n},
            created_at=when,
        )
        for n in range(db.INSERT_ROWS_MIN + 5)
    ]
    with CaptureQueriesContext(connection) as captured:
        saved = db.insert_rows(HistoryEntry, rows)
    # One query reserves the ids, one statement inserts them.
    assert len(captured.captured_queries) == 2
    assert [row.pk for row in saved] == [row.pk for row in rows]
    ids = [row.pk for row in rows]
    assert len(set(ids)) == len(ids)
    assert min(ids) > existing.pk
    stored = {entry.pk: entry for entry in HistoryEntry.objects.filter(pk__in=ids)}
    assert len(stored) == len(rows)
    sample = stored[ids[3]]
    assert (sample.object_label, sample.changes, sample.created_at) == (
        "it's “3”",
        {"title": [None, "T3"], "n": 3},
        when,
    )
    assert not rows[0]._state.adding
    # The next row the ordinary way takes an id after the block.
    after = HistoryEntry.objects.create(
        workspace=workspace, object_type="x.y", object_id=2, action="created"
    )
    assert after.pk > max(ids)


@pytest.mark.django_db
def test_insert_rows_of_a_few_rows_is_one_insert(workspace: Workspace) -> None:
    from lodestar.core.models import HistoryEntry

    rows = [
        HistoryEntry(workspace=workspace, object_type="x.y", object_id=n, action="created")
        for n in range(3)
    ]
    with CaptureQueriesContext(connection) as captured:
        db.insert_rows(HistoryEntry, rows)
    assert len(captured.captured_queries) == 1
    assert all(row.pk for row in rows)


def test_reserving_ids_needs_the_inserting_transaction() -> None:
    from lodestar.core.models import HistoryEntry

    with pytest.raises(RuntimeError, match="inside the transaction"):
        db.reserve_ids(HistoryEntry, 3, connection)
    assert db.reserve_ids(HistoryEntry, 0, connection) == []


@pytest.mark.django_db
def test_reserved_ids_are_new_and_distinct_when_the_sequence_hands_them_out_scattered() -> None:
    """A block of ids comes back as its range; ids another session took meanwhile leave gaps,
    and then the ids come back one by one (a sequence stepping by two stands in for that)."""
    from lodestar.core.models import HistoryEntry

    with transaction.atomic():
        first = db.reserve_ids(HistoryEntry, 5, connection)
        assert first == list(range(first[0], first[0] + 5))
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("ALTER SEQUENCE core_historyentry_id_seq INCREMENT BY 2")
        scattered = db.reserve_ids(HistoryEntry, 4, connection)
        assert scattered == sorted(scattered)
        assert len(set(scattered)) == 4
        assert min(scattered) > max(first)
        assert scattered == list(range(scattered[0], scattered[0] + 8, 2))


@pytest.mark.django_db(transaction=True)
def test_quick_commit_relaxes_durability_for_its_own_transaction_only() -> None:
    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return str(cursor.fetchone()[0])

    if connection.vendor != "postgresql":
        with quick_commit(connection):  # SQLite (WAL, synchronous=NORMAL) needs nothing
            assert not connection.in_atomic_block
        return
    with quick_commit(connection):
        assert connection.in_atomic_block
        assert synchronous_commit() == "off"
    assert synchronous_commit() == "on"
    # Inside a caller's transaction it would apply to all of it: nothing changes.
    with transaction.atomic(), quick_commit(connection):
        assert synchronous_commit() == "on"


def test_insert_rows_converts_repeated_dates_once_and_each_zone_as_written(
    workspace: Workspace,
) -> None:
    """Equal values down a column share one conversion (keyed by their zone too), and every
    row still stores its own instant."""
    from zoneinfo import ZoneInfo

    from lodestar.core.models import HistoryEntry

    utc = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    paris = utc.astimezone(ZoneInfo("Europe/Paris"))
    later = utc + dt.timedelta(microseconds=1)
    dates = [utc, paris, later, utc] * (db.INSERT_ROWS_MIN // 4 + 1)
    rows = [
        HistoryEntry(workspace=workspace, object_type="x.y", object_id=n, action="created",
                     created_at=when)
        for n, when in enumerate(dates)
    ]  # fmt: skip
    db.insert_rows(HistoryEntry, rows)
    stored = dict(
        HistoryEntry.objects.filter(object_type="x.y").values_list("object_id", "created_at")
    )
    assert [stored[n] for n in range(len(dates))] == dates


def test_a_column_of_dates_or_numbers_converts_each_distinct_value_once() -> None:
    """A column of dates (or decimals) is converted a distinct value at a time, each row given
    the conversion of its own value; a value that cannot be a key (a list in a date column)
    meets the field's own conversion, as it would alone."""
    from decimal import Decimal

    from lodestar.core.models import HistoryEntry

    created = HistoryEntry._meta.get_field("created_at")
    one = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    two = one + dt.timedelta(days=1)
    alone = db._converter(created, connection)
    assert db._converted(created, connection, [one, two, None, one]) == [
        alone(one),
        alone(two),
        None,
        alone(one),
    ]
    estimate = BacklogItem._meta.get_field("estimate")
    assert db._converted(estimate, connection, [Decimal("3"), Decimal("0.5"), Decimal("3")]) == [
        db._converter(estimate, connection)(value)
        for value in [Decimal("3"), Decimal("0.5"), Decimal("3")]
    ]
    with pytest.raises(Exception) as alone_error:  # noqa: PT011 - whatever the field raises
        alone([1])
    with pytest.raises(alone_error.type):
        db._converted(created, connection, [one, [1]])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps its own cache")
def test_large_writes_grows_the_page_cache_and_gives_it_back() -> None:
    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return int(cursor.fetchone()[0])

    before = cache_size()
    with db.large_writes():
        assert cache_size() == -db.LARGE_WRITE_CACHE_KIB
    assert cache_size() == before
    with pytest.raises(RuntimeError), db.large_writes():
        raise RuntimeError("an import that fails")
    assert cache_size() == before


# -- insert_plain_rows ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_insert_plain_rows_converts_python_values_and_returns_the_ids(
    workspace: Workspace,
) -> None:
    from lodestar.core.models import HistoryEntry

    existing = HistoryEntry.objects.create(
        workspace=workspace, object_type="x.y", object_id=1, action="created"
    )
    when = dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    fields = ["workspace_id", "object_type", "object_id", "object_label", "action"]
    fields += ["changes", "created_at"]
    rows = [
        (workspace.pk, "x.y", n, f"it's “{n}”", "updated", {"title": [None, f"T{n}"]}, when)
        for n in range(db.INSERT_ROWS_MIN + 5)
    ]
    with CaptureQueriesContext(connection) as captured:
        ids = db.insert_plain_rows(HistoryEntry, fields, rows)
    # One query reserves the ids, one statement inserts the rows.
    assert len(captured.captured_queries) == 2
    assert len(set(ids)) == len(rows)
    assert min(ids) > existing.pk
    stored = {entry.pk: entry for entry in HistoryEntry.objects.filter(pk__in=ids)}
    sample = stored[ids[3]]
    assert (sample.object_id, sample.object_label, sample.changes, sample.created_at) == (
        3,
        "it's “3”",
        {"title": [None, "T3"]},
        when,
    )
    assert sample.actor_id is None
    after = HistoryEntry.objects.create(
        workspace=workspace, object_type="x.y", object_id=2, action="created"
    )
    assert after.pk > max(ids)


@pytest.mark.django_db
def test_insert_plain_rows_of_a_few_rows_is_one_insert(workspace: Workspace) -> None:
    from lodestar.core.models import HistoryEntry

    rows = [(workspace.pk, "x.y", n, "created", {}) for n in range(3)]
    fields = ["workspace_id", "object_type", "object_id", "action", "changes"]
    with CaptureQueriesContext(connection) as captured:
        ids = db.insert_plain_rows(HistoryEntry, fields, rows)
    assert len(captured.captured_queries) == 1
    assert sorted(HistoryEntry.objects.filter(pk__in=ids).values_list("object_id", flat=True)) == [
        0,
        1,
        2,
    ]


@pytest.mark.django_db
def test_insert_plain_rows_of_nothing_runs_nothing(django_assert_num_queries: Any) -> None:
    from lodestar.core.models import HistoryEntry

    with django_assert_num_queries(0):
        assert db.insert_plain_rows(HistoryEntry, ["object_id"], []) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "row", "message"),
    [
        (["workspace"], (1,), "no column 'workspace'"),
        (["id", "object_id"], (1, 2), "primary key"),
        (["object_id", "action"], (1,), r"rows\[0\] must have 2 values"),
    ],
)
def test_insert_plain_rows_names_a_bad_field_or_row(fields: Any, row: Any, message: str) -> None:
    from lodestar.core.models import HistoryEntry

    with pytest.raises(ValueError, match=message):
        db.insert_plain_rows(HistoryEntry, fields, [row])


@pytest.mark.django_db
def test_insert_plain_rows_raises_django_integrity_errors(
    workspace: Workspace, make_item: MakeItem
) -> None:
    """A duplicate key is Django's IntegrityError on both databases (PostgreSQL's COPY too)."""
    from lodestar.backlog.models import Label

    product_id = make_item(workspace).product_id
    fields = ["product_id", "name", "folded", "color"]
    db.insert_plain_rows(Label, fields, [(product_id, "Once", "once", "")])
    with pytest.raises(IntegrityError), transaction.atomic():
        db.insert_plain_rows(Label, fields, [(product_id, "Same", "same", "")] * 30)


def _entry_values(workspace: Workspace, n: int) -> dict[str, Any]:
    return {
        "workspace_id": workspace.pk,
        "actor_id": None,
        "object_type": "x.y",
        "object_id": n,
        "object_label": f"L{n}",
        "action": "created",
        "changes": {"n": n},
        "created_at": dt.datetime(2021, 3, 4, tzinfo=dt.UTC),
    }


@pytest.mark.django_db
def test_unsaved_objects_are_what_the_constructor_makes_and_insert_as_its_do(
    workspace: Workspace, django_assert_num_queries: Any
) -> None:
    from lodestar.core.models import HistoryEntry

    values = [_entry_values(workspace, n) for n in range(db.INSERT_ROWS_MIN + 2)]
    built = [db.unsaved(HistoryEntry, v, cached={"workspace": workspace}) for v in values]
    made = [HistoryEntry(id=None, **v) for v in values]
    assert [obj.__dict__.keys() - {"_state"} for obj in built] == [
        obj.__dict__.keys() - {"_state"} for obj in made
    ]
    assert built[0].pk is None
    assert built[0]._state.adding
    with django_assert_num_queries(0):  # the related object given is kept
        assert built[0].workspace is workspace
    db.insert_rows(HistoryEntry, built)
    stored = HistoryEntry.objects.get(pk=built[3].pk)
    assert (stored.object_label, stored.changes, stored.workspace_id) == (
        "L3",
        {"n": 3},
        workspace.pk,
    )
    assert not built[3]._state.adding


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda v: v.pop("object_label"), r"missing \['object_label'\], unknown \[\]"),
        (lambda v: v.update(label="x"), r"missing \[\], unknown \['label'\]"),
        (lambda v: v.update(id=3), r"unknown \['id'\]"),
        (lambda v: v.update(workspace=None), r"unknown \['workspace'\]"),
    ],
)
@pytest.mark.django_db
def test_unsaved_names_a_missing_or_unknown_field(
    workspace: Workspace, change: Any, message: str
) -> None:
    from lodestar.core.models import HistoryEntry

    values = _entry_values(workspace, 1)
    change(values)
    with pytest.raises(ValueError, match=message):
        db.unsaved(HistoryEntry, values)


def test_collector_paused_turns_the_collector_back_on_only_if_it_was_on() -> None:
    import gc

    assert gc.isenabled()
    with db.collector_paused():
        assert not gc.isenabled()
        with db.collector_paused():  # a job inside one changes nothing
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), db.collector_paused():
        raise RuntimeError("the job fails")
    assert gc.isenabled()
    gc.disable()
    try:
        with db.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.django_db
def test_insert_plain_rows_converts_an_empty_list_or_object_once_and_stores_each(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db.models import JSONField

    from lodestar.core.models import HistoryEntry

    prepared: list[Any] = []
    real = JSONField.get_db_prep_save

    def counted(self: JSONField, value: Any, connection: Any) -> Any:  # type: ignore[type-arg]
        prepared.append(value)
        return real(self, value, connection)

    monkeypatch.setattr(JSONField, "get_db_prep_save", counted)
    values: list[Any] = [{}, [], {"a": 1}, {}, [], {"a": 1}] * 5
    when = dt.datetime(2021, 3, 4, tzinfo=dt.UTC)
    rows = [(workspace.pk, "x.y", n, "", "created", v, when) for n, v in enumerate(values)]
    fields = ["workspace_id", "object_type", "object_id", "object_label", "action"]
    ids = db.insert_plain_rows(HistoryEntry, [*fields, "changes", "created_at"], rows)
    # Each empty kind once; a value with content each time (a dict is not hashable).
    assert prepared.count({}) == 1
    assert prepared.count([]) == 1
    assert prepared.count({"a": 1}) == 10
    stored = dict(HistoryEntry.objects.filter(pk__in=ids).values_list("pk", "changes"))
    assert [stored[pk] for pk in ids] == values
    assert type(stored[ids[0]]) is dict
    assert type(stored[ids[1]]) is list


@pytest.mark.django_db
def test_in_ids_finds_what_in_finds_by_id_and_by_foreign_key(
    workspace: Workspace, make_item: MakeItem
) -> None:
    epic = make_item(workspace, "Epic")
    items = [make_item(workspace, f"Item {n}") for n in range(5)]
    BacklogItem.all_objects.filter(pk__in=[items[0].pk, items[1].pk]).update(parent=epic)
    wanted = {items[0].pk, items[2].pk, items[4].pk, 10**12}

    assert set(BacklogItem.all_objects.filter(pk__in_ids=wanted).values_list("pk", flat=True)) == (
        wanted - {10**12}
    )
    children = BacklogItem.all_objects.filter(parent_id__in_ids={epic.pk})
    assert set(children.values_list("pk", flat=True)) == {items[0].pk, items[1].pk}
    assert set(BacklogItem.all_objects.filter(parent__in_ids=[epic.pk, None])) == set(children)
    assert not BacklogItem.all_objects.filter(pk__in_ids=set()).exists()
    # Excluded, and inside an OR: the same rows as ``__in``.
    either = models.Q(pk__in_ids={items[3].pk}) | models.Q(parent_id__in_ids=[epic.pk])
    assert set(BacklogItem.all_objects.filter(either)) == set(
        BacklogItem.all_objects.filter(models.Q(pk__in=[items[3].pk]) | models.Q(parent=epic))
    )
    assert BacklogItem.all_objects.exclude(pk__in_ids=wanted).count() == 3


@pytest.mark.django_db
def test_in_ids_sends_the_ids_as_one_parameter_and_refuses_a_subquery(
    workspace: Workspace, make_item: MakeItem
) -> None:
    ids = [make_item(workspace, f"Item {n}").pk for n in range(3)]
    with CaptureQueriesContext(connection) as queries:
        assert BacklogItem.all_objects.filter(pk__in_ids=ids).count() == 3
        assert BacklogItem.all_objects.filter(pk__in_ids=ids[:1]).count() == 1
    first, second = (query["sql"] for query in queries.captured_queries)
    if connection.vendor == "postgresql":
        assert "= ANY(" in first
        assert " IN (" not in first
    else:
        assert "json_each(" in first
    # One parameter however many ids: the text is the same but for the ids' values.
    assert first.count("%s") == second.count("%s")
    with pytest.raises(TypeError, match="collection of ids"):
        BacklogItem.all_objects.filter(pk__in_ids=BacklogItem.all_objects.values("pk"))


@pytest.mark.django_db
def test_statements_are_compiled_once_and_run_with_each_calls_ids(
    workspace: Workspace, make_item: MakeItem
) -> None:
    epic = make_item(workspace, "Epic")
    items = [make_item(workspace, f"Item {n}") for n in range(4)]
    BacklogItem.all_objects.filter(pk__in=[items[0].pk, items[1].pk]).update(parent=epic)
    statements = db.Statements(size=2)
    built: list[dict[str, Any]] = []

    def build(slots: dict[str, Any]) -> tuple[Any, str]:
        built.append(slots)
        either = models.Q(pk__in_ids=slots["items"]) | models.Q(parent_id__in_ids=slots["parents"])
        query = BacklogItem.all_objects.filter(either, workspace=workspace).values_list("pk")
        return query.order_by("pk"), "what the rows mean"

    first, meta = statements.rows(
        "one", build, {"items": {items[3].pk, 10**12}, "parents": {epic.pk}}
    )
    again, _ = statements.rows("one", build, {"items": [items[2].pk], "parents": {items[2].pk}})

    assert meta == "what the rows mean"
    assert sorted(first) == [(items[0].pk,), (items[1].pk,), (items[3].pk,)]
    assert list(again) == [(items[2].pk,)]
    assert len(built) == 1
    assert all(isinstance(slot, db.IdsSlot) for slot in built[0].values())
    for key in ("two", "three"):  # the oldest goes past the size
        statements.rows(key, build, {"items": [epic.pk], "parents": [epic.pk]})
    statements.rows("one", build, {"items": [epic.pk], "parents": [epic.pk]})
    assert len(built) == 4
    # Nothing to run: no rows, and what the rows would mean.
    assert statements.rows("none", lambda slots: (None, "empty"), {"items": [1]}) == ([], "empty")


@pytest.mark.django_db
def test_an_ids_slot_is_one_parameter_and_refused_where_in_has_one_per_id(
    workspace: Workspace,
) -> None:
    query = BacklogItem.all_objects.filter(pk__in_ids=db.IdsSlot("items"))
    _, params = query.query.get_compiler("default").as_sql()
    assert isinstance(params[-1], db.IdsSlot)

    class Elsewhere:
        vendor = "mysql"

        def __getattr__(self, name: str) -> Any:
            return getattr(connection, name)

    with pytest.raises(TypeError, match="PostgreSQL and SQLite only"):
        query.query.get_compiler(connection=Elsewhere()).as_sql()  # type: ignore[arg-type]
