"""The feedback pages per persona: the inbox (filters, paging, triage by htmx), capturing
feedback (every bad input named on its field, nothing half-written), and a piece of feedback
where a selected span becomes an insight (offsets in code points, emoji and accents included)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.core.registry import registry
from lodestar.discovery import services
from lodestar.discovery.models import (
    Contact,
    Customer,
    Feedback,
    FeedbackState,
    Insight,
    Problem,
)
from tests.conftest import Persona
from tests.discovery.conftest import Capture

INBOX = "/w/acme/feedback"
CAPTURE = "/w/acme/feedback/new"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _page(response: Any) -> str:
    return str(response.content.decode())


def _capture_form(**fields: str) -> dict[str, str]:
    data = {
        "text": "Exporting to CSV takes forever.",
        "customer": "",
        "contact": "",
        "source": "interview",
        "received_at": timezone.localdate().isoformat(),
        "tags": "",
        "product": "",
        "participants": "",
        "notes": "",
    }
    data.update(fields)
    return data


# -- who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "admin", "pm", "developer", "viewer"])
def test_every_member_reads_the_inbox_and_a_feedback(
    client: Client, request: pytest.FixtureRequest, capture: Capture, who: str
) -> None:
    feedback = capture("The dashboard is slow on Mondays.")
    client = _as(client, request.getfixturevalue(who))
    assert "The dashboard is slow on Mondays." in _page(client.get(INBOX))
    assert client.get(f"{INBOX}/{feedback.pk}").status_code == 200


def test_a_viewer_sees_no_write_controls_and_cannot_write(
    client: Client, viewer: Persona, capture: Capture
) -> None:
    feedback = capture()
    client = _as(client, viewer)
    inbox = _page(client.get(INBOX))
    assert "Capture feedback" not in inbox
    assert 'data-action="archive"' not in inbox
    detail = _page(client.get(f"{INBOX}/{feedback.pk}"))
    assert "data-selectable" not in detail
    assert "Make an insight" not in detail
    assert client.get(CAPTURE).status_code == 403
    assert client.post(CAPTURE, _capture_form()).status_code == 403
    response = client.post(f"{INBOX}/{feedback.pk}/state", {"state": "archived"})
    assert response.status_code == 403
    response = client.post(
        f"{INBOX}/{feedback.pk}/insights", {"start": 0, "end": 5, "new_problem": "Slow"}
    )
    assert response.status_code == 403
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.NEW
    assert Feedback.objects.count() == 1
    assert not Insight.objects.exists()
    assert not Problem.objects.exists()


def test_others_get_404_and_anonymous_visitors_sign_in(
    client: Client, outsider: Persona, capture: Capture
) -> None:
    feedback = capture()
    assert client.get(INBOX).status_code == 302
    client = _as(client, outsider)
    assert client.get(INBOX).status_code == 404
    assert client.get(f"{INBOX}/{feedback.pk}").status_code == 404


def test_missing_feedback_is_404(client: Client, pm: Persona, capture: Capture) -> None:
    feedback = capture()
    client = _as(client, pm)
    assert client.get(f"{INBOX}/{feedback.pk + 1000}").status_code == 404
    assert client.post(f"{INBOX}/{feedback.pk + 1000}/state", {"state": "new"}).status_code == 404


def test_the_sidebar_leads_to_the_inbox_and_tabs_to_problems_and_customers(
    client: Client, pm: Persona
) -> None:
    page = _page(_as(client, pm).get("/w/acme/"))
    assert 'data-nav="discovery"' in page
    assert f'href="{INBOX}"' in page
    inbox = _page(client.get(INBOX))
    assert 'href="/w/acme/problems"' in inbox
    assert 'href="/w/acme/customers"' in inbox


# -- the inbox -----------------------------------------------------------------------------------


def test_the_inbox_shows_new_feedback_newest_first_with_its_row(
    client: Client, pm: Persona, capture: Capture, customers: dict[str, Customer]
) -> None:
    today = timezone.now()
    capture("Older note", received_at=today - dt.timedelta(days=3))
    capture(
        "Newer note",
        received_at=today - dt.timedelta(days=1),
        customer=customers["globex"],
        tags=["export", "csv"],
        source="support",
    )
    archived = capture("Archived note")
    services.feedback_update(actor=pm.actor, feedback=archived, state="archived")
    page = _page(_as(client, pm).get(INBOX))
    assert page.index("Newer note") < page.index("Older note")
    assert "Archived note" not in page
    assert "Globex" in page
    assert "Support" in page
    assert '<span class="dv-tag">export</span>' in page
    assert "<kbd>t</kbd> triage" in page
    everything = _page(client.get(INBOX + "?state=all"))
    assert "Archived note" in everything
    assert "Older note" not in _page(client.get(INBOX + "?state=archived"))


def test_the_inbox_filters_by_source_customer_and_tag(
    client: Client, pm: Persona, capture: Capture, customers: dict[str, Customer]
) -> None:
    capture("From support", source="support", customer=customers["globex"], tags=["ux"])
    capture("From sales", source="sales", customer=customers["initech"], tags=["uxr"])
    client = _as(client, pm)
    page = _page(client.get(INBOX + "?source=sales"))
    assert "From sales" in page
    assert "From support" not in page
    page = _page(client.get(INBOX + f"?customer={customers['globex'].pk}"))
    assert "From support" in page
    assert "From sales" not in page
    page = _page(client.get(INBOX + "?tag=UX"))
    assert "From support" in page
    assert "From sales" not in page
    # Unknown filter values are ignored, never an error.
    assert client.get(INBOX + "?state=bogus&source=nope&customer=x").status_code == 200


def test_the_inbox_pages_with_a_cursor(client: Client, pm: Persona, capture: Capture) -> None:
    now = timezone.now()
    for number in range(55):
        capture(f"Note number {number:02d}", received_at=now - dt.timedelta(minutes=number))
    client = _as(client, pm)
    first = _page(client.get(INBOX))
    assert "Note number 00" in first
    assert "Note number 54" not in first
    assert "Older feedback" in first
    cursor = first.split("cursor=")[1].split('"')[0]
    second = _page(client.get(f"{INBOX}?state=new&cursor={cursor}"))
    assert "Note number 54" in second
    assert "Note number 00" not in second
    assert client.get(INBOX + "?cursor=not-a-cursor").status_code == 422


def test_the_inbox_reads_a_flat_number_of_queries(
    client: Client,
    pm: Persona,
    capture: Capture,
    customers: dict[str, Customer],
    django_assert_max_num_queries: Any,
) -> None:
    client = _as(client, pm)
    for number in range(3):
        capture(f"Few {number}", customer=customers["globex"], tags=["a"])
    client.get(INBOX)  # the session and the workspace are warm
    with django_assert_max_num_queries(14) as few:
        client.get(INBOX)
    for number in range(40):
        capture(f"Many {number}", customer=customers["initech"], tags=["b"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(INBOX)


def test_triage_by_htmx_answers_a_line_with_undo_then_the_row(
    client: Client, pm: Persona, capture: Capture
) -> None:
    feedback = capture("Please add dark mode")
    client = _as(client, pm)
    url = f"{INBOX}/{feedback.pk}/state"
    response = client.post(url, {"state": "triaged", "shown": "new"}, **HTMX)
    assert response.status_code == 200
    assert "data-row-gone" in _page(response)
    assert "Undo" in _page(response)
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.TRIAGED
    response = client.post(url, {"state": "new", "shown": "new"}, **HTMX)
    assert "data-row " in _page(response) or "data-row\n" in _page(response)
    assert "data-row-gone" not in _page(response)
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.NEW


def test_archiving_from_the_detail_page_redirects_back(
    client: Client, pm: Persona, capture: Capture
) -> None:
    feedback = capture()
    response = _as(client, pm).post(f"{INBOX}/{feedback.pk}/state", {"state": "archived"})
    assert response.status_code == 302
    assert response["Location"] == f"{INBOX}/{feedback.pk}"
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.ARCHIVED


def test_an_unknown_state_is_refused(client: Client, pm: Persona, capture: Capture) -> None:
    feedback = capture()
    response = _as(client, pm).post(f"{INBOX}/{feedback.pk}/state", {"state": "done"})
    assert response.status_code == 422
    assert "State: must be one of new, triaged, archived." in _page(response)
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.NEW


def test_next_never_leads_off_site(client: Client, pm: Persona, capture: Capture) -> None:
    feedback = capture()
    response = _as(client, pm).post(
        f"{INBOX}/{feedback.pk}/state", {"state": "triaged", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"{INBOX}/{feedback.pk}"


# -- capturing -----------------------------------------------------------------------------------


def test_capturing_interview_notes_for_a_known_customer(
    client: Client, pm: Persona, customers: dict[str, Customer]
) -> None:
    notes = "Interview with Ana\r\n\r\n- exports are slow\r\n- wants Slack alerts"
    response = _as(client, pm).post(
        CAPTURE,
        _capture_form(
            text=notes,
            customer="globex",
            contact="Ana@Globex.example",
            tags="Export, slack",
            participants=pm.email,
            notes="Seemed tired of it\r\nTwice",
        ),
    )
    feedback = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{INBOX}/{feedback.pk}"
    assert feedback.text == "Interview with Ana\n\n- exports are slow\n- wants Slack alerts"
    assert feedback.customer == customers["globex"]
    assert feedback.contact is not None
    assert feedback.contact.email == "ana@globex.example"
    assert feedback.contact.customer == customers["globex"]
    assert feedback.tags == ["export", "slack"]
    assert feedback.source == "interview"
    assert list(feedback.member_participants.all()) == [pm.membership]
    assert feedback.notes == "Seemed tired of it\nTwice"


def test_an_unknown_customer_is_offered_as_new_and_nothing_is_written(
    client: Client, pm: Persona
) -> None:
    client = _as(client, pm)
    response = client.post(CAPTURE, _capture_form(text="Keep these words", customer="Umbrella"))
    page = _page(response)
    assert response.status_code == 422
    assert "There is no customer &#x27;Umbrella&#x27; yet" in page
    assert "Create it as a new customer" in page
    assert "Keep these words" in page  # what was typed stays
    assert 'value="Umbrella"' in page
    assert not Feedback.objects.exists()
    response = client.post(
        CAPTURE, _capture_form(text="Keep these words", customer="Umbrella", new_customer="on")
    )
    assert response.status_code == 302
    assert Feedback.objects.get().customer == Customer.objects.get(name="Umbrella")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": "   "}, "text", "This field is required."),
        ({"received_at": "2999-01-01"}, "received_at", "Must not be in the future."),
        ({"received_at": "yesterday"}, "received_at", "Enter a valid date."),
        ({"source": "pigeon"}, "source", "Select a valid choice."),
        ({"contact": "not an address"}, "contact", "email address"),
        ({"tags": "ok, " + "x" * 41}, "tags", "Entry 2: must be at most 40 characters"),
        ({"participants": "nobody@nowhere.example"}, "participants", "neither a member"),
        ({"product": "NOPE"}, "product", "Select a valid choice."),
        ({"text": "x" * 50_001}, "text", "at most 50,000 characters"),
    ],
)
def test_bad_capture_input_is_named_on_its_field_and_nothing_is_written(
    client: Client,
    pm: Persona,
    customers: dict[str, Customer],
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    form = _capture_form(customer="Umbrella", new_customer="on", **fields)
    response = _as(client, pm).post(CAPTURE, form)
    page = _page(response)
    assert response.status_code == 422
    block = page.split(f'id="id_{field}"')[1].split('class="field')[0]
    assert message.replace("'", "&#x27;") in block
    assert not Feedback.objects.exists()
    assert not Customer.objects.filter(name="Umbrella").exists()  # nothing half-written
    assert not Contact.objects.exists()


# -- one piece of feedback -----------------------------------------------------------------------


def test_the_text_is_shown_as_written_escaped_with_insights_marked(
    client: Client, pm: Persona, capture: Capture
) -> None:
    text = "Hi <script>alert(1)</script>\n\n  two  spaces and **bold**"
    feedback = capture(text)
    problem = services.problem_create(actor=pm.actor, title="Alerts")
    services.insight_create(actor=pm.actor, feedback=feedback, start=3, end=11, problems=[problem])
    page = _page(_as(client, pm).get(f"{INBOX}/{feedback.pk}"))
    raw = page.split('id="feedback-text"')[1].split("</div>")[0]
    assert "<script>" not in page.split("<main")[1].split("</main>")[0].replace('<script src="', "")
    assert "&lt;script&gt;" in raw
    assert "\n\n  two  spaces" in raw
    assert "<mark" in raw
    assert ">&lt;script&gt;</mark>" in raw
    assert "<strong>bold</strong>" in page  # the rendered Markdown, sanitized
    assert "Alerts" in page


def test_an_insight_from_a_selection_with_emoji_and_accents(
    client: Client, pm: Persona, capture: Capture
) -> None:
    text = "Olá 👋🏽 équipe!\nLe téléchargement 📦 est très lent, vraiment."
    feedback = capture(text)
    phrase = "téléchargement 📦 est très lent"
    start = text.index(phrase)  # code points, as the page's script counts them
    response = _as(client, pm).post(
        f"{INBOX}/{feedback.pk}/insights",
        {"start": start, "end": start + len(phrase), "new_problem": "Downloads are slow"},
    )
    insight = Insight.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{INBOX}/{feedback.pk}#insight-{insight.pk}"
    assert insight.quote == phrase
    assert (insight.start, insight.end) == (start, start + len(phrase))
    assert [p.title for p in insight.problems.all()] == ["Downloads are slow"]
    page = _page(client.get(f"{INBOX}/{feedback.pk}"))
    assert f">{phrase}</mark>" in page
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.TRIAGED


def test_offsets_count_a_stored_cr_lf_as_the_one_line_break_shown(
    client: Client, pm: Persona, capture: Capture
) -> None:
    feedback = capture("first line\r\nsecond 🙂 line\r\nthird")
    shown = "first line\nsecond 🙂 line\nthird"
    start = shown.index("second")
    problem = services.problem_create(actor=pm.actor, title="Lines")
    _as(client, pm).post(
        f"{INBOX}/{feedback.pk}/insights",
        {"start": start, "end": start + len("second 🙂 line"), "problem": f"Lines #{problem.pk}"},
    )
    assert Insight.objects.get().quote == "second 🙂 line"


def test_an_insight_on_an_existing_problem_picked_by_title(
    client: Client, pm: Persona, capture: Capture
) -> None:
    feedback = capture("Exports time out every day")
    problem = services.problem_create(actor=pm.actor, title="Exports time out")
    _as(client, pm).post(
        f"{INBOX}/{feedback.pk}/insights", {"start": 0, "end": 16, "problem": "exports TIME out"}
    )
    assert list(Insight.objects.get().problems.all()) == [problem]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"start": 0, "end": 5}, "Pick a problem, or give a new problem"),
        ({"start": 0, "end": 5, "problem": "Nope"}, "There is no problem &#x27;Nope&#x27;"),
        ({"start": 0, "end": 5, "problem": "X #999999"}, "No problem 999999"),
        ({"start": 0, "end": 5, "problem": "Slow #{pk}", "new_problem": "Too"}, "not both"),
        ({"start": 3, "end": 999, "new_problem": "Slow"}, "within the feedback"),
        ({"start": 5, "end": 5, "new_problem": "Slow"}, "0 &lt;= start &lt; end"),
        ({"start": "a", "end": 5, "new_problem": "Slow"}, "Enter a whole number"),
        ({"start": 0, "end": 5, "new_problem": "x" * 256}, "at most 255 characters"),
    ],
)
def test_a_bad_insight_is_explained_and_nothing_is_written(
    client: Client, pm: Persona, capture: Capture, form: dict[str, Any], message: str
) -> None:
    feedback = capture("Slow dashboards, all week long.")
    problem = services.problem_create(actor=pm.actor, title="Slow")
    form = {k: str(v).replace("{pk}", str(problem.pk)) for k, v in form.items()}
    response = _as(client, pm).post(f"{INBOX}/{feedback.pk}/insights", form)
    page = _page(response)
    assert response.status_code == 422
    pop = page.split('id="insight-pop"')[1]
    assert "hidden" not in pop.split(">")[0]  # the popover stays open with the reason
    assert message in pop
    assert not Insight.objects.exists()
    assert list(Problem.objects.all()) == [problem]  # no problem created half-way


def test_linking_the_whole_feedback_to_a_problem(
    client: Client, pm: Persona, capture: Capture
) -> None:
    feedback = capture("We need SSO before we can roll out.")
    problem = services.problem_create(actor=pm.actor, title="SSO")
    client = _as(client, pm)
    response = client.post(
        f"{INBOX}/{feedback.pk}/link", {"problem": f"SSO #{problem.pk}", "next": INBOX}
    )
    assert response.status_code == 302
    assert response["Location"] == INBOX
    insight = Insight.objects.get()
    assert insight.quote == feedback.text
    assert insight.start is None
    response = client.post(f"{INBOX}/{feedback.pk}/link", {"problem": "Unknown"})
    assert response.status_code == 422
    assert "There is no problem" in _page(response)
    assert Insight.objects.count() == 1


def test_each_discovery_object_declares_the_page_that_shows_it(
    client: Client, pm: Persona, capture: Capture, customers: dict[str, Customer]
) -> None:
    feedback = capture("Slow exports", customer=customers["globex"])
    problem = services.problem_create(actor=pm.actor, title="Slow")
    insight = services.insight_create(
        actor=pm.actor, feedback=feedback, start=0, end=4, problems=[problem]
    )
    client = _as(client, pm)
    for name, obj, text in [
        ("customer", customers["globex"], "Globex"),
        ("feedback", feedback, "Slow exports"),
        ("insight", insight, "Slow exports"),
        ("problem", problem, "Slow"),
    ]:
        object_type = registry().object_type(name)
        assert object_type is not None
        assert object_type.url is not None
        url = object_type.url(obj)
        assert url.startswith("/w/acme/")
        assert text in _page(client.get(url.split("#")[0]))


def test_a_piece_of_feedback_offers_the_problem_it_resembles(
    client: Client, pm: Persona, viewer: Persona, capture: Capture
) -> None:
    slow = services.problem_create(actor=pm.actor, title="Exports are too slow")
    earlier = capture(text="csv export of the dashboard times out after 10 minutes")
    services.insight_create(actor=pm.actor, feedback=earlier, quote=earlier.text, problems=[slow])
    fresh = capture(text="Our CSV export timed out again, ten minutes of waiting")
    page = _page(_as(client, pm).get(f"{INBOX}/{fresh.pk}"))
    assert 'data-testid="similar"' in page
    assert "Exports are too slow" in page
    assert "Shares:" in page
    assert "csv" in page
    # The insight popover starts on that problem.
    assert f'value="Exports are too slow #{slow.pk}"' in page
    # Linking it from the suggestion makes it evidence, and the suggestion goes away.
    linked = client.post(f"{INBOX}/{fresh.pk}/link", {"problem": f"#{slow.pk}"})
    assert linked.status_code == 302
    assert Insight.objects.filter(feedback=fresh, problems=slow).exists()
    again = _page(client.get(f"{INBOX}/{fresh.pk}"))
    assert "Link the whole feedback to it" not in again
    # A viewer sees what it resembles but no button.
    seen = _page(_as(Client(), viewer).get(f"{INBOX}/{earlier.pk}"))
    assert "Link the whole feedback to it" not in seen


def test_the_inbox_leads_writers_to_the_csv_import(
    client: Client, pm: Persona, viewer: Persona
) -> None:
    assert "/w/acme/import" in _page(_as(client, pm).get(INBOX))
    assert "/w/acme/import" not in _page(_as(Client(), viewer).get(INBOX))
