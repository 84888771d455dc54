"""Which tables an export holds: every model is of the workspace, global or excluded."""

from __future__ import annotations

import pytest
from django.apps import apps

from lodestar.interop.exports.format import EXCLUDED, SOFT_REFERENCES, UndeclaredModel, plan


def test_every_installed_model_is_exported_global_or_excluded() -> None:
    tables = {table.label for table in plan()}
    labels = {m._meta.label_lower for m in apps.get_models(include_auto_created=True)}
    assert labels - tables == set(EXCLUDED) & labels | {"people.user"}
    assert {"backlog.backlogitem", "core.historyentry", "comments.comment"} <= tables


def test_a_model_that_reaches_no_workspace_and_is_not_declared_stops_the_export() -> None:
    cursor = apps.get_model("core", "OutboxCursor")  # no foreign key at all
    excluded = {k: v for k, v in EXCLUDED.items() if k != "core.outboxcursor"}
    with pytest.raises(UndeclaredModel, match=r"core\.outboxcursor reaches no workspace"):
        plan([*apps.get_models(), cursor], excluded=excluded)


def test_an_undeclared_id_column_stops_the_export(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(SOFT_REFERENCES, "comments.comment")
    with pytest.raises(UndeclaredModel, match=r"comments\.comment\.target_id looks like an id"):
        plan()


def test_tables_come_after_the_tables_they_refer_to() -> None:
    order = [table.label for table in plan()]
    assert order[0] == "people.workspace"
    assert order.index("strategy.product") < order.index("backlog.backlogitem")
    assert order.index("backlog.backlogitem") < order.index("sprints.sprintitem")
