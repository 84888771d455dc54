"""The exports API and page: an export made in the background, its progress, its file."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lodestar.interop.exports import services
from lodestar.interop.exports.models import ExportRun, ExportState
from lodestar.people.models import Workspace
from tests.conftest import PASSWORD, Persona

API = "/api/v1/workspaces/acme/exports"


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_an_owner_exports_in_the_background_and_downloads_the_zip(
    owner: Persona,
    api_client: Callable[[Persona], Client],
    django_capture_on_commit_callbacks: Any,
    export_dir: Path,
) -> None:
    client = api_client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(API)
    assert created.status_code == 202
    assert created.json()["state"] == "queued"
    run_id = created.json()["id"]
    status = client.get(f"{API}/{run_id}").json()
    assert status["state"] == "done"
    assert status["percent"] == 100
    assert status["rows_done"] == status["rows_total"] > 0
    assert status["requested_by"] == owner.email
    assert status["download_url"] == f"{API}/{run_id}/download"
    listed = client.get(API).json()
    assert [run["id"] for run in listed["items"]] == [run_id]
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(_body(download))) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["workspace"]["slug"] == "acme"
    assert [p.suffix for p in export_dir.iterdir()] == [".zip"]


def test_a_member_may_not_export(
    developer: Persona, api_client: Callable[[Persona], Client]
) -> None:
    response = api_client(developer).post(API)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden_export_workspace"
    assert not ExportRun.objects.exists()


def test_another_workspaces_export_is_not_found(
    owner: Persona, outsider: Persona, api_client: Callable[[Persona], Client]
) -> None:
    theirs = ExportRun.objects.create(workspace=outsider.membership.workspace)
    assert api_client(owner).get(f"{API}/{theirs.pk}").status_code == 404
    assert api_client(owner).get(f"{API}/{theirs.pk}/download").status_code == 404


def test_a_file_is_downloadable_only_when_done_and_until_it_expires(
    owner: Persona, api_client: Callable[[Persona], Client], export_dir: Path
) -> None:
    client = api_client(owner)
    run = ExportRun.objects.create(workspace=owner.membership.workspace)
    queued = client.get(f"{API}/{run.pk}/download")
    assert queued.status_code == 409
    assert queued.json()["code"] == "export_not_ready"
    services.export_write(run_id=run.pk)
    run.refresh_from_db()
    assert run.expires_at is not None
    assert client.get(f"{API}/{run.pk}/download").status_code == 200
    assert services.exports_purge(now=run.expires_at - dt.timedelta(seconds=1)) == 0
    assert services.exports_purge(now=run.expires_at) == 1
    assert list(export_dir.iterdir()) == []
    gone = client.get(f"{API}/{run.pk}/download")
    assert gone.status_code == 409
    assert "deleted after its retention" in gone.json()["detail"]
    assert client.get(f"{API}/{run.pk}").json()["download_url"] is None


def test_a_failed_export_says_why_and_leaves_no_file(
    owner: Persona, monkeypatch: pytest.MonkeyPatch, export_dir: Path
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(services, "write_export", broken)
    run = ExportRun.objects.create(workspace=owner.membership.workspace)
    services.export_write(run_id=run.pk)
    run.refresh_from_db()
    assert run.state == ExportState.FAILED
    assert "No space left on device" in run.error
    assert list(export_dir.iterdir()) == []
    # A run is written once: the task running again does nothing.
    assert services.export_write(run_id=run.pk) is None


def test_the_page_exports_now_and_links_the_file(
    owner: Persona, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.login(email=owner.email, password=PASSWORD)
    page = client.get(reverse("interop:export_list", args=["acme"]))
    assert page.status_code == 200
    assert b"No exports yet" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("interop:export_create", args=["acme"]))
    assert started.status_code == 302
    run = ExportRun.objects.get()
    started = client.get(started["Location"])
    assert b"Export started" in started.content
    link = reverse("interop:export_download", args=["acme", run.pk])
    assert link.encode() in started.content
    download = client.get(link)
    assert download.status_code == 200
    assert _body(download)[:2] == b"PK"


def test_a_running_export_is_polled_for_its_progress(owner: Persona) -> None:
    ExportRun.objects.create(
        workspace=owner.membership.workspace,
        state=ExportState.RUNNING,
        rows_done=250,
        rows_total=1000,
        started_at=timezone.now(),
    )
    client = Client()
    client.login(email=owner.email, password=PASSWORD)
    page = client.get(reverse("interop:export_list", args=["acme"]), HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 2s"' in page.content
    assert b'value="25"' in page.content
    assert b"250 of 1000 rows" in page.content


def test_viewers_do_not_see_the_page(viewer: Persona, workspace: Workspace) -> None:
    client = Client()
    client.login(email=viewer.email, password=PASSWORD)
    assert client.get(reverse("interop:export_list", args=["acme"])).status_code == 403
    assert client.post(reverse("interop:export_create", args=["acme"])).status_code == 403
    assert not ExportRun.objects.exists()
