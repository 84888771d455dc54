"""The interop context's tables, one import line per part."""

from lodestar.interop.imports.models import ExternalRef, ImportRun, ImportState  # noqa: F401
