"""The imports API: a form with the file -> 202 and the run; its status and report."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from lodestar.backlog.models import BacklogItem
from lodestar.interop.imports import readers
from lodestar.interop.imports.models import ExternalRef, ImportRun
from lodestar.people.models import Team
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.interop.imports.tiny_reader import PATH

URL = "/api/v1/workspaces/acme/imports"
CSV = (
    b"key,title,kind,status,parent\n"
    b"PAY-2,Pay by card,story,In Progress:in_progress,PAY-1\n"
    b"PAY-1,Payments,epic,To Do:todo,\n"
)


@pytest.fixture(autouse=True)
def tiny_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(readers.READERS, "jira", PATH)


class _File:
    def __init__(self, data: bytes, name: str = "export.csv") -> None:
        self.data, self.name = data, name

    def read(self) -> bytes:
        return self.data


def _post(client: Client, data: bytes = CSV, **fields: object) -> object:
    form = {"source": "jira", "product": "ACME", "file": _File(data), **fields}
    return client.post(URL, form)


def test_an_import_answers_202_with_its_run_and_location(
    api_client: Callable[[Persona], Client], owner: Persona, product: Product
) -> None:
    client = api_client(owner)

    response = _post(client)

    assert response.status_code == 202, response.content
    run = response.json()
    assert response["Location"] == f"{URL}/{run['id']}"
    assert run["source"] == "jira"
    assert run["product"] == "ACME"
    assert run["file_name"] == "export.csv"
    status = client.get(response["Location"]).json()
    assert status["state"] == "done"
    assert (status["progress_done"], status["progress_total"]) == (2, 2)
    report = client.get(response["Location"] + "/report").json()
    assert report["ok"] is True
    assert report["created"] == {"item": 2}
    assert BacklogItem.objects.filter(product=product).count() == 2
    # The bytes are kept only until the job has read them.
    assert bytes(ImportRun.objects.get().data) == b""
    listed = client.get(URL).json()
    assert [r["id"] for r in listed["items"]] == [run["id"]]


def test_a_dry_run_reports_and_writes_nothing(
    api_client: Callable[[Persona], Client], owner: Persona, product: Product
) -> None:
    client = api_client(owner)

    response = _post(client, dry_run="true", date_format="dd/MMM/yy")

    report = client.get(response["Location"] + "/report").json()
    assert report["dry_run"] is True
    assert report["created"] == {"item": 2}
    assert "read by the tiny reader (dd/MMM/yy)" in report["notes"]
    assert not BacklogItem.objects.exists()


def test_an_unknown_status_fails_the_run_naming_it(
    api_client: Callable[[Persona], Client], owner: Persona, product: Product
) -> None:
    client = api_client(owner)
    data = b"key,title,kind,status,parent\nPAY-1,Refunds,story,In Review,\n"

    response = _post(client, data)

    run = client.get(response["Location"]).json()
    assert run["state"] == "failed"
    report = client.get(response["Location"] + "/report").json()
    assert report["statuses"] == [{"raw": "In Review", "count": 1}]
    assert report["problems"][0]["where"] == "line 2"
    assert not BacklogItem.objects.exists()

    mapped = _post(client, data, status_map=["In Review=in_progress"])
    assert client.get(mapped["Location"]).json()["state"] == "done"
    assert BacklogItem.objects.get().status == "in_progress"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"title,status\nRefunds,Done\n", "The file has no column 'key'"),
        (b'{"items": [{"key": "PAY-1", "title": "Ref', "The file is not complete JSON"),
    ],
)
def test_a_file_the_reader_cannot_read_fails_the_run_with_its_message(
    api_client: Callable[[Persona], Client],
    owner: Persona,
    product: Product,
    data: bytes,
    message: str,
) -> None:
    client = api_client(owner)

    response = _post(client, data)

    assert client.get(response["Location"]).json()["state"] == "failed"
    report = client.get(response["Location"] + "/report").json()
    assert report["errors"][0].startswith(message)
    assert not BacklogItem.objects.exists()
    assert not ExternalRef.objects.exists()


def test_a_200_mb_file_is_refused_before_it_is_read(
    api_client: Callable[[Persona], Client], owner: Persona, product: Product
) -> None:
    client = api_client(owner)
    body = encode_multipart(BOUNDARY, {"source": "jira", "product": "ACME", "file": _File(CSV)})

    response = client.generic(
        "POST", URL, body, content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(200 * 1024 * 1024)
    )

    assert response.status_code == 413
    assert "larger than this server imports" in response.json()["detail"]
    assert not ImportRun.objects.exists()


def test_a_file_over_the_setting_is_refused_by_the_service(
    api_client: Callable[[Persona], Client],
    owner: Persona,
    product: Product,
    settings: object,
) -> None:
    settings.IMPORT_MAX_BYTES = 40  # type: ignore[attr-defined]
    client = api_client(owner)

    response = _post(client)

    assert response.status_code in (413, 422)
    assert "an import takes files up to 40 bytes" in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"source": "asana"}, "source", "Input should be"),
        ({"product": "NOPE"}, "product", ""),
        ({"team": "nobody"}, "team", "there is no team 'nobody'"),
        ({"status_map": ["In Review"]}, "status_map", "is not a mapping"),
    ],
)
def test_bad_options_are_refused_naming_the_field(
    api_client: Callable[[Persona], Client],
    owner: Persona,
    product: Product,
    fields: dict[str, object],
    field: str,
    message: str,
) -> None:
    response = _post(api_client(owner), **fields)

    assert response.status_code == 422, response.content
    assert field in response.content.decode()
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_form_without_a_file_is_refused(
    api_client: Callable[[Persona], Client], owner: Persona, product: Product
) -> None:
    response = api_client(owner).post(URL, {"source": "jira", "product": "ACME"})

    assert response.status_code == 422
    assert "file" in response.content.decode()


def test_json_is_not_an_import(
    api_client: Callable[[Persona], Client], owner: Persona, product: Product
) -> None:
    response = api_client(owner).post(URL, {"source": "jira"}, content_type="application/json")

    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["detail"]


def test_sprints_come_with_the_team(
    api_client: Callable[[Persona], Client], owner: Persona, product: Product, team: Team
) -> None:
    response = _post(api_client(owner), team=team.slug)

    assert response.status_code == 202, response.content
    assert response.json()["team"] == team.slug


def test_another_workspaces_import_is_not_found(
    api_client: Callable[[Persona], Client], owner: Persona, outsider: Persona, product: Product
) -> None:
    response = _post(api_client(owner))

    assert api_client(outsider).get(response["Location"]).status_code == 404
    assert api_client(owner).get(f"{URL}/999999").status_code == 404
