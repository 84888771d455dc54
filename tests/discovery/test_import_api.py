"""The import uploads of the API: the CSV file as the body, the report as the answer, and every
refusal as problem+json with nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from lodestar.api.parser import UPLOAD_MAX_BYTES
from lodestar.discovery.models import Customer, Feedback
from tests.conftest import Persona

URL = "/api/v1/workspaces/acme/{kind}/import"
FEEDBACK = "Verbatim,Company,Date\nExports are slow,Globex,2026-01-05\nNo search,Initech,\n"

ClientFor = Callable[[Persona], Client]


def _post(client: Client, kind: str, body: bytes | str, query: str = "", **kwargs: str) -> object:
    content_type = kwargs.pop("content_type", "text/csv")
    return client.post(URL.format(kind=kind) + query, body, content_type=content_type, **kwargs)


def test_a_dry_run_answers_the_report_and_writes_nothing(
    pm: Persona, api_client: ClientFor
) -> None:
    body = FEEDBACK + "Bad,Hooli,31/02/2026\n"
    response = _post(api_client(pm), "feedback", body, "?dry_run=true&map=text:Verbatim")
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    report = response.json()  # type: ignore[attr-defined]
    assert (report["dry_run"], report["ok"], report["created"]) == (True, False, 2)
    assert report["mapping"]["text"] == "Verbatim"
    assert report["errors"] == [
        {"line": 4, "column": "Date", "message": "“31/02/2026” is not a date such as "
         "2026-11-30, 2026-11-30T09:15, 30/11/2026 or 11/30/2026"}
    ]  # fmt: skip
    assert not Feedback.objects.exists()


def test_an_import_answers_its_report_and_a_second_creates_nothing(
    pm: Persona, api_client: ClientFor
) -> None:
    client = api_client(pm)
    first = _post(client, "feedback", FEEDBACK, "?source=support")
    assert first.status_code == 200, first.content  # type: ignore[attr-defined]
    assert first.json()["created"] == 2  # type: ignore[attr-defined]
    assert set(Feedback.objects.values_list("source", flat=True)) == {"support"}
    again = _post(client, "feedback", FEEDBACK)
    assert (again.json()["created"], again.json()["skipped"]) == (0, 2)  # type: ignore[attr-defined]


def test_bad_rows_answer_422_naming_each_line(pm: Persona, api_client: ClientFor) -> None:
    body = "Name,ARR\nGlobex,1000\nInitech,lots\n"
    response = _post(api_client(pm), "customers", body)
    assert response.status_code == 422  # type: ignore[attr-defined]
    problem = response.json()  # type: ignore[attr-defined]
    assert problem["code"] == "import_rows_invalid"
    assert problem["errors"] == [
        {
            "field": "line 3",
            "message": "column “ARR”: must be an amount of money: a number of 0 or more, two "
            "decimals at most",
        }
    ]
    assert not Customer.all_objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"", 422, "is empty"),
        (b"PK\x03\x04\x00\x00", 422, "holds binary data"),
        (b"Company\nGlobex\n", 422, "has no column for"),
    ],
)
def test_a_bad_file_is_refused_as_a_whole(
    pm: Persona, api_client: ClientFor, body: bytes, status: int, says: str
) -> None:
    response = _post(api_client(pm), "feedback", body)
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/problem+json"  # type: ignore[index]
    assert says in response.json()["detail"]  # type: ignore[attr-defined]


def test_json_is_not_a_file(pm: Persona, api_client: ClientFor) -> None:
    response = _post(
        api_client(pm), "feedback", json.dumps({"text": "x"}), content_type="application/json"
    )
    assert response.status_code == 415  # type: ignore[attr-defined]
    assert "Content-Type: text/csv" in response.json()["detail"]  # type: ignore[attr-defined]


def test_a_50_megabyte_upload_is_refused_before_it_is_read(
    pm: Persona, api_client: ClientFor
) -> None:
    client = api_client(pm)

    class Unread:
        """A body that fails the test if anyone reads it."""

        def read(self, *args: object) -> bytes:
            raise AssertionError("the body was read")

        readline = read

    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "text/csv",
        "CONTENT_LENGTH": str(50 * 1024 * 1024),
        "wsgi.input": Unread(),
    }
    response = client.generic("POST", URL.format(kind="feedback"), **environ)  # type: ignore[arg-type]
    assert response.status_code == 413
    assert f"{UPLOAD_MAX_BYTES:,} bytes" in response.json()["detail"]
    too_big = b"text\n" + b"x" * (UPLOAD_MAX_BYTES + 1)
    response = _post(client, "feedback", too_big)  # type: ignore[assignment]
    assert response.status_code == 413
    assert not Feedback.objects.exists()


def test_an_upload_larger_than_a_json_body_with_an_idempotency_key(
    pm: Persona, api_client: ClientFor
) -> None:
    rows = "".join(f"Feedback number {n} about exports\n" for n in range(100_000))
    body = "text\n" + rows
    assert len(body) > 2_621_440  # Django's limit for the JSON bodies
    response = _post(api_client(pm), "feedback", body, "?dry_run=true", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    assert response.json()["created"] == 100_000  # type: ignore[attr-defined]


def test_a_viewer_may_not_import(viewer: Persona, api_client: ClientFor) -> None:
    response = _post(api_client(viewer), "feedback", FEEDBACK, "?dry_run=true")
    assert response.status_code == 403  # type: ignore[attr-defined]


def test_the_document_declares_the_upload(pm: Persona) -> None:
    from lodestar.api.urls import api

    operation = api.get_openapi_schema()["paths"][
        "/api/v1/workspaces/{workspace_slug}/feedback/import"
    ]["post"]
    assert set(operation["requestBody"]["content"]) == {"text/csv", "text/plain"}
    assert f"{UPLOAD_MAX_BYTES:,} bytes" in operation["responses"][413]["description"]
