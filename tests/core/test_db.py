"""RankField: ordering by rank in the database is Python's string order, on every database."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from lodestar.core.db import RankField
from lodestar.core.ranking import DIGITS, MAX_KEY_LENGTH, key_between, keys_between


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
