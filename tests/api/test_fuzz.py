"""The HTTP API fuzzed from its own OpenAPI document (schemathesis): every operation, a bounded
number of generated requests, valid and invalid, and for each answer three checks: no server
error, the status code is one the operation declares, and the body matches the declared schema.

Requests go in process through the WSGI application, as the owner of the demo workspace with a
real API token. Path parameters are drawn from the demo's real keys, slugs, emails and ids as
often as from generated text, so operations reach their objects and not only their 404s. Each
request runs in a savepoint rolled back after it, so every request starts from the same demo.
Generation is derandomized: the same code makes the same requests on every run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lodestar.api.urls import api
from lodestar.backlog import services as backlog_services
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization.models import ScoreFramework
from lodestar.config.wsgi import application
from lodestar.core.registry import registry
from lodestar.discovery.models import Contact, Customer, Feedback, Insight, Problem
from lodestar.people import services as people_services
from lodestar.people.demo import DEMO_WORKSPACE_SLUG, DemoPeople
from lodestar.people.models import ApiToken, Invitation, Membership, Role, Team
from lodestar.people.policy import Actor
from lodestar.people.tokens import API_TOKEN_PREFIX, hash_secret, new_secret
from lodestar.releases.models import ProductCheck, Release
from lodestar.strategy.models import Product, ProductGoal

# Generated requests per operation (each also gets its schema's examples). The default keeps
# the whole module well under a minute on two cores; raise it for a deeper run, and set
# LODESTAR_FUZZ_COVERAGE=1 to add schemathesis' coverage phase (every boundary value of every
# declared limit, a few thousand requests more).
MAX_EXAMPLES = int(os.environ.get("LODESTAR_FUZZ_EXAMPLES", "6"))
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260701,
        "phases": {"coverage": {"enabled": os.environ.get("LODESTAR_FUZZ_COVERAGE") == "1"}},
    }
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = application

# Real values for path parameters, by name, filled in by the ``token`` fixture.
KNOWN: dict[str, list[Any]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Each path parameter: one of the demo's real values, or the generated one."""
    if not path_parameters:  # an operation without any (``/me/invitations``)
        return st.just(path_parameters)
    choices = {
        name: st.sampled_from([*KNOWN.get(name, []), value]) if name in KNOWN else st.just(value)
        for name, value in path_parameters.items()
    }
    return st.fixed_dictionaries(choices)


def _seed() -> str:
    """The demo workspace, a trashed item, a pending invitation and the owner's API token."""
    world: dict[str, object] = {}
    for name, context_demo in registry().demos():
        world[name] = context_demo.seed(world)
    people = world["people"]
    assert isinstance(people, DemoPeople)
    workspace = people.workspace
    owner_seat = Membership.objects.get(workspace=workspace, role=Role.OWNER)
    owner = Actor(user=owner_seat.user, membership=owner_seat)
    trashed = BacklogItem.objects.filter(product__workspace=workspace).order_by("id").last()
    assert trashed is not None
    backlog_services.item_delete(actor=owner, item=trashed)
    people_services.invitation_create(actor=owner, email="new.hire@acme.example", role=Role.MEMBER)
    secret = new_secret(API_TOKEN_PREFIX)
    ApiToken.objects.create(
        workspace=workspace,
        user=owner.user,
        name="fuzz",
        prefix=secret[:8],
        token_hash=hash_secret(secret),
    )
    items = BacklogItem.all_objects.filter(product__workspace=workspace).order_by("id")
    KNOWN.update(
        workspace_slug=[DEMO_WORKSPACE_SLUG],
        product_key=list(Product.objects.filter(workspace=workspace).values_list("key", flat=True)),
        item_key=list(items.values_list("key", flat=True)[:12]),
        goal_id=list(
            ProductGoal.objects.filter(product__workspace=workspace).values_list("id", flat=True)
        ),
        team_slug=list(Team.objects.filter(workspace=workspace).values_list("slug", flat=True)),
        email=list(
            Membership.objects.filter(workspace=workspace).values_list("user__email", flat=True)
        ),
        role=["developer", "scrum_master", "stakeholder", "product_owner"],
        framework=list(ScoreFramework.values),
        token_id=list(ApiToken.objects.filter(workspace=workspace).values_list("id", flat=True)),
        invitation_id=list(
            Invitation.objects.filter(workspace=workspace).values_list("id", flat=True)
        ),
        release_id=list(Release.objects.filter(workspace=workspace).values_list("id", flat=True)),
        check_id=list(
            ProductCheck.objects.filter(workspace=workspace).values_list("id", flat=True)
        ),
        object_type=["item"],
        object_id=[trashed.pk],
        **{
            f"{model._meta.model_name}_id": list(
                model._base_manager.filter(workspace=workspace).values_list("id", flat=True)[:8]
            )
            for model in (Customer, Contact, Feedback, Insight, Problem)
        },
    )
    return secret


@pytest.fixture(scope="module")
def token(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The demo, seeded once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _seed()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            KNOWN.clear()


@pytest.fixture
def in_process(db: None) -> Iterator[None]:
    """Requests share the test's connection and transaction, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,  # nothing written into the repository
    deadline=None,
    # The fixtures hold the demo for every example on purpose; requests are not fast enough
    # for hypothesis' default expectations on a busy machine.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api(case: Case, token: str, in_process: None) -> None:
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)
