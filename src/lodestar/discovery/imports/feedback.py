"""Importing feedback from a CSV file: every row checked by the rules ``feedback_create``
applies, customers found (or made) and contacts found (or made), then everything written in
one transaction with one history entry per row created. A row already imported (same
fingerprint) is skipped, so importing a file again creates nothing new."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lodestar.core.db import insert_rows
from lodestar.core.errors import Invalid
from lodestar.core.history import Change, history_record_many
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.imports.columns import FEEDBACK_FIELDS, ColumnMap, resolve
from lodestar.discovery.imports.csvfile import Row, parse
from lodestar.discovery.imports.customers import CustomerBook, name_problem
from lodestar.discovery.imports.dates import clean_format, column_order, parse_date
from lodestar.discovery.imports.report import (
    ImportRefused,
    ImportReport,
    Progress,
    bulk_pauses_off,
)
from lodestar.discovery.models import Contact, Customer, Feedback, FeedbackSource, FeedbackState
from lodestar.discovery.services import (
    NOTES_MAX,
    TEXT_MAX,
    _check_contact,
    _same_workspace,
    _text,
    clean_email,
    clean_received_at,
    clean_source,
    clean_tags,
)
from lodestar.people.policy import Actor, Permission, require

Action = HistoryEntry.Action
_TAG_SPLIT = re.compile(r"[,;|]")
# Rows per query when looking for rows already imported.
LOOKUP_BATCH = 2000
PROGRESS_EVERY = 5000


# What a line of plain prose never holds: Markdown's inline marks, HTML, entities, escapes,
# tables, and an address's "@" (link detection also looks for "//" and "www", below).
_MARKUP = re.compile(r"[*_`\[\]<>&\\~|@]")
# What starts a block (headings, quotes, lists, rules, fences, tables, HTML) or a numbered item.
_BLOCK_START = frozenset("#>-+*=_`~|<0123456789")


def _prose(line: str) -> bool:
    """Whether ``line`` renders as itself inside a paragraph: printable (no tabs, controls or
    no-break spaces, which the sanitizer writes as entities), no space at either end, no block
    start, no markup and nothing link detection would take for an address."""
    return (
        line.isprintable()
        and line[:1] not in _BLOCK_START
        and not line[0].isspace()
        and not line[-1].isspace()
        and _MARKUP.search(line) is None
        and "//" not in line
        and "www" not in line.lower()
    )


def feedback_html(text: str) -> str:
    """``render_markdown(text)``, without parsing text made of paragraphs of plain prose,
    whose HTML is known: most imported feedback is such text, and parsing costs a hundred
    times the check. A property test compares both paths on generated text."""
    if text:
        paragraphs = [part.split("\n") for part in text.split("\n\n")]
        if all(line and _prose(line) for lines in paragraphs for line in lines):
            return "".join(f"<p>{chr(10).join(lines)}</p>\n" for lines in paragraphs)
    return render_markdown(text)


@dataclass
class _Parsed:
    """One row's checked values, before its customer and contact are found."""

    line: int
    text: str
    source: str
    received_at: dt.datetime
    tags: list[str]
    notes: str
    customer_name: str
    customer_id: str
    email: str
    fingerprint: str


class _Memo:
    """A check run once per distinct cell value (a file repeats its sources, dates and tags
    on thousands of rows): its result, or the message of its refusal."""

    def __init__(self, check: Callable[[str], Any]) -> None:
        self.check = check
        self.seen: dict[str, tuple[Any, str | None]] = {}

    def __call__(self, value: str) -> tuple[Any, str | None]:
        found = self.seen.get(value)
        if found is None:
            try:
                found = (self.check(value), None)
            except Invalid as error:
                found = (None, _message(error))
            except ValueError as error:
                found = (None, str(error))
            self.seen[value] = found
        return found


def _cell(row: Row, columns: Mapping[str, int], name: str) -> str:
    index = columns.get(name)
    return "" if index is None else row.cells[index].strip()


