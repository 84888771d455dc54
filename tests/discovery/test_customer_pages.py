"""The customer pages per persona: customers by segment, adding one, and a customer with
everything heard from them, their contacts and problems; renaming, and merging after a
confirmation that says what moves."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lodestar.discovery import services
from lodestar.discovery.models import Contact, Customer, Feedback
from tests.conftest import Persona
from tests.discovery.conftest import Capture

LIST = "/w/acme/customers"


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _page(response: Any) -> str:
    return str(response.content.decode())


def _url(customer: Customer) -> str:
    return f"{LIST}/{customer.pk}"


def _edit_form(customer: Customer, **fields: str) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": customer.name,
        "segment": customer.segment,
        "plan": customer.plan,
        "arr": "" if customer.arr is None else str(customer.arr),
        "external_id": customer.external_id,
        "notes": customer.notes,
        "version": customer.version,
    }
    form.update(fields)
    return form


def test_customers_by_name_with_arr_and_feedback_filtered_by_segment(
    client: Client, pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    capture(customer=customers["globex"])
    capture(customer=customers["globex"])
    client = _as(client, pm)
    page = _page(client.get(LIST))
    assert page.index(">Globex<") < page.index(">Hooli<") < page.index(">Initech<")
    assert "$120,000" in page
    row = page.split(">Globex<")[1].split("</tr>")[0]
    assert '<td class="text-right">2</td>' in row
    smb = _page(client.get(LIST + "?segment=SMB"))
    assert ">Hooli<" in smb
    assert ">Globex<" not in smb
    assert client.get(LIST + "?segment=Nope").status_code == 200


def test_customers_read_a_flat_number_of_queries(
    client: Client, pm: Persona, django_assert_max_num_queries: Any
) -> None:
    client = _as(client, pm)
    services.customer_create(actor=pm.actor, name="First", segment="SMB", arr=1)
    client.get(LIST)
    with django_assert_max_num_queries(14) as few:
        client.get(LIST)
    for number in range(30):
        services.customer_create(actor=pm.actor, name=f"Customer {number}", segment=f"S{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": " "}, "name", "This field is required."),
        ({"name": "GLOBEX"}, "name", "GLOBEX is already a customer"),
        ({"name": "Umbrella", "arr": "lots"}, "arr", "must be an amount of money"),
        ({"name": "Umbrella", "arr": "-1"}, "arr", "must be an amount of money"),
        ({"name": "Umbrella", "external_id": "crm-1"}, "external_id", "already the external id"),
        ({"name": "Umbrella", "segment": "s" * 61}, "segment", "at most 60 characters"),
    ],
)
def test_bad_customer_input_is_named_and_nothing_is_written(
    client: Client,
    pm: Persona,
    customers: dict[str, Customer],
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = _as(client, pm).post(LIST, form)
    page = _page(response)
    assert response.status_code == 422
    block = page.split(f'id="id_{field}"')[1].split('class="field')[0]
    assert message.lower() in block.lower()
    assert Customer.objects.count() == 3


def test_adding_a_customer(client: Client, pm: Persona) -> None:
    response = _as(client, pm).post(
        LIST, {"name": "Umbrella", "segment": "Enterprise", "arr": "1,500.50", "plan": "Pro"}
    )
    customer = Customer.objects.get()
    assert response["Location"] == _url(customer)
    assert str(customer.arr) == "1500.50"
    page = _page(client.get(_url(customer)))
    assert 'data-testid="customer-arr">$1,500.50<' in page


def test_the_customer_page_shows_what_was_heard_contacts_and_problems(
    client: Client, pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    globex = customers["globex"]
    ana = services.contact_create(actor=pm.actor, customer=globex, name="Ana", email="a@g.example")
    feedback = capture("Exports are slow", customer=globex, contact=ana)
    problem = services.problem_create(actor=pm.actor, title="Slow exports")
    services.insight_create(actor=pm.actor, feedback=feedback, start=0, end=7, problems=[problem])
    capture("Something else", customer=customers["initech"])
    page = _page(_as(client, pm).get(_url(globex)))
    assert "Exports are slow" in page
    assert "Something else" not in page
    assert "a@g.example" in page
    assert ">Slow exports</a>" in page
    assert "1 insight" in page
    assert 'data-testid="customer-arr">$120,000<' in page


def test_renaming_keeps_the_feedback_and_a_stale_edit_is_told(
    client: Client, pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    globex = customers["globex"]
    feedback = capture(customer=globex)
    client = _as(client, pm)
    response = client.post(_url(globex), _edit_form(globex, name="Globex Corp", arr="130000"))
    assert response.status_code == 302
    globex.refresh_from_db()
    assert globex.name == "Globex Corp"
    feedback.refresh_from_db()
    assert feedback.customer == globex
    response = client.post(_url(globex), _edit_form(globex, name="Stale", version="1"))
    assert response.status_code == 412
    response = client.post(_url(globex), _edit_form(globex, name="Initech"))
    assert response.status_code == 422
    assert "Initech is already a customer" in _page(response)
    response = client.post(_url(globex), _edit_form(globex, arr="1.234"))
    assert response.status_code == 422
    globex.refresh_from_db()
    assert (globex.name, str(globex.arr)) == ("Globex Corp", "130000.00")


def test_adding_a_contact_and_its_bad_input(
    client: Client, pm: Persona, customers: dict[str, Customer]
) -> None:
    hooli = customers["hooli"]
    client = _as(client, pm)
    response = client.post(f"{_url(hooli)}/contacts", {"name": "", "email": "", "title": ""})
    assert response.status_code == 422
    assert "Give a name or an email address." in _page(response)
    response = client.post(
        f"{_url(hooli)}/contacts", {"name": "Bo", "email": "bo@", "title": "CTO"}
    )
    assert response.status_code == 422
    assert "must be an email address" in _page(response).lower()
    assert 'value="CTO"' in _page(response)
    assert not Contact.objects.exists()
    response = client.post(f"{_url(hooli)}/contacts", {"name": "Bo", "email": "bo@h.example"})
    assert response.status_code == 302
    assert Contact.objects.get().customer == hooli


def test_merging_confirms_what_moves_then_moves_it(
    client: Client, pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    hooli, initech = customers["hooli"], customers["initech"]
    capture(customer=hooli)
    capture(customer=hooli)
    services.contact_create(actor=pm.actor, customer=hooli, email="x@hooli.example")
    client = _as(client, pm)
    response = client.post(f"{_url(hooli)}/merge", {"target": "initech"})
    page = _page(response)
    assert response.status_code == 200
    assert "Merge Hooli into Initech?" in page
    assert "2 pieces of feedback and 1 contact move to Initech" in page
    assert Feedback.objects.filter(customer=hooli).count() == 2  # nothing moved yet
    response = client.post(f"{_url(hooli)}/merge", {"target": str(initech.pk), "confirm": "True"})
    assert response.status_code == 302
    assert response["Location"] == _url(initech)
    assert Feedback.objects.filter(customer=initech).count() == 2
    assert not Customer.objects.filter(pk=hooli.pk).exists()
    assert client.get(_url(hooli)).status_code == 404


@pytest.mark.parametrize(
    ("target", "message"),
    [("", "This field is required."), ("Nobody Inc", "no customer"), ("hooli", "pick another one")],
)
def test_a_bad_merge_is_explained_and_nothing_moves(
    client: Client,
    pm: Persona,
    customers: dict[str, Customer],
    capture: Capture,
    target: str,
    message: str,
) -> None:
    hooli = customers["hooli"]
    capture(customer=hooli)
    response = _as(client, pm).post(f"{_url(hooli)}/merge", {"target": target, "confirm": "True"})
    assert response.status_code == 422
    assert message.lower() in _page(response).lower()
    assert Feedback.objects.get().customer == hooli
    assert Customer.objects.count() == 3


def test_a_viewer_reads_customers_and_changes_nothing(
    client: Client, viewer: Persona, customers: dict[str, Customer]
) -> None:
    hooli, globex = customers["hooli"], customers["globex"]
    client = _as(client, viewer)
    assert "New customer" not in _page(client.get(LIST))
    page = _page(client.get(_url(hooli)))
    assert "Edit or rename" not in page
    assert "Merge into another customer" not in page
    assert "Add a contact" not in page
    assert client.post(LIST, {"name": "Mine"}).status_code == 403
    assert client.post(_url(hooli), _edit_form(hooli, name="Renamed")).status_code == 403
    assert client.post(f"{_url(hooli)}/contacts", {"name": "Bo"}).status_code == 403
    assert client.post(f"{_url(hooli)}/merge", {"target": "globex"}).status_code == 403
    assert Customer.objects.count() == 3
    hooli.refresh_from_db()
    assert hooli.name == "Hooli"
    assert not Contact.objects.exists()
    assert globex.name == "Globex"


def test_others_get_404_and_missing_customers_are_404(
    client: Client, outsider: Persona, pm: Persona, customers: dict[str, Customer]
) -> None:
    assert _as(client, outsider).get(_url(customers["hooli"])).status_code == 404
    assert _as(client, pm).get(f"{LIST}/999999").status_code == 404
    assert client.post(f"{LIST}/999999/merge", {"target": "hooli"}).status_code == 404


def test_a_customer_page_reads_a_flat_number_of_queries(
    client: Client,
    pm: Persona,
    customers: dict[str, Customer],
    capture: Capture,
    django_assert_max_num_queries: Any,
) -> None:
    globex = customers["globex"]
    client = _as(client, pm)

    def hear(number: int) -> None:
        feedback = capture(f"Heard {number}", customer=globex, tags=["t"])
        problem = services.problem_create(actor=pm.actor, title=f"Problem {number}")
        services.insight_create(
            actor=pm.actor, feedback=feedback, start=0, end=5, problems=[problem]
        )
        services.contact_create(actor=pm.actor, customer=globex, email=f"c{number}@g.example")

    hear(0)
    client.get(_url(globex))
    with django_assert_max_num_queries(20) as few:
        client.get(_url(globex))
    for number in range(1, 15):
        hear(number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_url(globex))


def test_the_customers_page_leads_writers_to_the_csv_import(
    client: Client, pm: Persona, viewer: Persona
) -> None:
    client.force_login(pm.user)
    assert "/w/acme/import" in client.get("/w/acme/customers").content.decode()
    other = Client()
    other.force_login(viewer.user)
    assert "/w/acme/import" not in other.get("/w/acme/customers").content.decode()
