"""An export's file as an HTTP answer, for the API and the page alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from lodestar.interop.exports.access import export_file
from lodestar.interop.exports.models import ExportRun

CHUNK = 256 * 1024


def _chunks(path: Path) -> Iterator[bytes]:
    # The file opens when the answer is first read, and closes when it is read to its end.
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def download(run: ExportRun, workspace_slug: str) -> StreamingHttpResponse:
    """The zip of a finished export, streamed, as an attachment nobody caches."""
    path = export_file(run)
    response = StreamingHttpResponse(_chunks(path), content_type="application/zip")
    response["Content-Length"] = str(path.stat().st_size)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{workspace_slug}-export-{run.pk}.zip") or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    return response
