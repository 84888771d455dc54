"""The strategy routes' rows of the permission matrix (see ``tests/api/matrix_support.py``)."""

from __future__ import annotations

from lodestar.strategy import services
from lodestar.strategy.models import ProductOwnerHat
from tests.api.matrix_support import ADMIN, MANAGERS, OWNER, PO, World, read, row

W = "/workspaces/{workspace_slug}"
PRODUCT = W + "/products/{product_key}"
# The product's product owner may change its goal, vision and readiness rules.
PRODUCT_OWNERS = {OWNER, ADMIN, PO}

ROWS: dict[str, dict[str, int]] = {
    f"GET {W}/products": read(),
    f"POST {W}/products": row(201, MANAGERS),
    f"GET {PRODUCT}": read(),
    f"PATCH {PRODUCT}": row(200, PRODUCT_OWNERS),
    f"GET {PRODUCT}/goals": read(),
    f"POST {PRODUCT}/goals": row(201, PRODUCT_OWNERS),
    f"PATCH {PRODUCT}/goals/{{goal_id}}": row(200, PRODUCT_OWNERS),
    f"PUT {W}/teams/{{team_slug}}/product": row(200, MANAGERS),
    f"GET {PRODUCT}/product-owner": read(),
    # Wearing the hat does not let its holder hand it on: owners and admins move it.
    f"PUT {PRODUCT}/product-owner": row(200, MANAGERS),
    # The same hat read and moved through the team (deprecated): the team's product's.
    f"GET {W}/teams/{{team_slug}}/roles/product-owner": read(),
    f"PUT {W}/teams/{{team_slug}}/roles/product-owner": row(200, MANAGERS),
}

BODIES: dict[str, object] = {
    f"POST {W}/products": {"key": "BOOKS", "name": "Books"},
    f"PATCH {PRODUCT}": {"vision": "Every team answers its own questions."},
    f"POST {PRODUCT}/goals": {"statement": "Cut time to first dashboard to a day"},
    f"PATCH {PRODUCT}/goals/{{goal_id}}": {"statement": "Self-serve dashboards for every SMB"},
    f"PUT {W}/teams/{{team_slug}}/product": {"product": "SHOP"},
    f"PUT {PRODUCT}/product-owner": {"member": "pm@acme.test"},
    f"PUT {W}/teams/{{team_slug}}/roles/product-owner": {"member": "pm@acme.test"},
}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = services.product_create(actor=actor, key="ACME", name="Acme Analytics")
    services.product_create(actor=actor, key="SHOP", name="Shop")
    services.team_product_set(actor=actor, team=world.team, product=product)
    # ``po`` is the product owner of ACME, shared by every team on it.
    ProductOwnerHat.objects.create(product=product, member=world.po.membership)
    goal = services.goal_set(actor=actor, product=product, statement="Self-serve dashboards")
    return {"product_key": product.key, "goal_id": str(goal.pk), "team_slug": world.team.slug}
