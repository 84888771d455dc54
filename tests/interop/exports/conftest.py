"""Workspaces to export: the demo's (every context's data) and a small one."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from lodestar.core.registry import registry
from lodestar.interop.exports.writer import write_export
from lodestar.people.models import Workspace
from tests.conftest import Persona


@pytest.fixture
def demo_workspace(db: None) -> Workspace:
    """The demo workspace "Acme Analytics", as ``lodestar demo`` loads it."""
    world: dict[str, Any] = {}
    for name, context_demo in registry().demos():
        world[name] = context_demo.seed(world)
    return Workspace.objects.get(slug="acme")


@pytest.fixture
def small_workspace(owner: Persona, admin: Persona) -> Workspace:
    """A workspace with two members and nothing else."""
    return owner.membership.workspace


def export_bytes(workspace: Workspace) -> bytes:
    out = io.BytesIO()
    write_export(workspace, out)
    return out.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(autouse=True)
def export_dir(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Export files go to a folder of the test's own."""
    folder = tmp_path_factory.mktemp("exports")
    settings.EXPORT_DIR = str(folder)
    return folder
