"""The interop context's models, each part's in its own module."""

from lodestar.interop.exports.models import ExportRun, ExportState

__all__ = ["ExportRun", "ExportState"]
