"""``lodestar customers ...`` and ``lodestar feedback ...``: customers and what they said, from
the terminal, through the same services (and rules) as the API and the pages.

    lodestar customers list -w acme [--segment SMB] [-q glob] [--json]
    lodestar customers add "Globex" -w acme --segment Enterprise --arr 120000 --external-id crm-1
    lodestar customers show Globex -w acme [--json]        (an id, an external id or a name)
    lodestar customers merge Initech --into Globex -w acme
    lodestar customers import crm.csv -w acme [--dry-run] [--map name=Account]
        [--no-create-customers]
    lodestar feedback list -w acme [--state new] [--source support] [--customer Globex] [--json]
    lodestar feedback add "Exports take forever" -w acme --customer Globex --tag export
    lodestar feedback show 42 -w acme [--json]
    lodestar feedback import notes.csv -w acme [--dry-run] [--map text=Comment]
        [--date-format dd/mm/yyyy] [--no-create-customers] [--source support] [--product ACME]

Every command acts as a workspace member: ``--as EMAIL``, or the workspace's only owner. An
import writes everything or nothing: a bad row is listed with its line and column, and the
command ends with exit code 2 having imported nothing (``--dry-run`` lists them too, writing
nothing in any case).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import EXIT_BAD_INPUT, CliError, JsonOption, checked_limit

if TYPE_CHECKING:
    from lodestar.discovery.imports import ImportReport
    from lodestar.discovery.models import Customer, Feedback

customers_app = typer.Typer(help="Customers: who they are, their segment and ARR.")
feedback_app = typer.Typer(help="Feedback: what customers said, in their words.")
customers_app.info.no_args_is_help = True
feedback_app.info.no_args_is_help = True

LimitOption = Annotated[int, typer.Option(help="How many, at most (1-500).")]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="FIELD=COLUMN: read FIELD from the column with this header (FIELD= leaves the "
        "field out); repeat for several.",
    ),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Only report what the import would do; write nothing.")
]
NoCreateOption = Annotated[
    bool,
    typer.Option(
        "--no-create-customers",
        help="Refuse rows naming a customer that does not exist (each one is reported).",
    ),
]
# A file this large gets a progress bar while it is checked and written.
PROGRESS_BYTES = 1024 * 1024


# -- customers ---------------------------------------------------------------------------------


def customer_data(customer: Customer, currency: str) -> dict[str, Any]:
    """The customer with the keys the API answers (so scripts can use either)."""
    return {
        "id": customer.pk,
        "name": customer.name,
        "segment": customer.segment,
        "plan": customer.plan,
        "arr": str(customer.arr) if customer.arr is not None else None,
        "currency": currency,
        "external_id": customer.external_id,
        "notes": customer.notes,
        "feedback_count": getattr(customer, "feedback_count", None),
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
        "version": customer.version,
    }


CUSTOMER_COLUMNS = [
    ("id", "Id"),
    ("name", "Customer"),
    ("segment", "Segment"),
    ("plan", "Plan"),
    ("arr", "ARR"),
    ("external_id", "External id"),
    ("feedback_count", "Feedback"),
]


@customers_app.command("list")
def customers_list(
    workspace: WorkspaceOption,
    email: AsOption = None,
    segment: Annotated[str | None, typer.Option(help="Only this segment.")] = None,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Name contains.")] = None,
    limit: LimitOption = 100,
    as_json: JsonOption = False,
) -> None:
    """List the workspace's customers by name, with how much feedback each has."""
    setup_django()
    from lodestar.discovery.selectors import customer_list

    actor = acting(workspace, email)
    rows = customer_list(actor=actor, segment=segment, q=(search or "").strip()).order_by(
        "name", "id"
    )[: checked_limit(limit)]
    currency = actor.workspace.currency
    output.print_listing(
        [customer_data(customer, currency) for customer in rows],
        CUSTOMER_COLUMNS,
        as_json=as_json,
        title="Customers",
        empty="No customers (or none matches).",
        one_line={"name": 2},
    )


