"""How a production server stores and serves Lodestar's static files.

``lodestar web`` (and so ``lodestar serve``) collects them into ``<data dir>/static`` before
it starts: each file under a name holding a hash of its content (``app.3f9c2b1d7e4a.css``),
next to a gzip copy. Pages link those names, so WhiteNoise answers them with
``Cache-Control: public, max-age=315360000, immutable`` (a browser never asks for a file again
until an upgrade changes it, and then the name changes too) and gzip when the browser takes it.
Development and the tests serve the files as they are, straight from the source tree.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns: Any) -> tuple[Any, ...]:
    """Django's rewriting patterns minus ``sourceMappingURL`` comments: the vendored bundles
    name source maps that are not shipped, and a missing file would stop the collection."""
    kept = []
    for glob, rules in patterns:
        rules = tuple(
            rule
            for rule in rules
            if "sourceMappingURL" not in (rule[0] if isinstance(rule, tuple) else rule)
        )
        kept.append((glob, rules))
    return tuple(kept)


class StaticStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """Content-hashed names and gzip copies (no source-map references followed)."""

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)

    def stored_name(self, name: str) -> str:
        """The hashed name of ``name``; its own name when the files were not collected (a
        server started some other way than ``lodestar web``), which WhiteNoise then serves
        from the source tree as development does, with a short cache time."""
        try:
            return str(super().stored_name(name))
        except ValueError:
            return name


# True when the settings use this storage (a production process); the CLI collects then.
def hashed(storages: dict[str, Any]) -> bool:
    backend = storages.get("staticfiles", {}).get("BACKEND", "")
    return bool(backend == f"{__name__}.StaticStorage")
