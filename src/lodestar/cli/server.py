"""Commands that run Lodestar: serve, web, worker, migrate, demo.

Production is the default: without ``LODESTAR_DEBUG=1`` the settings refuse a missing or
default ``LODESTAR_SECRET_KEY``, and the commands report that as one line with exit code 2.
``make run`` serves in this production mode on 127.0.0.1 with a secret key it generates once
and keeps in the data directory, and with ``LODESTAR_INSECURE_HTTP=1`` because a local server
speaks plain HTTP; a self-hoster gets the real thing, not a development server.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from typing import Annotated

import typer
from rich.status import Status

from lodestar.cli import output
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

HostOption = Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for every one).")]
PortOption = Annotated[int, typer.Option(min=0, max=65535, help="TCP port to listen on.")]
WorkersOption = Annotated[
    int | None,
    typer.Option(min=1, max=64, help="Web worker processes [default: 2 per CPU core + 1, max 9]"),
]


# A PostgreSQL advisory lock key (any fixed 64-bit number): "Lodestar is migrating".
MIGRATION_LOCK = 0x10DE57A2


def _migrate(verbosity: int) -> None:
    """Migrate, then fill the search index when it is empty. On PostgreSQL, servers that
    start at the same time (several machines, one database) take turns: one migrates, the
    others then find nothing to do. SQLite's own write lock already serialises them."""
    from django.core.management import call_command
    from django.db import connection

    locked = connection.vendor == "postgresql"
    if locked:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
    try:
        call_command("migrate", interactive=False, verbosity=verbosity)
        # An install older than search (or a copy restored without its index) finds what it
        # holds: an empty index is filled from every searchable kind's objects.
        from lodestar.core.search.index import reindex_if_empty

        reindex_if_empty()
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])


def _check_data_dir() -> None:
    """Warn (on stderr) about a data directory or file others may read."""
    from django.conf import settings

    from lodestar.config.datadir import loose_permissions

    for warning in loose_permissions(settings.DATA_DIR):
        output.err_console.print(warning, markup=False, soft_wrap=True)


def migrate() -> None:
    """Create or update the database tables."""
    setup_django()
    _check_data_dir()
    _migrate(verbosity=1)


def serve(
    host: HostOption = DEFAULT_HOST,
    port: PortOption = DEFAULT_PORT,
    workers: WorkersOption = None,
) -> None:
    """Migrate, then run the web server and the task worker together until Ctrl-C or SIGTERM."""
    from lodestar.cli.processes import Supervisor, default_workers, listen, url_for

    setup_django()
    _check_data_dir()
    from django.db import connections

    sock = listen(host, port)  # first, so a busy port is reported before any other work
    _migrate(verbosity=0)
    connections.close_all()  # the supervisor needs no database while it waits
    bound_port = sock.getsockname()[1]
    supervisor = Supervisor()
    web = ["web", f"--fd={sock.fileno()}", f"--workers={workers or default_workers()}"]
    supervisor.start("web server", web, pass_fds=(sock.fileno(),))
    sock.close()  # the web server holds it now
    supervisor.start("task worker", ["worker"])
    output.console.print(
        f"Lodestar is running at [bold]{url_for(host, bound_port)}[/bold] "
        "(web and task worker). Press Ctrl-C to stop.",
        soft_wrap=True,
    )
    exited = supervisor.run()
    if exited is not None:
        typer.echo(
            f"Error: the {exited.name} stopped unexpectedly (exit code "
            f"{exited.process.returncode}); stopped Lodestar.",
            err=True,
        )
        raise typer.Exit(1)
    output.console.print("Lodestar stopped.")


def web(
    host: HostOption = DEFAULT_HOST,
    port: PortOption = DEFAULT_PORT,
    workers: WorkersOption = None,
    fd: Annotated[
        int | None, typer.Option(hidden=True, help="Serve on this inherited listening socket.")
    ] = None,
) -> None:
    """Run only the web server (gunicorn), e.g. on several machines behind a load balancer."""
    from lodestar.cli.processes import default_workers, gunicorn_options, run_gunicorn

    setup_django()
    from django.conf import settings

    bind = f"fd://{fd}" if fd is not None else _bind_address(host, port)
    _collect_static()
    run_gunicorn(
        gunicorn_options(bind=bind, workers=workers or default_workers(), debug=settings.DEBUG)
    )