@customers_app.command("add")
def customers_add(
    name: Annotated[str, typer.Argument(help="The company's name.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    segment: Annotated[str, typer.Option(help="Its segment, such as SMB.")] = "",
    plan: Annotated[str, typer.Option(help="Its plan.")] = "",
    arr: Annotated[str | None, typer.Option(help="Annual recurring revenue.")] = None,
    external_id: Annotated[str, typer.Option(help="The CRM's key for it.")] = "",
    notes: Annotated[str, typer.Option(help="Notes.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Add a customer."""
    setup_django()
    from lodestar.discovery import services

    actor = acting(workspace, email)
    customer = services.customer_create(
        actor=actor,
        name=name,
        segment=segment,
        plan=plan,
        arr=arr,
        external_id=external_id,
        notes=notes,
    )
    _show_customer(actor, customer, as_json=as_json, verb="Added")


@customers_app.command("show")
def customers_show(
    customer: Annotated[str, typer.Argument(help="Its id, external id or name.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a customer and the latest feedback heard from them."""
    setup_django()
    from lodestar.discovery.refs import customer_ref

    actor = acting(workspace, email)
    _show_customer(actor, customer_ref(actor, customer), as_json=as_json)


def _show_customer(actor: Any, customer: Customer, *, as_json: bool, verb: str = "") -> None:
    from lodestar.discovery.selectors import FeedbackFilters, customer_list, feedback_list

    customer = customer_list(actor=actor).get(pk=customer.pk)
    data = customer_data(customer, actor.workspace.currency)
    latest = feedback_list(actor=actor, filters=FeedbackFilters(customer_id=customer.pk))
    data["feedback"] = [feedback_data(f) for f in latest.order_by("-received_at", "-id")[:10]]
    if as_json:
        output.print_json(data)
        return
    shown = output.visible
    console = output.console
    lead = f"{verb} " if verb else ""
    console.print(
        f"{lead}[bold]{escape(shown(customer.name, keep=''))}[/] (customer {customer.pk})"
    )
    facts = [
        f"segment: {customer.segment or '-'}",
        f"plan: {customer.plan or '-'}",
        f"ARR: {data['arr'] + ' ' + data['currency'] if data['arr'] else '-'}",
        f"external id: {customer.external_id or '-'}",
        f"{data['feedback_count']} piece{'s' if data['feedback_count'] != 1 else ''} of feedback",
    ]
    console.print(escape(shown(" · ".join(facts), keep="")))
    if customer.notes:
        console.print(shown(customer.notes), markup=False)
    for item in data["feedback"]:
        when = item["received_at"].strftime("%Y-%m-%d")
        console.print(f"  {when} #{item['id']} {shown(item['summary'], keep='')}", markup=False)


@customers_app.command("merge")
def customers_merge(
    source: Annotated[
        str, typer.Argument(help="The customer merged away (id, external id, name).")
    ],
    workspace: WorkspaceOption,
    into: Annotated[str, typer.Option("--into", help="The customer that remains.")],
    email: AsOption = None,
) -> None:
    """Merge a customer into another: its feedback and contacts move there, and it goes to the
    trash, marked as merged."""
    setup_django()
    from lodestar.discovery import services
    from lodestar.discovery.refs import customer_ref

    actor = acting(workspace, email)
    merged = services.customer_merge(
        actor=actor,
        source=customer_ref(actor, source, field="customer"),
        target=customer_ref(actor, into, field="into"),
    )
    output.console.print(
        f"Merged {escape(output.visible(source, keep=''))} into "
        f"{escape(output.visible(merged.name, keep=''))}."
    )


# -- feedback -----------------------------------------------------------------------------------


def feedback_data(feedback: Feedback) -> dict[str, Any]:
    """The feedback with the keys the API answers."""
    customer, contact = feedback.customer, feedback.contact
    return {
        "id": feedback.pk,
        "text": feedback.text,
        "summary": feedback.summary,
        "source": feedback.source,
        "state": feedback.state,
        "received_at": feedback.received_at,
        "customer": {"id": customer.pk, "name": customer.name} if customer else None,
        "contact": (
            {"id": contact.pk, "name": contact.name, "email": contact.email} if contact else None
        ),
        "tags": list(feedback.tags),
        "notes": feedback.notes,
        "insight_count": getattr(feedback, "insight_count", None),
        "created_at": feedback.created_at,
        "version": feedback.version,
    }


FEEDBACK_COLUMNS = [
    ("id", "Id"),
    ("received", "Received"),
    ("customer_name", "Customer"),
    ("source", "Source"),
    ("state", "State"),
    ("summary", "Feedback"),
    ("insight_count", "Insights"),
]


def _feedback_row(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **data,
        "received": data["received_at"].strftime("%Y-%m-%d"),
        "customer_name": data["customer"]["name"] if data["customer"] else None,
    }


@feedback_app.command("list")
def feedback_list_command(
    workspace: WorkspaceOption,
    email: AsOption = None,
    state: Annotated[str | None, typer.Option(help="new, triaged or archived.")] = None,
    source: Annotated[
        str | None,
        typer.Option(help="interview, support, sales, survey, portal, import or other."),
    ] = None,
    customer: Annotated[
        str | None, typer.Option(help="A customer's id, external id or name.")
    ] = None,
    tag: Annotated[str | None, typer.Option(help="Only feedback with this tag.")] = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """List feedback, newest first."""
    setup_django()
    from lodestar.discovery.refs import customer_ref_or_none
    from lodestar.discovery.selectors import FeedbackFilters, feedback_list

    actor = acting(workspace, email)
    of = customer_ref_or_none(actor, customer)
    rows = feedback_list(
        actor=actor,
        filters=FeedbackFilters(
            state=state, source=source, customer_id=of.pk if of else None, tag=tag
        ),
    ).order_by("-received_at", "-id")[: checked_limit(limit)]
    data = [feedback_data(feedback) for feedback in rows]
    output.print_listing(
        data if as_json else [_feedback_row(row) for row in data],
        FEEDBACK_COLUMNS,
        as_json=as_json,
        title="Feedback",
        empty="No feedback (or none matches).",
        one_line={"summary": 3, "customer_name": 1},
    )


@feedback_app.command("add")
def feedback_add(
    text: Annotated[str, typer.Argument(help="What the customer said (Markdown).")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    customer: Annotated[
        str | None, typer.Option(help="The customer's id, external id or name.")
    ] = None,
    contact: Annotated[str | None, typer.Option(help="The contact's id or email.")] = None,
    source: Annotated[
        str | None,
        typer.Option(help="interview, support, sales, survey, portal, import or other."),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="When it was heard (YYYY-MM-DD; default: now).")
    ] = None,
    tags: Annotated[list[str] | None, typer.Option("--tag", help="A tag; repeat.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record what a customer said."""
    setup_django()
    from lodestar.core.errors import Invalid
    from lodestar.discovery import services
    from lodestar.discovery.access import access_feedback
    from lodestar.discovery.refs import contact_ref_or_none, customer_ref_or_none

    actor = acting(workspace, email)
    received: dt.date | None = None
    if date:
        try:
            received = dt.date.fromisoformat(date.strip())
        except ValueError:
            raise Invalid.field("date", f"“{date}” is not a date such as 2026-11-30") from None
    feedback = services.feedback_create(
        actor=actor,
        text=text,
        source=source,
        received_at=received,
        customer=customer_ref_or_none(actor, customer),
        contact=contact_ref_or_none(actor, contact),
        tags=tags or [],
    )
    _show_feedback(access_feedback(actor, feedback.pk), as_json=as_json, verb="Added")


@feedback_app.command("show")
def feedback_show(
    feedback_id: Annotated[str, typer.Argument(help="The feedback's id.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a piece of feedback, whole."""
    setup_django()
    from lodestar.discovery.access import access_feedback

    actor = acting(workspace, email)
    _show_feedback(access_feedback(actor, feedback_id), as_json=as_json)


def _show_feedback(feedback: Feedback, *, as_json: bool, verb: str = "") -> None:
    data = feedback_data(feedback)
    if as_json:
        output.print_json(data)
        return
    shown = output.visible
    console = output.console
    who = data["customer"]["name"] if data["customer"] else "no customer"
    if data["contact"]:
        who += f", {data['contact']['name'] or data['contact']['email']}"
    lead = f"{verb} " if verb else ""
    console.print(
        f"{lead}[bold]feedback {feedback.pk}[/] · {escape(shown(who, keep=''))} · "
        f"{feedback.source} · {feedback.state} · {feedback.received_at:%Y-%m-%d}"
    )
    if data["tags"]:
        console.print("tags: " + escape(shown(", ".join(data["tags"]), keep="")))
    console.print(shown(feedback.text), markup=False)


# -- imports ------------------------------------------------------------------------------------


def _read(file: Path) -> bytes:
    from lodestar.discovery.imports import read_limited

    try:
        size = file.stat().st_size
        if not file.is_file():
            raise CliError(f"{file} is not a file.")
        with file.open("rb") as stream:
            return read_limited(stream, size=size)
    except OSError as exc:
        raise CliError(f"cannot read {file}: {exc.strerror or exc}.") from exc


def _report(report: ImportReport, *, as_json: bool) -> None:
    """Print what the import did (or would do), and end with exit code 2 on bad rows."""
    if as_json:
        output.print_json(report.as_dict())
        if not report.ok:
            raise typer.Exit(EXIT_BAD_INPUT)
        return
    if not report.ok:
        console = output.err_console
        output.print_table(
            [error.as_dict() for error in report.errors],
            [("line", "Line"), ("column", "Column"), ("message", "Problem")],
            title="Rows that cannot be imported",
            console=console,
        )
        more = report.error_count - len(report.errors)
        if more:
            console.print(f"… and {more:,} more.")
        problems = f"{report.error_count:,} problem{'s' if report.error_count != 1 else ''}"
        output.fail(
            f"{problems} in the file; "
            + (
                "this is what an import would refuse."
                if report.dry_run
                else "nothing was imported."
            )
        )
    verb = "Would create" if report.dry_run else "Created"
    noun = "customer" if report.kind == "customers" else "piece"
    parts = [f"{verb} {report.created:,} {noun}{'s' if report.created != 1 else ''}"]
    if report.kind == "feedback":
        parts[0] += " of feedback"
        if report.customers_created:
            parts.append(f"{report.customers_created:,} new customers")
        if report.contacts_created:
            parts.append(f"{report.contacts_created:,} new contacts")
    if report.updated:
        parts.append(f"{'would update' if report.dry_run else 'updated'} {report.updated:,}")
    if report.skipped:
        parts.append(f"skipped {report.skipped:,} already there")
    mapped = ", ".join(f"{field} ← “{header}”" for field, header in report.mapping.items())
    output.console.print(f"Columns: {escape(output.visible(mapped, keep=''))}.", markup=False)
    output.console.print(", ".join(parts) + f" (from {report.rows:,} rows).")


def _run_import(kind: str, file: Path, *, as_json: bool, **options: Any) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from lodestar.discovery.imports import ImportRefused, customers_import, feedback_import

    data = _read(file)
    run = customers_import if kind == "customers" else feedback_import
    if as_json or len(data) < PROGRESS_BYTES:
        try:
            report = run(data=data, **options)
        except ImportRefused as refused:
            report = refused.report
        _report(report, as_json=as_json)
        return
    with Progress(
        TextColumn("Importing {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=output.err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(file.name, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            report = run(data=data, progress=progress, **options)
        except ImportRefused as refused:
            report = refused.report
    _report(report, as_json=as_json)


FileArgument = Annotated[
    Path, typer.Argument(help="The CSV file (UTF-8; ',' or ';' between cells; a header line).")
]


@customers_app.command("import")
def customers_import_command(
    file: FileArgument,
    workspace: WorkspaceOption,
    email: AsOption = None,
    dry_run: DryRunOption = False,
    maps: MapOption = None,
    no_create_customers: NoCreateOption = False,
    as_json: JsonOption = False,
) -> None:
    """Import customers from a CSV file: found by external id, then by name (any case), and
    updated; unknown ones added. Columns: name, segment, plan, arr, external_id, notes."""
    setup_django()
    from lodestar.discovery.imports import parse_pairs

    actor = acting(workspace, email)
    _run_import(
        "customers",
        file,
        as_json=as_json,
        actor=actor,
        mapping=parse_pairs(maps or []),
        dry_run=dry_run,
        create_customers=not no_create_customers,
    )


@feedback_app.command("import")
def feedback_import_command(
    file: FileArgument,
    workspace: WorkspaceOption,
    email: AsOption = None,
    dry_run: DryRunOption = False,
    maps: MapOption = None,
    date_format: Annotated[
        str | None,
        typer.Option(help="dd/mm/yyyy or mm/dd/yyyy, when the dates could be read either way."),
    ] = None,
    no_create_customers: NoCreateOption = False,
    source: Annotated[
        str | None, typer.Option(help="The source of rows without one (default: import).")
    ] = None,
    product: Annotated[str | None, typer.Option(help="A product's key for all of it.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Import feedback from a CSV file. Columns: text (required), customer, customer_id,
    email, received_at, source, tags, notes. A row imported before is skipped."""
    setup_django()
    from lodestar.discovery.imports import parse_pairs
    from lodestar.strategy.refs import product_ref_or_none

    actor = acting(workspace, email)
    _run_import(
        "feedback",
        file,
        as_json=as_json,
        actor=actor,
        mapping=parse_pairs(maps or []),
        dry_run=dry_run,
        date_format=date_format,
        create_customers=not no_create_customers,
        source=source,
        product=product_ref_or_none(actor, product),
    )


def register(app: typer.Typer) -> None:
    """Add the ``customers`` and ``feedback`` command groups to ``app``."""
    from lodestar.cli import discovery_problems

    app.add_typer(customers_app, name="customers")
    app.add_typer(feedback_app, name="feedback")
    discovery_problems.register(app)
