"""Every write of the backlog context: one transaction each, policy enforced, history recorded.

One module per aggregate: ``items`` (create, update, trash), ``ordering`` (ranks and moves),
``breakdown`` (split, convert, duplicate), ``bulk`` (many items at once).
"""

from __future__ import annotations

from lodestar.backlog.services._common import UNSET
from lodestar.backlog.services.breakdown import (
    ChildSpec,
    item_convert,
    item_duplicate,
    item_split,
)
from lodestar.backlog.services.bulk import (
    BULK_UPDATE_MAX,
    BulkChange,
    ItemSpec,
    items_create_many,
    items_mark,
    items_update_many,
)
from lodestar.backlog.services.items import (
    item_create,
    item_delete,
    item_restore,
    item_update,
)
from lodestar.backlog.services.ordering import item_move, rebalance

__all__ = [
    "BULK_UPDATE_MAX",
    "UNSET",
    "BulkChange",
    "ChildSpec",
    "ItemSpec",
    "item_convert",
    "item_create",
    "item_delete",
    "item_duplicate",
    "item_move",
    "item_restore",
    "item_split",
    "item_update",
    "items_create_many",
    "items_mark",
    "items_update_many",
    "rebalance",
]