def _message(error: Invalid) -> str:
    return "; ".join(e.message for e in error.errors) or error.detail


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _parse_rows(
    rows: list[Row],
    columns: ColumnMap,
    report: ImportReport,
    *,
    default_source: str,
    date_format: str | None,
    progress: Progress | None,
) -> list[_Parsed]:
    index = columns.columns
    header = columns.header
    now = timezone.now()
    order = None
    if "received_at" in index:
        column = index["received_at"]
        order = column_order(
            ((row.line, row.cells[column]) for row in rows if row.cells[column].strip()),
            date_format,
            header("received_at"),
        )
    sources = _Memo(clean_source)
    dates = _Memo(lambda value: clean_received_at(parse_date(value, order)))
    tag_lists = _Memo(lambda value: clean_tags(_TAG_SPLIT.split(value)))
    parsed: list[_Parsed] = []
    total = len(rows)
    for count, row in enumerate(rows, start=1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count, total)
        problems = len(report.errors)
        try:
            text = _text(
                row.cells[index["text"]], "text", TEXT_MAX, Code.FEEDBACK_TEXT_INVALID,
                required=True,
            )  # fmt: skip
        except Invalid as error:
            report.add_error(row.line, header("text"), _message(error))
            text = ""
        source = default_source
        source_cell = _cell(row, index, "source")
        if source_cell:
            source, problem = sources(source_cell)
            if problem:
                report.add_error(row.line, header("source"), problem)
        received_at = now
        when = _cell(row, index, "received_at")
        if when:
            received_at, problem = dates(when)
            if problem:
                report.add_error(row.line, header("received_at"), problem)
        tags: list[str] = []
        tag_cell = _cell(row, index, "tags")
        if tag_cell:
            tags, problem = tag_lists(tag_cell)
            if problem:
                report.add_error(row.line, header("tags"), problem)
        notes = ""
        if "notes" in index:
            try:
                notes = _text(
                    row.cells[index["notes"]], "notes", NOTES_MAX, Code.FEEDBACK_TEXT_INVALID,
                    required=False,
                )  # fmt: skip
            except Invalid as error:
                report.add_error(row.line, header("notes"), _message(error))
        email = ""
        if "email" in index:
            try:
                email = clean_email(row.cells[index["email"]])
            except Invalid as error:
                report.add_error(row.line, header("email"), _message(error))
        customer_name = _cell(row, index, "customer")
        if customer_name:
            problem = name_problem(customer_name)
            if problem:
                report.add_error(row.line, header("customer"), problem)
        customer_id = _cell(row, index, "customer_id")
        if len(report.errors) > problems:
            continue
        parsed.append(
            _Parsed(
                line=row.line,
                text=text,
                source=source,
                received_at=received_at,
                tags=tags,
                notes=notes,
                customer_name=customer_name,
                customer_id=customer_id,
                email=email,
                fingerprint=_fingerprint(
                    text,
                    customer_id or customer_name.lower(),
                    email,
                    received_at.isoformat() if when else "",
                ),
            )
        )
    return parsed


def _new_rows(actor: Actor, parsed: list[_Parsed], report: ImportReport) -> list[_Parsed]:
    """The rows not imported before and not repeating an earlier line of the file."""
    seen: set[str] = set()
    unique: list[_Parsed] = []
    for row in parsed:
        if row.fingerprint in seen:
            report.skipped += 1
            continue
        seen.add(row.fingerprint)
        unique.append(row)
    stored: set[str] = set()
    prints = [row.fingerprint for row in unique]
    imported = Feedback.all_objects.filter(workspace_id=actor.workspace_id).exclude(fingerprint="")
    if not imported.exists():  # a first import: nothing to look up row by row
        prints = []
    for start in range(0, len(prints), LOOKUP_BATCH):
        # With the blank fingerprint excluded the database uses the partial unique index.
        batch = prints[start : start + LOOKUP_BATCH]
        stored.update(imported.filter(fingerprint__in=batch).values_list("fingerprint", flat=True))
    report.skipped += len(stored)
    return [row for row in unique if row.fingerprint not in stored]


