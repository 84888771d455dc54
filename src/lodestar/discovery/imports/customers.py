"""Importing customers from a CSV file (a CRM export): each row matched to a customer by
external id, then by name in any case; a match is updated with the cells the row fills (an
empty cell keeps what is there), an unknown customer is added (or refused, when the import may
not add customers). Every row is checked by ``customer_create``'s rules; one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lodestar.core.db import bulk_update_values, insert_rows
from lodestar.core.errors import Invalid
from lodestar.core.history import Change, _plain, history_record_many
from lodestar.core.models import HistoryEntry
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.imports.columns import CUSTOMER_FIELDS, resolve
from lodestar.discovery.imports.csvfile import parse
from lodestar.discovery.imports.report import (
    ImportRefused,
    ImportReport,
    Progress,
    bulk_pauses_off,
)
from lodestar.discovery.models import Customer
from lodestar.discovery.services import (
    EXTERNAL_ID_MAX,
    NAME_MAX,
    NOTES_MAX,
    SHORT_MAX,
    _text,
    clean_arr,
)
from lodestar.people.policy import Actor, Permission, require

Action = HistoryEntry.Action


def name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a customer's name, if anything."""
    try:
        _text(name, "name", NAME_MAX, Code.CUSTOMER_NAME_INVALID, required=True)
    except Invalid as error:
        return error.errors[0].message
    return None


class CustomerBook:
    """The workspace's customers, found by external id or by name in any case, and the ones an
    import adds (written by ``write``)."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.by_external: dict[str, Customer] = {}
        self.by_name: dict[str, Customer] = {}
        for customer in Customer.objects.filter(workspace_id=actor.workspace_id):
            self._remember(customer)
        # External ids are unique among trashed customers too.
        self.external_taken = set(
            Customer.all_objects.filter(workspace_id=actor.workspace_id)
            .exclude(external_id="")
            .values_list("external_id", flat=True)
        )
        self.new: list[Customer] = []

    def _remember(self, customer: Customer) -> None:
        if customer.external_id:
            self.by_external[customer.external_id] = customer
        self.by_name[customer.name.lower()] = customer

    def find(self, *, external_id: str, name: str) -> Customer | None:
        found = self.by_external.get(external_id) if external_id else None
        if found is None and name:
            found = self.by_name.get(name.lower())
        return found

    def add(self, *, name: str, external_id: str = "", **fields: Any) -> Customer:
        taken = external_id in self.external_taken
        customer = Customer(
            workspace_id=self.actor.workspace_id,
            name=name,
            external_id="" if taken else external_id,
            **fields,
        )
        self._remember(customer)
        if customer.external_id:
            self.external_taken.add(customer.external_id)
        self.new.append(customer)
        return customer

    def write(self) -> None:
        insert_rows(Customer, self.new)

    def changes(self, user: Any) -> list[Change]:
        return [
            Change(obj=c, action=Action.CREATED, changes={"name": c.name}, actor=user)
            for c in self.new
        ]


_SHORT = {"segment": SHORT_MAX, "plan": SHORT_MAX, "external_id": EXTERNAL_ID_MAX}


def _values(
    cells: Mapping[str, str], report: ImportReport, line: int, header: Any
) -> dict[str, Any]:
    """The row's given values (an empty cell is not given), each checked; errors reported."""
    values: dict[str, Any] = {}
    for name, cell in cells.items():
        try:
            if name == "name":
                values[name] = _text(
                    cell, "name", NAME_MAX, Code.CUSTOMER_NAME_INVALID, required=True
                )
            elif not cell.strip():
                continue
            elif name == "arr":
                values[name] = clean_arr(cell)
            elif name == "notes":
                values[name] = _text(
                    cell, "notes", NOTES_MAX, Code.CUSTOMER_NAME_INVALID, required=False
                )
            else:
                values[name] = _text(
                    cell, name, _SHORT[name], Code.CUSTOMER_NAME_INVALID, required=False
                )
        except Invalid as error:
            report.add_error(line, header(name), "; ".join(e.message for e in error.errors))
    return values