def _collect_static() -> None:
    """Production: the static files under content-hashed names (and gzip copies) in the data
    directory, which pages link and browsers then cache for good (``config/static.py``).
    Unchanged files are skipped, so a restart takes a moment."""
    from django.conf import settings
    from django.core.management import call_command

    from lodestar.config.static import hashed

    if hashed(settings.STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)


def _bind_address(host: str, port: int) -> str:
    try:
        socket.getaddrinfo(host, port)
    except socket.gaierror as exc:
        raise CliError(f"--host {host!r} is not an address of this machine ({exc}).") from exc
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def worker(
    batch: Annotated[
        bool,
        typer.Option(help="Run the queued and due periodic tasks, then exit (e.g. from cron)."),
    ] = False,
) -> None:
    """Run background tasks, and enqueue the periodic ones (the trash purge) when due."""
    setup_django()
    from django.core.management import call_command

    from lodestar.cli.periodic import Scheduler, enqueue_due
    from lodestar.core.events import OutboxPump, deliver_pending

    options = {"reload": False, "startup_delay": False, "interval": 1.0}
    if batch:
        enqueue_due()
        deliver_pending()
        call_command("db_worker", batch=True, **options)
        return
    scheduler, pump = Scheduler(), OutboxPump()
    scheduler.start()
    pump.start()
    try:
        _run_tasks_until_stopped(lambda: call_command("db_worker", **options))
    finally:
        scheduler.stop()
        pump.stop()


# How long the worker waits before looking for tasks again after SQLite stayed locked past its
# busy timeout (another process writing for longer, such as a large import).
LOCKED_RETRY_SECONDS = 1.0


def _run_tasks_until_stopped(run: Callable[[], object]) -> None:
    """Run the task loop until it stops as asked (a signal ends it with ``SystemExit``).

    The task library takes its next task in an exclusive SQLite transaction, and only a lock
    met inside it is waited out: one met when the transaction begins (a writer holding the
    database for longer than the busy timeout) ended the worker, and with it ``lodestar
    serve``. Such a lock now only delays the tasks; any other error still stops the worker."""
    from django.db import OperationalError
    from django_tasks_db.utils import is_locked_database_exception

    while True:
        try:
            run()
            return
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
            logger.warning("The database stayed locked; the worker waits and goes on.")
            time.sleep(LOCKED_RETRY_SECONDS)


def demo(
    if_empty: Annotated[
        bool,
        typer.Option(
            "--if-empty", help="Load the demo only into an empty database; else just show logins."
        ),
    ] = False,
    address: Annotated[
        str, typer.Option(help="The address to tell people to open.")
    ] = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}/",
) -> None:
    """Load the demo workspace "Acme Analytics" into an empty database and show how to sign in."""
    setup_django()
    from lodestar.people import demo as people_demo
    from lodestar.people.models import User

    if User.objects.exists():
        if not if_empty:
            raise CliError(
                "the database already has users; the demo loads only into an empty one "
                "(--if-empty skips this quietly)."
            )
        logins = people_demo.logins()
        if not logins:
            output.console.print("The database already has users; no demo loaded.")
            return
    else:
        with Status("Loading the demo workspace...", console=output.err_console):
            _seed_demo()
        logins = people_demo.logins()
    _print_logins(logins, address)


def _seed_demo() -> None:
    """Every context's demo (declared in its plugin), each after those it builds on."""
    from django.db import transaction

    from lodestar.core.registry import registry

    world: dict[str, object] = {}
    with transaction.atomic():
        for name, context_demo in registry().demos():
            world[name] = context_demo.seed(world)


def _print_logins(logins: list[dict[str, object]], address: str) -> None:
    from lodestar.people.demo import DEMO_PASSWORD, DEMO_WORKSPACE_SLUG

    rows = [{**login, "hats": login["hats"] or ["-"]} for login in logins]
    output.console.print(
        f"Open [bold]{address}[/bold] and sign in as one of these people "
        f"(password [bold]{DEMO_PASSWORD}[/bold]); the workspace is "
        f"[bold]{DEMO_WORKSPACE_SLUG}[/bold]."
    )
    output.print_table(
        rows,
        [("email", "Sign in as"), ("job_title", "Job"), ("role", "Role"), ("hats", "Hats")],
        title="Demo logins",
    )


def register(app: typer.Typer) -> None:
    """Add serve, web, worker, migrate and demo to ``app``."""
    app.command()(serve)
    app.command()(web)
    app.command()(worker)
    app.command()(migrate)
    app.command()(demo)
