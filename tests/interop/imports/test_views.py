"""The import page: dry run, the statuses to map, the import with its progress, past imports;
bad input shows the form again with the message."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.interop.imports import readers
from lodestar.interop.imports.models import ImportRun
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.interop.imports.tiny_reader import PATH

URL = "/w/acme/imports"
CSV = (
    b"key,title,kind,status,parent\n"
    b"PAY-2,Pay by card,story,In Progress:in_progress,PAY-1\n"
    b"PAY-1,Payments,epic,To Do:todo,\n"
    b"PAY-3,Refunds,story,In Review,PAY-1\n"
)
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def tiny_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(readers.READERS, "jira", PATH)


def _client(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def _form(action: str, data: bytes = CSV, **extra: object) -> dict[str, object]:
    return {
        "source": "jira",
        "product": "ACME",
        "file": SimpleUploadedFile("export.csv", data, "text/csv"),
        "action": action,
        **extra,
    }


def test_the_page_lists_past_imports_and_is_linked_from_settings(
    owner: Persona, product: Product
) -> None:
    client = _client(owner)
    client.post(URL, _form("dry_run"))

    page = client.get(URL)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="past-imports"' in html
    assert "export.csv" in html
    assert f'href="{URL}"' in client.get("/w/acme/settings").content.decode()


def test_a_dry_run_names_the_statuses_to_map_then_the_import_takes_the_mapping(
    owner: Persona, product: Product
) -> None:
    client = _client(owner)

    dry = client.post(URL, _form("dry_run"), headers=HTMX)

    assert dry.status_code == 202
    html = dry.content.decode()
    assert 'data-state="failed"' in html
    assert "“In Review” (1 item)" in html
    assert 'value="In Review=in_progress"' in html
    assert not BacklogItem.objects.exists()

    done = client.post(URL, _form("import", status_map="In Review=in_progress"), headers=HTMX)

    html = done.content.decode()
    assert 'data-state="done"' in html
    assert "Open the ACME backlog" in html
    assert '<tr data-kind="item"><th scope="row">item</th><td>3</td>' in html
    assert BacklogItem.objects.filter(product=product).count() == 3


def test_without_javascript_a_post_leads_to_the_runs_page(owner: Persona, product: Product) -> None:
    client = _client(owner)

    response = client.post(URL, _form("import", status_map="In Review=done"))

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}/{run.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Imported." in page
    status = client.get(f"{URL}/{run.pk}/status").content.decode()
    assert 'data-state="done"' in status
    assert "hx-trigger" not in status  # a finished run is not polled


def test_a_running_import_is_polled(owner: Persona, product: Product) -> None:
    client = _client(owner)
    run = ImportRun.objects.create(
        workspace=owner.membership.workspace,
        product=product,
        source="jira",
        file_name="big.csv",
        state="running",
        progress_done=2000,
        progress_total=20000,
        created_by=owner.user,
    )

    html = client.get(f"{URL}/{run.pk}/status").content.decode()

    assert 'hx-trigger="every 1s"' in html
    assert "Writing 2000 of 20000 items" in html


def test_no_file_shows_the_form_again_with_the_message(owner: Persona, product: Product) -> None:
    form = _form("dry_run", date_format="dd/MM/yyyy")
    del form["file"]

    response = _client(owner).post(URL, form)

    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose the file your tool exported." in html
    assert 'value="dd/MM/yyyy"' in html  # nothing typed is lost
    assert not ImportRun.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    owner: Persona, product: Product, settings: object
) -> None:
    settings.IMPORT_MAX_BYTES = 10  # type: ignore[attr-defined]

    response = _client(owner).post(URL, _form("import"), headers=HTMX)

    assert response.status_code == 422
    assert "an import takes files up to 10 bytes" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_declared_200_mb_upload_is_refused_unread(owner: Persona, product: Product) -> None:
    response = _client(owner).generic(
        "POST",
        URL,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert "an import takes files up to" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_file_of_another_source_fails_with_the_readers_message(
    owner: Persona, product: Product
) -> None:
    response = _client(owner).post(URL, _form("dry_run", b"title\nRefunds\n"), headers=HTMX)

    html = response.content.decode()
    assert 'data-state="failed"' in html
    assert "The file has no column &#x27;key&#x27;" in html


@pytest.mark.parametrize("who", ["developer", "viewer"])
def test_members_and_viewers_are_refused(
    who: str, request: pytest.FixtureRequest, product: Product
) -> None:
    persona: Persona = request.getfixturevalue(who)
    client = _client(persona)

    assert client.get(URL).status_code == 403
    assert client.post(URL, _form("import")).status_code == 403
    assert not ImportRun.objects.exists()
    assert f'href="{URL}"' not in client.get("/w/acme/settings").content.decode()


def test_an_outsider_finds_nothing(outsider: Persona, owner: Persona, product: Product) -> None:
    _client(owner).post(URL, _form("dry_run"))
    run = ImportRun.objects.get()

    client = _client(outsider)
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}/{run.pk}").status_code == 404
