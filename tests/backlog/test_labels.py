"""Labels match ignoring case in every script, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem, Label, fold_label
from lodestar.backlog.selectors import BacklogFilters, backlog_list
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

ApiClient = Callable[[Persona], Client]
BACKLOG = "/api/v1/workspaces/acme/products/ACME/backlog"


def _create(client: Client, title: str, labels: list[str]) -> Any:
    return client.post(
        BACKLOG, json.dumps({"title": title, "labels": labels}), content_type="application/json"
    )


def test_fold_label_folds_every_script_and_composition() -> None:
    assert fold_label("Équipe") == fold_label("équipe") == fold_label("ÉQUIPE")
    assert fold_label("E\u0301quipe") == fold_label("Équipe")  # decomposed é
    assert fold_label("Straße") == fold_label("STRASSE")
    assert fold_label("  Data   team ") == "data team"


def test_accented_capitals_twice_reuse_one_label(
    api_client: ApiClient, developer: Persona, product: Product
) -> None:
    client = api_client(developer)
    first = _create(client, "First", ["Équipe"])
    assert first.status_code == 201, first.content
    again = _create(client, "Second", ["Équipe"])
    assert again.status_code == 201, again.content  # was a 500 (IntegrityError) on SQLite
    lower = _create(client, "Third", ["équipe", "ÉQUIPE"])
    assert lower.status_code == 201, lower.content
    assert lower.json()["labels"] == ["Équipe"]
    assert list(Label.objects.filter(product=product).values_list("name", flat=True)) == ["Équipe"]


def test_the_label_filter_folds_too(owner: Persona, make_item: MakeItem, product: Product) -> None:
    tagged = make_item("Tagged", labels=["Équipe"])
    make_item("Other", labels=["Data"])
    page = backlog_list(actor=owner.actor, product=product, filters=BacklogFilters(label="ÉQUIPE"))
    assert [item.key for item in page.items] == [tagged.key]


def test_bulk_creation_folds_labels_alike(owner: Persona, product: Product) -> None:
    specs = [
        services.ItemSpec(title="One", labels=("Équipe",)),
        services.ItemSpec(title="Two", labels=("équipe", "Straße")),
        services.ItemSpec(title="Three", labels=("STRASSE",)),
    ]
    services.items_create_many(actor=owner.actor, product=product, specs=specs)
    names = sorted(Label.objects.filter(product=product).values_list("name", flat=True))
    assert names == ["Straße", "Équipe"]


def test_the_migration_merges_labels_that_fold_alike(make_item: MakeItem, product: Product) -> None:
    upper = Label.objects.create(product=product, name="Équipe", folded="pending-1")
    lower = Label.objects.create(product=product, name="équipe", folded="pending-2")
    both = make_item("Both")
    only_lower = make_item("Only lower")
    both.labels.set([upper, lower])
    only_lower.labels.set([lower])
    migration = importlib.import_module("lodestar.backlog.migrations.0004_label_folded")
    migration.fold_names(apps, None)
    assert list(Label.objects.filter(product=product).values_list("pk", "folded")) == [
        (upper.pk, "équipe")
    ]
    for item in (both, only_lower):
        assert list(BacklogItem.objects.get(pk=item.pk).labels.values_list("pk", flat=True)) == [
            upper.pk
        ]
