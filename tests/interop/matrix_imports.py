"""The imports routes' rows of the permission matrix: workspace administration, so owners and
admins only (members, product owners and viewers 403; outsiders 404)."""

from __future__ import annotations

from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from lodestar.interop.imports.models import ImportRun
from lodestar.strategy import services as strategy
from tests.api.matrix_support import MANAGERS, World, row

W = "/workspaces/{workspace_slug}"


class _File:
    """A file for ``encode_multipart`` (it reads ``name`` and the bytes)."""

    name = "export.csv"

    def read(self) -> bytes:
        return b"Summary,Issue key\nPay by card,PAY-1\n"


ROWS: dict[str, dict[str, int]] = {
    f"POST {W}/imports": row(202, MANAGERS),
    f"GET {W}/imports": row(200, MANAGERS),
    f"GET {W}/imports/{{import_id}}": row(200, MANAGERS),
    f"GET {W}/imports/{{import_id}}/report": row(200, MANAGERS),
}

BODIES: dict[str, object] = {
    f"POST {W}/imports": encode_multipart(
        BOUNDARY, {"source": "jira", "product": "ACME", "dry_run": "true", "file": _File()}
    ),
}
CONTENT_TYPES = {f"POST {W}/imports": MULTIPART_CONTENT}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = strategy.product_create(actor=actor, key="ACME", name="Acme Analytics")
    run = ImportRun.objects.create(
        workspace=world.workspace,
        product=product,
        source="jira",
        file_name="export.csv",
        created_by=world.owner.user,
        report={"source": "jira", "ok": True},
    )
    return {"import_id": str(run.pk)}
