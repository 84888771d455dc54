"""The import page: a check that writes nothing and lists bad rows, the columns found and
changed, the import, and its refusals (a file too large, none, a viewer) with nothing written."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lodestar.discovery.imports import IMPORT_MAX_BYTES
from lodestar.discovery.models import Customer, Feedback
from tests.conftest import Persona

URL = "/w/acme/import"
FEEDBACK = b"Verbatim,Company\nExports are slow,Globex\n<script>alert(1)</script>,Initech\n"


def _client(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def _post(client: Client, content: bytes, **fields: str) -> object:
    data: dict[str, object] = {
        "kind": "feedback",
        "create_customers": "on",
        "action": "check",
        "file": SimpleUploadedFile("notes.csv", content, content_type="text/csv"),
        **fields,
    }
    return client.post(URL, data, headers={"HX-Request": "true"})


def test_the_page_offers_both_kinds(pm: Persona) -> None:
    page = _client(pm).get(URL).content.decode()
    assert 'name="kind" value="feedback" checked' in page
    assert 'name="kind" value="customers"' in page
    assert 'type="file"' in page


def test_a_check_shows_the_columns_and_writes_nothing(pm: Persona) -> None:
    response = _post(_client(pm), FEEDBACK)
    assert response.status_code == 200  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "2 rows checked in notes.csv: an import would add 2 pieces of feedback" in html
    assert '<option value="Verbatim" selected>Verbatim</option>' in html
    assert 'id="import-now"' in html
    assert not Feedback.objects.exists()
    assert not Customer.objects.exists()


def test_the_import_writes_and_html_stays_text(pm: Persona) -> None:
    client = _client(pm)
    check = _post(client, FEEDBACK).content.decode()  # type: ignore[attr-defined]
    signature = check.split('name="columns_of" value="')[1].split('"')[0]
    response = _post(client, FEEDBACK, action="import", columns_of=signature)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "Imported notes.csv: added 2 pieces of feedback" in response.content.decode()  # type: ignore[attr-defined]
    assert Feedback.objects.count() == 2
    assert Feedback.objects.filter(text="<script>alert(1)</script>").exists()


def test_changed_columns_apply_to_the_same_file_only(pm: Persona) -> None:
    client = _client(pm)
    check = _post(client, FEEDBACK).content.decode()  # type: ignore[attr-defined]
    signature = check.split('name="columns_of" value="')[1].split('"')[0]
    response = _post(
        client, FEEDBACK, action="import", columns_of=signature, **{"map-customer": ""}
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert not Customer.objects.exists()
    other = b"Verbatim,Account\nHello,Globex\n"
    _post(client, other, action="import", columns_of=signature, **{"map-text": ""})
    assert Feedback.objects.filter(text="Hello").exists()  # the old choice was not applied


def test_bad_rows_are_listed_by_line_and_column_escaped(pm: Persona) -> None:
    content = b'text,date\nFine,2026-01-01\n"<b>bad</b>",<i>x</i>\n'
    response = _post(_client(pm), content, action="import")
    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "<td>3</td><td>date</td>" in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html
    assert "<i>x</i>" not in html
    assert 'id="import-now"' not in html
    assert not Feedback.objects.exists()


def test_a_missing_column_offers_the_columns_to_map(pm: Persona) -> None:
    response = _post(_client(pm), b"Verbatim\nHello\n", kind="customers")
    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "has no column for “name”" in html
    assert 'name="map-name"' in html
    assert '<option value="Verbatim">Verbatim</option>' in html


def test_no_file_and_a_binary_file_are_refused(pm: Persona) -> None:
    client = _client(pm)
    response = client.post(URL, {"kind": "feedback"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Choose a CSV file to import." in response.content.decode()
    response = _post(client, b"\x00\x01\x02binary")  # type: ignore[assignment]
    assert response.status_code == 422
    assert "holds binary data" in response.content.decode()


def test_a_file_over_the_limit_is_refused_unread(pm: Persona) -> None:
    client = _client(pm)

    class Unread:
        def read(self, *args: object) -> bytes:
            raise AssertionError("the body was read")

        readline = read

    response = client.generic(
        "POST",
        URL,
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(IMPORT_MAX_BYTES * 2),
        **{"wsgi.input": Unread()},  # type: ignore[arg-type]
    )
    assert response.status_code == 422
    assert "the largest file taken is 25 MB" in response.content.decode()


def test_a_viewer_is_told_and_nothing_is_written(viewer: Persona) -> None:
    response = _post(_client(viewer), FEEDBACK, action="import")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Viewers can read but not change anything" in response.content.decode()  # type: ignore[attr-defined]
    assert not Feedback.objects.exists()


def test_the_page_refuses_a_post_without_its_csrf_token(pm: Persona) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(pm.user)
    response = client.post(URL, {"kind": "feedback"})
    assert response.status_code == 403


def test_anonymous_visitors_sign_in_and_outsiders_get_404(pm: Persona, outsider: Persona) -> None:
    assert Client().get(URL).status_code == 302
    assert _client(outsider).get(URL).status_code == 404
