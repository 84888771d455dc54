"""Data migrations of the backlog, run as functions on today's models."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from lodestar.backlog.models import BacklogItem
from tests.backlog.conftest import MakeItem

pytestmark = pytest.mark.django_db


def test_0003_renders_the_markdown_of_every_item(make_item: MakeItem) -> None:
    migration = importlib.import_module("lodestar.backlog.migrations.0003_stored_rendered_markdown")
    items = [
        make_item(
            f"Item {n}",
            description=f"**bold {n}** <script>x</script>",
            acceptance_criteria=[f"`code {n}`", "plain"],
        )
        for n in range(3)
    ]
    BacklogItem.all_objects.update(description_html="", acceptance_criteria_html=[])

    migration.render_existing(apps, SimpleNamespace(connection=connection))

    stored = list(
        BacklogItem.all_objects.order_by("pk").values_list(
            "description_html", "acceptance_criteria_html"
        )
    )
    assert stored == [
        (
            f"<p><strong>bold {n}</strong> </p>\n",
            [f"<p><code>code {n}</code></p>\n", "<p>plain</p>\n"],
        )
        for n in range(len(items))
    ]
