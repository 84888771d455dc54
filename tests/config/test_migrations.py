"""The models and their migrations agree: a model change committed without its migration
would leave every existing database behind the code."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # --check exits 1 when a migration is missing
        pytest.fail(f"A model change has no migration (run makemigrations):\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
