"""The files ``bench/import_readers.py`` generates read whole with every reader, so the
benchmark measures reads that succeed (it is never run here; its figures live in
docs/PERFORMANCE.md)."""

from __future__ import annotations

import pytest

from bench import import_readers
from lodestar.interop.imports.bundle import ReadOptions
from lodestar.interop.imports.readers import reader_for


@pytest.mark.parametrize("name", sorted(import_readers.SOURCES))
def test_a_generated_export_reads_without_a_bad_record(name: str) -> None:
    source, generate = import_readers.SOURCES[name]

    bundle = reader_for(source)(generate(200), ReadOptions())

    assert bundle.unreadable == []
    assert len([item for item in bundle.items if item.kind != "epic" or source != "linear"]) == 200
    assert bundle.people