def customers_import(
    *,
    actor: Actor,
    data: bytes,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    create_customers: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the customers in the CSV ``data`` (add the unknown, update the known); on a dry
    run, only say what would happen. Bad rows are reported by line and column and, unless it is
    a dry run, refuse the import (``ImportRefused``): nothing is written."""
    require(actor, Permission.EDIT_CONTENT)
    table = parse(data)
    columns = resolve(CUSTOMER_FIELDS, table.headers, mapping)
    report = ImportReport(
        kind="customers",
        dry_run=dry_run,
        rows=len(table.rows),
        mapping={name: columns.header(name) for name in columns.columns},
        headers=table.headers,
        delimiter=table.delimiter,
    )
    header = columns.header
    with bulk_pauses_off(), transaction.atomic():
        book = CustomerBook(actor)
        lines: dict[int, int] = {}  # id() of a customer -> the line that named it
        updates: list[tuple[Customer, dict[str, list[Any]]]] = []
        for count, row in enumerate(table.rows, start=1):
            if progress is not None and count % 5000 == 0:
                progress(count, len(table.rows))
            cells = {name: row.cells[index] for name, index in columns.columns.items()}
            errors = report.error_count
            values = _values(cells, report, row.line, header)
            if report.error_count > errors:
                continue
            name, external_id = values["name"], values.get("external_id", "")
            target = book.find(external_id=external_id, name=name)
            if target is not None and id(target) in lines:
                report.add_error(
                    row.line, "", f"names the same customer as line {lines[id(target)]}"
                )
                continue
            if target is None:
                if not create_customers:
                    report.add_error(
                        row.line,
                        header("name"),
                        f"no customer “{name}” in this workspace; add it first, or let the "
                        "import add customers",
                    )
                    continue
                if external_id and external_id in book.external_taken:
                    report.add_error(
                        row.line,
                        header("external_id"),
                        f"{external_id} is already the external id of a customer in this "
                        "workspace (in the trash)",
                    )
                    continue
                lines[id(book.add(**values))] = row.line
                continue
            lines[id(target)] = row.line
            changes = _changes(book, target, values, report, row.line, header)
            if changes is None:
                continue
            if changes:
                updates.append((target, changes))
            else:
                report.skipped += 1
        report.created = report.customers_created = len(book.new)
        report.updated = len(updates)
        report.finish()
        if not report.ok and not dry_run:
            raise ImportRefused(report)
        if dry_run or not report.ok:
            return report
        _write(actor, book, updates)
    return report


def _changes(
    book: CustomerBook,
    target: Customer,
    values: dict[str, Any],
    report: ImportReport,
    line: int,
    header: Any,
) -> dict[str, list[Any]] | None:
    """``{field: [before, after]}`` for what the row changes on ``target`` (None: refused)."""
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(target, name)
        if before == value:
            continue
        if name == "name":
            other = book.by_name.get(value.lower())
            if other is not None and other is not target:
                report.add_error(
                    line, header(name), f"{value} is already a customer in this workspace"
                )
                return None
        if name == "external_id":
            if target.external_id:
                report.add_error(
                    line,
                    header(name),
                    f"{target.name} has the external id {target.external_id} here; the file "
                    f"says {value}",
                )
                return None
            if value in book.external_taken:
                report.add_error(
                    line,
                    header(name),
                    f"{value} is already the external id of a customer in this workspace",
                )
                return None
        changes[name] = [before, value]
    return changes


def _write(
    actor: Actor, book: CustomerBook, updates: list[tuple[Customer, dict[str, list[Any]]]]
) -> None:
    now = timezone.now()
    fields = ["name", "segment", "plan", "arr", "external_id", "notes", "version", "updated_at"]
    for customer, changes in updates:
        for name, (_, after) in changes.items():
            setattr(customer, name, after)
        customer.version += 1
        customer.updated_at = now
    try:
        with transaction.atomic():
            book.write()
            bulk_update_values(Customer, [customer for customer, _ in updates], fields)
    except IntegrityError as exc:  # names swapped between rows, or a customer added meanwhile
        raise Invalid.field(
            "file",
            "two rows give customers the same name or external id, or a customer it names was "
            "added while it was being imported",
            code=Code.IMPORT_ROWS_INVALID,
        ) from exc
    history_record_many(
        workspace_id=actor.workspace_id,
        changes=[
            *book.changes(actor.user),
            *(
                Change(
                    obj=customer,
                    action=Action.UPDATED,
                    changes={name: [_plain(b), _plain(a)] for name, (b, a) in changes.items()},
                    actor=actor.user,
                )
                for customer, changes in updates
            ),
        ],
    )
