"""The exports routes' rows of the permission matrix: owners and admins only (an export holds
all of the workspace); members, product owners and viewers 403, outsiders 404."""

from __future__ import annotations

import tempfile

from django.conf import settings

from lodestar.interop.exports.models import ExportRun
from lodestar.interop.exports.services import export_write
from tests.api.matrix_support import MANAGERS, World, row

W = "/workspaces/{workspace_slug}"

ROWS: dict[str, dict[str, int]] = {
    f"POST {W}/exports": row(202, MANAGERS),
    f"GET {W}/exports": row(200, MANAGERS),
    f"GET {W}/exports/{{run_id}}": row(200, MANAGERS),
    f"GET {W}/exports/{{run_id}}/download": row(200, MANAGERS),
}


def setup(world: World) -> dict[str, str]:
    """A finished export of the workspace, its file written."""
    if not getattr(settings, "EXPORT_DIR", None):
        settings.EXPORT_DIR = tempfile.mkdtemp(prefix="lodestar-exports-")
    run = ExportRun.objects.create(workspace=world.workspace, requested_by=world.owner.user)
    export_write(run_id=run.pk)
    return {"run_id": str(run.pk)}
