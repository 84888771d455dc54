"""Background work of the backlog: keeping rank keys short."""

from __future__ import annotations

from django_tasks import task

from lodestar.backlog.models import BacklogItem


@task()
def rebalance_backlog(product_id: int, around: str) -> int:
    """Give the items around the rank key ``around`` short keys again (order unchanged).

    Scheduled by a move or insert that made a long key. When that key is gone (an earlier
    rebalance or a later move cleared the spot) there is nothing left to do.
    """
    from lodestar.backlog.services.ordering import rebalance

    if not BacklogItem.objects.filter(product_id=product_id, rank=around).exists():
        return 0
    return rebalance(product_id=product_id, around=around)
