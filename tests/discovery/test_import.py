"""CSV imports of feedback and customers: what they read, what they write (in one transaction,
once), and every bad input reported by line and column with nothing written."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from lodestar.core.errors import Forbidden, Invalid
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry, OutboxEvent
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.imports import (
    IMPORT_MAX_BYTES,
    ImportRefused,
    customers_import,
    feedback_html,
    feedback_import,
    parse,
    read_limited,
)
from lodestar.discovery.models import Customer, Feedback
from tests.conftest import Persona

FEEDBACK = (
    "Feedback,Company,Email,Date,Source,Tags\n"
    'Exports take forever,Globex,ana@globex.test,2026-11-02,support,"export, speed"\n'
    "The dashboard freezes when I filter,Initech,,2026-10-30,,dashboard\n"
)


def _import(pm: Persona, text: str | bytes, **options: object) -> object:
    data = text.encode() if isinstance(text, str) else text
    return feedback_import(actor=pm.actor, data=data, **options)  # type: ignore[arg-type]


def _refused(pm: Persona, text: str | bytes, **options: object) -> ImportRefused:
    with pytest.raises(ImportRefused) as exc:
        _import(pm, text, **options)
    assert not Feedback.all_objects.exists()
    return exc.value


def _file_error(pm: Persona, text: str | bytes, **options: object) -> str:
    with pytest.raises(Invalid) as exc:
        _import(pm, text, **options)
    assert not isinstance(exc.value, ImportRefused)
    assert not Feedback.all_objects.exists()
    assert not Customer.all_objects.exists()
    return exc.value.errors[0].field + ": " + exc.value.errors[0].message


# -- what an import writes -------------------------------------------------------------------


def test_a_file_imports_feedback_with_customers_contacts_and_history(pm: Persona) -> None:
    report = _import(pm, FEEDBACK)
    assert report.ok  # type: ignore[attr-defined]
    assert (report.created, report.customers_created, report.contacts_created) == (2, 2, 1)  # type: ignore[attr-defined]
    exports = Feedback.objects.get(text="Exports take forever")
    assert exports.customer.name == "Globex"
    assert exports.contact.email == "ana@globex.test"
    assert exports.contact.customer == exports.customer
    assert exports.source == "support"
    assert exports.tags == ["export", "speed"]
    assert exports.received_at.date() == dt.date(2026, 11, 2)
    assert exports.text_html == "<p>Exports take forever</p>\n"
    assert exports.captured_by == pm.user
    assert Feedback.objects.get(text__startswith="The dashboard").source == "import"
    created = HistoryEntry.objects.filter(action="created")
    assert created.filter(object_type="discovery.feedback").count() == 2
    assert created.filter(object_type="discovery.customer").count() == 2
    assert created.filter(object_type="discovery.contact").count() == 1
    assert OutboxEvent.objects.filter(kind="feedback.created").count() == 2


def _statements_to_import(pm: Persona, rows: int, start: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lines = [
        f"Feedback {n} about exports,Customer {n % 7},person{n % 11}@c{n % 7}.test,2026-11-02,"
        for n in range(start, start + rows)
    ]
    with CaptureQueriesContext(connection) as captured:
        report = _import(pm, "Feedback,Company,Email,Date,Source\n" + "\n".join(lines))
    assert report.created == rows  # type: ignore[attr-defined]
    return len(captured)


def test_an_import_runs_as_many_statements_for_many_rows_as_for_a_few(pm: Persona) -> None:
    """What a row's search entry reads (its customer, its product) is loaded for all the rows
    at once: 200 rows cost the statements 40 do (a query per row would be 160 more)."""
    few = _statements_to_import(pm, 40, start=0)
    assert _statements_to_import(pm, 200, start=40) <= few


def test_importing_the_same_file_again_creates_nothing(pm: Persona) -> None:
    _import(pm, FEEDBACK)
    history = HistoryEntry.objects.count()
    again = _import(pm, FEEDBACK)
    assert (again.created, again.skipped, again.customers_created) == (0, 2, 0)  # type: ignore[attr-defined]
    assert Feedback.objects.count() == 2
    assert Customer.objects.count() == 2
    assert HistoryEntry.objects.count() == history


def test_a_row_repeated_in_the_file_is_imported_once(pm: Persona) -> None:
    report = _import(pm, "text\nSame words\nSame words\nOther words\n")
    assert (report.created, report.skipped) == (2, 1)  # type: ignore[attr-defined]


def test_a_dry_run_reports_and_writes_nothing(pm: Persona) -> None:
    report = _import(pm, FEEDBACK + "Bad date,Hooli,,31/02/2026,,\n", dry_run=True)
    assert report.dry_run  # type: ignore[attr-defined]
    assert report.created == 2  # type: ignore[attr-defined]
    assert [(e.line, e.column) for e in report.errors] == [(4, "Date")]  # type: ignore[attr-defined]
    assert not Feedback.all_objects.exists()
    assert not Customer.all_objects.exists()
    assert not HistoryEntry.objects.exists()


def test_semicolons_a_byte_order_mark_and_multi_line_cells(pm: Persona) -> None:
    text = (
        "\ufeffcomment;customer;date\n"
        '"First line\n\nsecond paragraph; with a semicolon";Globex;30/11/2025\n'
        '"Three\nlines\nhere";Globex;\n'
        "bad;Globex;2030-01-01\n"
    )
    report = _import(pm, text, dry_run=True)
    assert report.delimiter == ";"  # type: ignore[attr-defined]
    assert report.mapping == {"text": "comment", "customer": "customer", "received_at": "date"}  # type: ignore[attr-defined]
    # The records above span lines 2-4 and 5-7: the bad one is on line 8.
    assert [(e.line, e.column) for e in report.errors] == [(8, "date")]  # type: ignore[attr-defined]
    assert "future" in report.errors[0].message  # type: ignore[attr-defined]
    _import(pm, text.replace("2030-01-01", "2025-01-01"))
    first = Feedback.objects.get(text__startswith="First")
    assert first.text == "First line\n\nsecond paragraph; with a semicolon"
    assert first.text_html == "<p>First line</p>\n<p>second paragraph; with a semicolon</p>\n"
    assert first.received_at.date() == dt.date(2025, 11, 30)
    assert Customer.objects.get().name == "Globex"


def test_customers_are_matched_by_external_id_then_by_name_in_any_case(pm: Persona) -> None:
    from lodestar.discovery import services

    globex = services.customer_create(actor=pm.actor, name="Globex", external_id="crm-1")
    text = "text,customer,customer id\nOne,Whatever,crm-1\nTwo,GLOBEX,\nThree,Umbrella,crm-9\n"
    report = _import(pm, text)
    assert report.customers_created == 1  # type: ignore[attr-defined]
    assert Feedback.objects.filter(customer=globex).count() == 2
    umbrella = Customer.objects.get(name="Umbrella")
    assert umbrella.external_id == "crm-9"


def test_a_contact_at_two_customers_is_refused(pm: Persona) -> None:
    text = "text,customer,email\nOne,Globex,ana@x.test\nTwo,Initech,ana@x.test\nThree,,ana@x.test\n"
    refused = _refused(pm, text)
    assert [(e.line, e.column, e.message) for e in refused.report.errors] == [
        (3, "email", "works at another customer than Initech")
    ]


def test_no_create_customers_reports_each_unknown_customer(pm: Persona) -> None:
    from lodestar.discovery import services

    services.customer_create(actor=pm.actor, name="Globex")
    refused = _refused(pm, FEEDBACK, create_customers=False)
    assert [(e.line, e.column) for e in refused.report.errors] == [(3, "Company")]
    assert "no customer “Initech”" in refused.report.errors[0].message
    assert refused.code == Code.IMPORT_ROWS_INVALID
    assert refused.errors[0].field == "line 3"


def test_the_mapping_can_be_overridden(pm: Persona) -> None:
    text = "Subject,Verbatim,Company\nExport,Exports are slow,Globex\n"
    report = _import(pm, text, mapping={"text": "verbatim", "customer": ""})
    assert report.mapping == {"text": "Verbatim"}  # type: ignore[attr-defined]
    assert Feedback.objects.get().customer is None


def test_ambiguous_dates_need_a_date_format(pm: Persona) -> None:
    text = "text,date\nOne,03/04/2026\nTwo,05/06/2026\n"
    message = _file_error(pm, text)
    assert message.startswith("date_format: dates such as “03/04/2026” (line 2)")
    _import(pm, text, date_format="mm/dd/yyyy")
    assert Feedback.objects.get(text="One").received_at.date() == dt.date(2026, 3, 4)


def test_a_day_over_twelve_settles_the_order_of_the_column(pm: Persona) -> None:
    _import(pm, "text,date\nOne,03/04/2026\nTwo,25/06/2026\n")
    assert Feedback.objects.get(text="One").received_at.date() == dt.date(2026, 4, 3)


def test_html_and_script_are_stored_as_text_and_shown_escaped(pm: Persona) -> None:
    _import(pm, 'text\n"<script>alert(1)</script><b onclick=x>hi</b>"\n')
    feedback = Feedback.objects.get()
    assert feedback.text == "<script>alert(1)</script><b onclick=x>hi</b>"
    assert "<script" not in feedback.text_html
    assert "onclick" not in feedback.text_html


def test_a_viewer_may_not_import(viewer: Persona) -> None:
    with pytest.raises(Forbidden):
        feedback_import(actor=viewer.actor, data=FEEDBACK.encode(), dry_run=True)


# -- bad files: refused as a whole, nothing written ------------------------------------------


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "is empty"),
        (b"  \n\n", "is empty"),
        (b"text\n", "has a header line and no rows"),
        (b"text\n\n\n", "has a header line and no rows"),
        (b"PK\x03\x04\x00\x00binary", "holds binary data"),
        ("text\ncaf\u00e9\n".encode("latin-1"), "is not UTF-8 text (byte 0xE9 on line 2)"),
        ("text\nhi\n".encode("utf-16"), "is UTF-16 text"),
        (b'text\n"never closed\n', "cannot be read as CSV"),
        (b"text,date\na,2026-01-01,extra\n", "line 2 has 3 cells but the header has 2"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(pm: Persona, data: bytes, says: str) -> None:
    assert says in _file_error(pm, data)


def test_a_missing_required_column_names_the_columns_found_and_expected(pm: Persona) -> None:
    message = _file_error(pm, "Company,Date\nGlobex,2026-01-01\n")
    assert message.startswith("file: has no column for “text” (a header such as text, feedback")
    assert "its columns are “Company”, “Date”" in message


def test_a_mapping_to_a_column_that_is_not_there_is_refused(pm: Persona) -> None:
    message = _file_error(pm, FEEDBACK, mapping={"text": "Verbatim"})
    assert message.startswith("map: text: the file has no column “Verbatim”; its columns are")
    assert "is not a field" in _file_error(pm, FEEDBACK, mapping={"colour": "Feedback"})


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    class Stream(io.BytesIO):
        read_sizes: list[int] = []

        def read(self, size: int | None = -1) -> bytes:
            self.read_sizes.append(size or -1)
            return super().read(size)

    with pytest.raises(Invalid) as exc:
        read_limited(Stream(b""), size=50 * 1024 * 1024)
    assert exc.value.code == Code.IMPORT_FILE_TOO_LARGE
    assert "is 50.0 MB; the largest file taken is 25 MB" in exc.value.errors[0].message
    assert Stream.read_sizes == []
    stream = Stream(b"x" * (IMPORT_MAX_BYTES + 10))
    with pytest.raises(Invalid, match="larger than 25 MB"):
        read_limited(stream)
    assert Stream.read_sizes == [IMPORT_MAX_BYTES + 1]


def test_bad_rows_are_all_reported_and_nothing_is_imported(pm: Persona) -> None:
    text = (
        "text,date,source,email,tags\n"
        "Fine,2026-01-01,support,,\n"
        ",2026-01-01,,,\n"
        "Bad,yesterday,carrier pigeon,not-an-email,\n"
        f"Tags,2026-01-01,,,{';'.join(f't{n}' for n in range(30))}\n"
    )
    refused = _refused(pm, text)
    assert sorted((e.line, e.column) for e in refused.report.errors) == [
        (3, "text"),
        (4, "date"),
        (4, "email"),
        (4, "source"),
        (5, "tags"),
    ]
    messages = {(e.line, e.column): e.message for e in refused.report.errors}
    assert messages[4, "date"].startswith("“yesterday” is not a date such as 2026-11-30")
    assert messages[5, "tags"] == "must be at most 20 tags"
    assert refused.detail.startswith("5 problems in the file; nothing was imported: line 3")
    assert not Customer.all_objects.exists()
    assert not HistoryEntry.objects.exists()


# -- rendering -------------------------------------------------------------------------------


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(
                [*"awWxZ 019,;.'\"?()/%!+=-*_#<>&:@\\[]`~|$^{}\n\t\r\xa0é\u2019😀\u2028"]
            ),
            max_size=30,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_plain_text_renders_as_markdown_would(parts: list[str]) -> None:
    text = "\n".join(parts).strip()
    assert feedback_html(text) == render_markdown(text)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from([*"abcXY  ,.:;'?()!%/#1-\n", "é", "\u2019"]), max_size=30),
        min_size=1,
        max_size=4,
    )
)
def test_mostly_plain_text_renders_as_markdown_would(parts: list[str]) -> None:
    text = "\n".join(parts).strip()
    assert feedback_html(text) == render_markdown(text)


@pytest.mark.parametrize(
    "text",
    [
        "Exports are slow",
        "Exports are slow, really.\nSecond line of the same paragraph",
        "One paragraph.\n\nAnother one (with brackets) and 50% more!",
        "Line with trailing space \nnext",
        "Visit www.example.com now",
        "a\n\n\nb",
        "I can't export: it fails after 3 minutes (every time) and I lose my work\u2019s state.",
        "Café owners say “it\u2019s slow” 😀\nSee ticket #42 for details; 100% reproducible",
        "ana at example dot com says: ok",
        "Tab\tinside",
        "No\xa0break",
    ],
)
def test_plain_paragraphs_render_as_markdown_would(text: str) -> None:
    assert feedback_html(text) == render_markdown(text)


# -- customers --------------------------------------------------------------------------------


CUSTOMERS = (
    "Company,Segment,Plan,ARR,CRM ID,Notes\n"
    'Globex,Enterprise,Scale,"120,000.50",crm-1,Big\n'
    "Initech,SMB,Starter,9000,,\n"
)


def test_customers_are_added_then_updated_then_left_alone(pm: Persona) -> None:
    report = customers_import(actor=pm.actor, data=CUSTOMERS.encode())
    assert (report.created, report.updated) == (2, 0)
    globex = Customer.objects.get(name="Globex")
    assert (globex.arr, globex.external_id, globex.segment) == (
        Decimal("120000.50"),
        "crm-1",
        "Enterprise",
    )
    again = customers_import(actor=pm.actor, data=CUSTOMERS.encode())
    assert (again.created, again.updated, again.skipped) == (0, 0, 2)
    changed = CUSTOMERS.replace("9000", "9500").replace("Globex,", "Globex Corp,")
    report = customers_import(actor=pm.actor, data=changed.encode())
    assert (report.created, report.updated) == (0, 2)
    globex.refresh_from_db()
    assert (globex.name, globex.version) == ("Globex Corp", 2)  # found by its external id
    assert Customer.objects.get(name="Initech").arr == Decimal("9500.00")
    update = HistoryEntry.objects.get(object_id=globex.pk, action="updated")
    assert update.changes == {"name": ["Globex", "Globex Corp"]}


def test_a_bad_number_names_line_and_column_and_imports_nothing(pm: Persona) -> None:
    text = CUSTOMERS + "Hooli,SMB,,lots,,\nUmbrella,SMB,,-5,,\n"
    with pytest.raises(ImportRefused) as exc:
        customers_import(actor=pm.actor, data=text.encode())
    assert [(e.line, e.column) for e in exc.value.report.errors] == [(4, "ARR"), (5, "ARR")]
    assert "must be an amount of money" in exc.value.report.errors[0].message
    assert not Customer.all_objects.exists()


def test_customers_import_without_creating_reports_unknown_rows(pm: Persona) -> None:
    report = customers_import(
        actor=pm.actor, data=CUSTOMERS.encode(), create_customers=False, dry_run=True
    )
    assert [(e.line, e.column) for e in report.errors] == [(2, "Company"), (3, "Company")]


def test_a_customer_named_twice_in_a_file_is_refused(pm: Persona) -> None:
    with pytest.raises(ImportRefused) as exc:
        customers_import(actor=pm.actor, data=(CUSTOMERS + "GLOBEX,,,,,\n").encode())
    assert exc.value.report.errors[0].message == "names the same customer as line 2"


def test_an_external_id_is_not_silently_replaced(pm: Persona) -> None:
    customers_import(actor=pm.actor, data=CUSTOMERS.encode())
    text = "name,external id\nGlobex,crm-7\n"
    with pytest.raises(ImportRefused) as exc:
        customers_import(actor=pm.actor, data=text.encode())
    assert "Globex has the external id crm-1 here; the file says crm-7" in str(exc.value)


def test_parse_counts_physical_lines() -> None:
    table = parse(b'a,b\r\n"x\r\ny",1\r\n\r\nz,2\r\n')
    assert [(row.line, row.cells) for row in table.rows] == [(2, ["x\r\ny", "1"]), (5, ["z", "2"])]


def test_the_garbage_collector_is_back_on_after_an_import_refused_or_not(pm: Persona) -> None:
    import gc

    assert gc.isenabled()
    _import(pm, FEEDBACK)
    assert gc.isenabled()
    with pytest.raises(ImportRefused):
        _import(pm, "text,date\nx,never\n")
    assert gc.isenabled()
    gc.disable()
    try:
        _import(pm, "text\nOther words\n")
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_received_dates_default_to_now(pm: Persona) -> None:
    before = timezone.now()
    _import(pm, "text\nNo date here\n")
    assert Feedback.objects.get().received_at >= before
