"""The trash and search routes' rows of the permission matrix (see
``tests/api/matrix_support.py``)."""

from __future__ import annotations

from lodestar.backlog.models import BacklogItem
from lodestar.core.trash import trash_move
from lodestar.strategy.models import Product
from tests.api.matrix_support import WRITERS, World, read, row

W = "/workspaces/{workspace_slug}"

ROWS: dict[str, dict[str, int]] = {
    f"GET {W}/trash": read(),
    f"POST {W}/trash/{{object_type}}/{{object_id}}/restore": row(200, WRITERS),
    f"GET {W}/search": read(),
}
QUERIES = {f"GET {W}/search": "q=mistake"}


def setup(world: World) -> dict[str, str]:
    product = Product.objects.create(workspace=world.workspace, key="ACME", name="Acme")
    item = BacklogItem.objects.create(
        workspace=world.workspace,
        product=product,
        number=1,
        key="ACME-1",
        title="Deleted by mistake",
        rank="a0",
    )
    trash_move(actor=world.owner.actor, obj=item)
    return {"object_type": "item", "object_id": str(item.pk)}
