"""The readers, by the format the CLI, the API and the page name (``jira`` takes Jira's CSV
and its XML, told apart by their first bytes).

Each reader lives in its own module and is imported only when a file of its kind is read, so
the process that serves pages never loads a parser it does not need."""

from __future__ import annotations

import importlib

from lodestar.core.errors import Invalid
from lodestar.interop.errors import InteropErrorCode
from lodestar.interop.imports.bundle import SOURCES, Reader

# source -> "module:function" of its reader.
READERS: dict[str, str] = {
    "jira": "lodestar.interop.imports.readers.jira:read_jira",
    "taiga": "lodestar.interop.imports.readers.taiga:read_taiga",
    "trello": "lodestar.interop.imports.readers.trello:read_trello",
    "github": "lodestar.interop.imports.readers.github:read_github",
    "linear": "lodestar.interop.imports.readers.linear:read_linear",
}


def reader_for(source: str) -> Reader:
    """The reader of ``source``, or ``Invalid`` naming the sources there are."""
    path = READERS.get(source)
    if path is None:
        raise Invalid(
            f"There is no importer for {source!r}: choose one of {', '.join(SOURCES)}.",
            code=InteropErrorCode.IMPORT_SOURCE_UNKNOWN,
        )
    module, _, name = path.partition(":")
    reader: Reader = getattr(importlib.import_module(module), name)
    return reader