class _Contacts:
    """The workspace's contacts named by the file, and the ones to make."""

    def __init__(self, actor: Actor, emails: set[str]) -> None:
        self.actor = actor
        self.known: dict[str, Contact] = {}
        wanted = sorted(emails)
        for start in range(0, len(wanted), LOOKUP_BATCH):
            for contact in Contact.objects.filter(
                workspace_id=actor.workspace_id, email__in=wanted[start : start + LOOKUP_BATCH]
            ).select_related("customer"):
                self.known[contact.email] = contact
        self.new: list[tuple[Contact, Customer | None]] = []
        # The customer of each contact this file adds, by email.
        self.pending: dict[str, Customer | None] = {}

    def find(self, email: str, customer: Customer | None) -> Contact:
        contact = self.known.get(email)
        if contact is None:
            self.pending[email] = customer
            contact = Contact(
                workspace_id=self.actor.workspace_id,
                email=email,
                customer_id=customer.pk if customer is not None else None,
            )
            self.known[email] = contact
            self.new.append((contact, customer))
        return contact


def feedback_import(
    *,
    actor: Actor,
    data: bytes,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    date_format: str | None = None,
    create_customers: bool = True,
    source: str | None = None,
    product: Any = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the feedback in the CSV ``data``; on a dry run, only say what would happen.

    A file that cannot be read, or lacks a text column, is refused as a whole (422 naming the
    file). Bad rows are listed in the report by line and column; unless it is a dry run they
    refuse the import (``ImportRefused``) and nothing is written. ``mapping`` overrides the
    columns found (field -> header; an empty header leaves the field out). Customers are
    matched by external id, then by name in any case, and made when unknown unless
    ``create_customers`` is False; contacts are matched by email and made when unknown.
    """
    require(actor, Permission.EDIT_CONTENT)
    _same_workspace(actor, "product", product)
    default_source = clean_source(source) if source else FeedbackSource.IMPORT
    order = clean_format(date_format)
    with bulk_pauses_off():
        return _import(
            actor,
            data,
            mapping,
            dry_run=dry_run,
            date_format=order,
            create_customers=create_customers,
            default_source=default_source,
            product=product,
            progress=progress,
        )


def _import(
    actor: Actor,
    data: bytes,
    mapping: Mapping[str, str] | None,
    *,
    dry_run: bool,
    date_format: str | None,
    create_customers: bool,
    default_source: str,
    product: Any,
    progress: Progress | None,
) -> ImportReport:
    table = parse(data)
    columns = resolve(FEEDBACK_FIELDS, table.headers, mapping)
    report = ImportReport(
        kind="feedback",
        dry_run=dry_run,
        rows=len(table.rows),
        mapping={name: columns.header(name) for name in columns.columns},
        headers=table.headers,
        delimiter=table.delimiter,
    )
    parsed = _parse_rows(
        table.rows,
        columns,
        report,
        default_source=default_source,
        date_format=date_format,
        progress=progress,
    )
    with transaction.atomic():
        planned = _plan(actor, parsed, columns, report, create_customers=create_customers)
        report.finish()
        if not report.ok and not dry_run:
            raise ImportRefused(report)
        if dry_run or not report.ok:
            return report
        _write(actor, planned, product=product, progress=progress, total=len(table.rows))
    return report


@dataclass
class _Plan:
    rows: list[tuple[_Parsed, Customer | None, Contact | None]]
    customers: CustomerBook
    contacts: _Contacts


def _plan(
    actor: Actor,
    parsed: list[_Parsed],
    columns: ColumnMap,
    report: ImportReport,
    *,
    create_customers: bool,
) -> _Plan:
    fresh = _new_rows(actor, parsed, report)
    book = CustomerBook(actor)
    contacts = _Contacts(actor, {row.email for row in fresh if row.email})
    index = columns.columns
    header = columns.header
    planned: list[tuple[_Parsed, Customer | None, Contact | None]] = []
    for row in fresh:
        customer: Customer | None = None
        if row.customer_id or row.customer_name:
            customer = book.find(external_id=row.customer_id, name=row.customer_name)
            if customer is None:
                column = header("customer" if "customer" in index else "customer_id")
                if not row.customer_name:
                    report.add_error(
                        row.line,
                        column,
                        f"no customer with external id “{row.customer_id}” in this workspace; "
                        "give its name in a customer column to add it",
                    )
                    continue
                if not create_customers:
                    report.add_error(
                        row.line,
                        column,
                        f"no customer “{row.customer_name}” in this workspace; add it first, or "
                        "let the import add customers",
                    )
                    continue
                customer = book.add(name=row.customer_name, external_id=row.customer_id)
        contact: Contact | None = None
        if row.email:
            contact = contacts.find(row.email, customer)
            try:
                _check_contact(actor, customer, contact)
            except Invalid as error:
                report.add_error(row.line, header("email"), _message(error))
                continue
            at = contacts.pending.get(row.email, customer)
            if customer is not None and at is not None and at is not customer:
                # A contact this file adds, at the customer an earlier row gave it.
                report.add_error(
                    row.line, header("email"), f"works at another customer than {customer.name}"
                )
                continue
            if customer is None and contact.customer_id is not None:
                customer = contact.customer
        planned.append((row, customer, contact))
    report.created = len(planned)
    report.customers_created = len(book.new)
    report.contacts_created = len(contacts.new)
    return _Plan(rows=planned, customers=book, contacts=contacts)


def _write(
    actor: Actor, plan: _Plan, *, product: Any, progress: Progress | None, total: int
) -> None:
    user = actor.user
    workspace_id = actor.workspace_id
    try:
        with transaction.atomic():
            plan.customers.write()
            new_contacts = [contact for contact, _ in plan.contacts.new]
            for contact, customer in plan.contacts.new:
                contact.customer_id = customer.pk if customer is not None else None
            insert_rows(Contact, new_contacts)
    except IntegrityError as exc:  # a customer or contact added meanwhile by someone else
        raise Invalid.field(
            "file",
            "a customer or contact it names was added while it was being imported; import it again",
            code=Code.IMPORT_ROWS_INVALID,
        ) from exc
    now = timezone.now()
    base: dict[str, Any] = {
        "id": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "deleted_at": None,
        "deleted_by_id": None,
        "workspace_id": workspace_id,
        "product_id": product.pk if product is not None else None,
        "captured_by_id": user.pk,
        "state": FeedbackState.NEW.value,
    }
    names = [field.attname for field in Feedback._meta.concrete_fields]
    feedback: list[Feedback] = []
    for row, customer, known in plan.rows:
        values = {
            **base,
            "text": row.text,
            "text_html": feedback_html(row.text),
            "source": row.source,
            "received_at": row.received_at,
            "customer_id": customer.pk if customer is not None else None,
            "contact_id": known.pk if known is not None else None,
            "tags": row.tags,
            "notes": row.notes,
            "fingerprint": row.fingerprint,
        }
        # Positional arguments take Django's quick path through the model's constructor.
        feedback.append(Feedback(*(values[name] for name in names)))
    insert_rows(Feedback, feedback)
    if progress is not None:
        progress(total, total)
    history_record_many(
        workspace_id=workspace_id,
        changes=[
            *plan.customers.changes(user),
            *(
                Change(
                    obj=contact,
                    action=Action.CREATED,
                    changes={"name": contact.name, "email": contact.email},
                    actor=user,
                )
                for contact, _ in plan.contacts.new
            ),
            *(
                Change(
                    obj=item,
                    action=Action.CREATED,
                    changes={"source": item.source, "customer": item.customer_id},
                    actor=user,
                )
                for item in feedback
            ),
        ],
    )
