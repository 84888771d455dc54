"""Discovery's writes: customers and their merge, contacts, feedback, insights and problems;
each refusal names the field to fix and writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from lodestar.core.errors import Conflict, Forbidden, Invalid
from lodestar.core.models import HistoryEntry
from lodestar.core.trash import trash_move, trash_restore
from lodestar.discovery import services
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.models import Contact, Customer, Feedback, FeedbackState, Insight
from tests.conftest import Persona
from tests.discovery.conftest import Capture


def _field(exc: pytest.ExceptionInfo[Invalid]) -> str:
    return exc.value.errors[0].field


def test_customer_names_are_unique_whatever_the_case(
    pm: Persona, customers: dict[str, Customer]
) -> None:
    with pytest.raises(Invalid) as exc:
        services.customer_create(actor=pm.actor, name="  globex ")
    assert _field(exc) == "name"
    assert exc.value.code == Code.CUSTOMER_NAME_TAKEN
    assert Customer.objects.count() == 3


@pytest.mark.parametrize(
    ("arr", "ok"),
    [
        ("1,200.50", Decimal("1200.50")),
        (0, Decimal("0.00")),
        ("", None),
        ("-5", False),
        ("12.345", False),
        ("lots", False),
        ("NaN", False),
        ("1e20", False),
        (True, False),
    ],
)
def test_arr_is_money(pm: Persona, arr: object, ok: Decimal | bool | None) -> None:
    if ok is False:
        with pytest.raises(Invalid) as exc:
            services.customer_create(actor=pm.actor, name="Umbrella", arr=arr)
        assert _field(exc) == "arr"
        assert not Customer.objects.exists()
    else:
        customer = services.customer_create(actor=pm.actor, name="Umbrella", arr=arr)
        assert customer.arr == ok


def test_external_ids_are_unique_when_given(pm: Persona, customers: dict[str, Customer]) -> None:
    with pytest.raises(Invalid) as exc:
        services.customer_create(actor=pm.actor, name="Other", external_id="crm-1")
    assert _field(exc) == "external_id"
    # Blank external ids never collide.
    services.customer_create(actor=pm.actor, name="A")
    services.customer_create(actor=pm.actor, name="B")


def test_a_viewer_records_nothing(viewer: Persona, pm: Persona) -> None:
    with pytest.raises(Forbidden):
        services.customer_create(actor=viewer.actor, name="Nope")
    with pytest.raises(Forbidden):
        services.feedback_create(actor=viewer.actor, text="hello")
    assert not Customer.objects.exists()
    assert not Feedback.objects.exists()


def test_rename_keeps_the_feedback(
    pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    feedback = capture(customer=customers["globex"])
    services.customer_update(actor=pm.actor, customer=customers["globex"], name="Globex Corp")
    feedback.refresh_from_db()
    assert feedback.customer is not None
    assert feedback.customer.name == "Globex Corp"


def test_merge_moves_feedback_and_contacts_and_is_recorded(
    pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    source, target = customers["initech"], customers["hooli"]
    contact = services.contact_create(actor=pm.actor, customer=source, email="Peter@Initech.com")
    first = capture(customer=source, contact=contact)
    second = capture(customer=target)
    merged = services.customer_merge(actor=pm.actor, source=source, target=target)
    assert merged.pk == target.pk
    assert set(Feedback.objects.filter(customer=target)) == {first, second}
    assert Contact.objects.get(pk=contact.pk).customer_id == target.pk
    # The blank ARR and fields of the target take the source's.
    assert merged.arr == Decimal("9000.00")
    gone = Customer.all_objects.get(pk=source.pk)
    assert gone.in_trash
    assert gone.merged_into_id == target.pk
    kinds = set(
        HistoryEntry.objects.filter(object_type="discovery.customer").values_list(
            "object_id", "action"
        )
    )
    assert (target.pk, "updated") in kinds
    assert (source.pk, "deleted") in kinds
    # A merged customer is never restored over its feedback's new home.
    with pytest.raises(Conflict) as exc:
        trash_restore(actor=pm.actor, obj=gone)
    assert exc.value.code == Code.CUSTOMER_MERGED


def test_a_customers_new_segment_narrows_the_search_of_their_feedback_at_once(
    pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    from lodestar.core.search import search

    customer = customers["initech"]
    feedback = capture("Exports time out on big boards.", customer=customer)

    def found(segment: str) -> list[int]:
        page = search(actor=pm.actor, text="exports", facets={"segment": segment})
        return [hit.id for hit in page.items if hit.kind == "feedback"]

    services.customer_update(actor=pm.actor, customer=customer, segment="Enterprise")
    assert found("enterprise") == [feedback.pk]
    services.customer_update(actor=pm.actor, customer=customer, segment="SMB")
    assert found("enterprise") == []
    assert found("smb") == [feedback.pk]


def test_merge_into_itself_or_across_workspaces_is_refused(
    pm: Persona, outsider: Persona, customers: dict[str, Customer]
) -> None:
    with pytest.raises(Invalid) as exc:
        services.customer_merge(
            actor=pm.actor, source=customers["globex"], target=customers["globex"]
        )
    assert _field(exc) == "target"
    elsewhere = services.customer_create(actor=outsider.actor, name="Elsewhere")
    with pytest.raises(Invalid) as exc:
        services.customer_merge(actor=pm.actor, source=customers["globex"], target=elsewhere)
    assert _field(exc) == "target"
    assert Customer.objects.filter(workspace=pm.membership.workspace).count() == 3


def test_a_customer_with_feedback_is_merged_not_trashed(
    pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    capture(customer=customers["globex"])
    with pytest.raises(Conflict) as exc:
        trash_move(actor=pm.actor, obj=customers["globex"])
    assert exc.value.code == Code.CUSTOMER_HAS_FEEDBACK
    trash_move(actor=pm.actor, obj=customers["hooli"])
    assert Customer.all_objects.get(pk=customers["hooli"].pk).in_trash


def test_feedback_input_is_checked(pm: Persona, capture: Capture) -> None:
    cases = [
        ({"text": "   "}, "text"),
        ({"text": "x" * 50_001}, "text"),
        ({"source": "tweet"}, "source"),
        ({"received_at": timezone.now() + dt.timedelta(days=2)}, "received_at"),
        ({"tags": ["ok", "x" * 41]}, "tags[1]"),
        ({"tags": [str(n) for n in range(21)]}, "tags"),
    ]
    for fields, field in cases:
        fields.setdefault("text", "Fine words")
        with pytest.raises(Invalid) as exc:
            services.feedback_create(actor=pm.actor, **fields)
        assert _field(exc) == field, fields
    assert not Feedback.objects.exists()


def test_feedback_keeps_markdown_and_shows_it_sanitized(capture: Capture) -> None:
    feedback = capture(text="**Slow** <script>alert(1)</script> export", tags=["Export", "export "])
    assert feedback.text == "**Slow** <script>alert(1)</script> export"
    assert "<strong>Slow</strong>" in feedback.text_html
    assert "<script>" not in feedback.text_html
    assert feedback.tags == ["export"]
    assert feedback.state == FeedbackState.NEW


def test_the_contact_gives_the_customer(
    pm: Persona, customers: dict[str, Customer], capture: Capture
) -> None:
    contact = services.contact_create(
        actor=pm.actor, customer=customers["globex"], name="Ana", email="ana@globex.com"
    )
    assert capture(contact=contact).customer == customers["globex"]
    with pytest.raises(Invalid) as exc:
        capture(customer=customers["initech"], contact=contact)
    assert _field(exc) == "contact"


def test_contact_emails_are_checked_and_unique(pm: Persona) -> None:
    services.contact_create(actor=pm.actor, customer=None, email="Ana@Example.com")
    with pytest.raises(Invalid) as exc:
        services.contact_create(actor=pm.actor, customer=None, email="ana@example.com")
    assert exc.value.code == Code.CONTACT_EMAIL_TAKEN
    with pytest.raises(Invalid) as exc:
        services.contact_create(actor=pm.actor, customer=None, email="not an email")
    assert _field(exc) == "email"
    with pytest.raises(Invalid) as exc:
        services.contact_create(actor=pm.actor, customer=None)
    assert _field(exc) == "name"


def test_an_insight_from_a_span_quotes_it_and_triages_the_feedback(
    pm: Persona, capture: Capture
) -> None:
    feedback = capture(text="We love it. But exporting takes ten minutes every Monday.")
    problem = services.problem_create(actor=pm.actor, title="Exports are slow")
    start = feedback.text.index("exporting")
    end = feedback.text.index(" every")
    insight = services.insight_create(
        actor=pm.actor, feedback=feedback, start=start, end=end, problems=[problem]
    )
    assert insight.quote == "exporting takes ten minutes"
    assert list(insight.problems.all()) == [problem]
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.TRIAGED


@pytest.mark.parametrize(
    ("span", "quote", "field"),
    [
        ((5, 2), "", "end"),
        ((0, 10_000), "", "end"),
        ((3, None), "", "end"),
        ((0, 4), "nope", "quote"),
        ((None, None), "   ", "quote"),
        ((None, None), "q" * 2001, "quote"),
    ],
)
def test_bad_spans_and_quotes_are_refused(
    pm: Persona, capture: Capture, span: tuple[int | None, int | None], quote: str, field: str
) -> None:
    feedback = capture(text="Short text here")
    with pytest.raises(Invalid) as exc:
        services.insight_create(
            actor=pm.actor, feedback=feedback, quote=quote, start=span[0], end=span[1]
        )
    assert _field(exc) == field
    assert not Insight.objects.exists()


def test_spans_follow_their_quote_when_the_text_changes(pm: Persona, capture: Capture) -> None:
    feedback = capture(text="Exports are slow. Search is great.")
    slow = services.insight_create(actor=pm.actor, feedback=feedback, start=0, end=16)
    great = services.insight_create(actor=pm.actor, feedback=feedback, start=18, end=33)
    services.feedback_update(
        actor=pm.actor, feedback=feedback, text="Hello! Exports are slow. Search is fine."
    )
    slow.refresh_from_db()
    great.refresh_from_db()
    assert feedback.text[slow.start : slow.end] == "Exports are slow"  # type: ignore[misc]
    assert (great.start, great.end) == (None, None)
    assert great.quote == "Search is great"


def test_links_to_items_are_kept_once(pm: Persona, make_item: object) -> None:
    item = make_item("Faster export")  # type: ignore[operator]
    problem = services.problem_create(actor=pm.actor, title="Exports are slow")
    assert services.problem_items_link(actor=pm.actor, problem=problem, items=[item, item]) == [
        item
    ]
    assert services.problem_items_link(actor=pm.actor, problem=problem, items=[item]) == []
    assert services.problem_item_unlink(actor=pm.actor, problem=problem, item=item)
    assert not services.problem_item_unlink(actor=pm.actor, problem=problem, item=item)


def test_a_date_alone_is_noon_and_today_is_never_the_future(capture: Capture) -> None:
    today = timezone.localdate()
    heard = capture(received_at=today)
    assert heard.received_at <= timezone.now()
    assert timezone.localdate(heard.received_at) == today
    earlier = capture(received_at=today - dt.timedelta(days=3))
    assert timezone.localtime(earlier.received_at).hour == 12
