"""Every write of imports: starting one (the run, queued for the worker) and the worker's own
steps (``run_import`` in ``tasks``: reading the file, importing it, the report). A run is its
own record (who started it, when, with what, and its report); what the import writes is
recorded in each object's history by the services that write it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import IO, Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from lodestar.core.db import collector_paused, is_postgresql
from lodestar.core.errors import DomainError, Invalid
from lodestar.interop.errors import InteropErrorCode as Code
from lodestar.interop.imports.apply import (
    ImportReport,
    Progress,
    import_bundle,
    parse_status_map,
)
from lodestar.interop.imports.bundle import SOURCES, ReadOptions
from lodestar.interop.imports.models import ImportRun, ImportState
from lodestar.interop.imports.readers import reader_for
from lodestar.interop.permissions import InteropPermission
from lodestar.people.models import Membership, Team
from lodestar.people.policy import Actor, require
from lodestar.strategy.models import Product

logger = logging.getLogger(__name__)

FILE_NAME_MAX = 255


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def too_large(size: int) -> Invalid:
    limit = max_bytes()
    return Invalid.field(
        "file",
        f"is {size:,} bytes; an import takes files up to {limit:,} bytes "
        f"({limit // 1024 // 1024} MB): export fewer issues at a time (a filter by date or "
        "project) and import each file",
        code=Code.IMPORT_FILE_TOO_LARGE,
    )


def check_size(size: int) -> None:
    """Refuse a file over ``IMPORT_MAX_BYTES`` by its size, before it is read."""
    if size > max_bytes():
        raise too_large(size)


def _options(
    *,
    date_format: str | None,
    points_field: str | None,
    timezone_name: str | None,
    status_map: Sequence[str],
    invite: bool,
) -> dict[str, Any]:
    parse_status_map(status_map)  # refused now, naming the pair, rather than by the worker
    return {
        "date_format": (date_format or "").strip() or None,
        "points_field": (points_field or "").strip() or None,
        "timezone": (timezone_name or "").strip() or None,
        "status_map": [pair.strip() for pair in status_map if pair.strip()],
        "invite": bool(invite),
    }


def _new_run(
    *,
    actor: Actor,
    product: Product,
    source: str,
    file: IO[bytes],
    size: int,
    file_name: str = "",
    team: Team | None = None,
    dry_run: bool = False,
    date_format: str | None = None,
    points_field: str | None = None,
    timezone_name: str | None = None,
    status_map: Sequence[str] = (),
    invite: bool = False,
) -> ImportRun:
    """A new run of an import of ``file`` (``size`` bytes, refused over the limit before it is
    read) into ``product``."""
    require(actor, InteropPermission.IMPORT_DATA)
    if product.workspace_id != actor.workspace_id:
        raise Invalid.field("product", "is not a product of this workspace")
    if source not in SOURCES:
        raise Invalid.field(
            "source",
            f"{source!r} is not a source: choose one of {', '.join(SOURCES)}",
            code=Code.IMPORT_SOURCE_UNKNOWN,
        )
    if team is not None and team.workspace_id != actor.workspace_id:
        raise Invalid.field(
            "team", "is not a team of this workspace", code=Code.IMPORT_TEAM_INVALID
        )
    check_size(size)
    options = _options(
        date_format=date_format,
        points_field=points_field,
        timezone_name=timezone_name,
        status_map=status_map,
        invite=invite,
    )
    data = file.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise too_large(len(data))
    if not data:
        raise Invalid.field(
            "file", "is empty: choose the file your tool exported", code=Code.IMPORT_FILE_INVALID
        )
    run = ImportRun.objects.create(
        workspace_id=actor.workspace_id,
        product=product,
        team=team,
        source=source,
        file_name=(file_name or "")[:FILE_NAME_MAX],
        size=len(data),
        data=data,
        options=options,
        dry_run=dry_run,
        created_by=actor.user,
    )
    return run


@transaction.atomic
def import_start(**arguments: Any) -> ImportRun:
    """A new import (``_new_run``'s arguments), queued for the worker; returns its run. The
    task is enqueued in this transaction: it exists exactly when the run does."""
    from lodestar.interop.imports.tasks import run_import

    run = _new_run(**arguments)
    run_import.enqueue(run.pk)
    return run


def import_now(*, progress: Progress | None = None, **arguments: Any) -> ImportRun:
    """A new import (``_new_run``'s arguments) run here and now, as the command line does in
    the foreground; ``progress(done, total)`` is told as it goes. Returns the finished run."""
    with transaction.atomic():
        run = _new_run(**arguments)
    finished = import_run_execute(run.pk, progress=progress)
    assert finished is not None  # noqa: S101 - made just above
    return finished


class _Progress:
    """Writes a run's progress where others can read it while the import's transaction is
    open: through a connection of its own on PostgreSQL. SQLite has one writer at a time, so
    there the run shows the reading step, then the end."""

    def __init__(self, run: ImportRun, also: Progress | None = None) -> None:
        self.run = run
        self.also = also
        self.connection = (
            connections.create_connection("default")
            if is_postgresql(connections["default"])
            else None
        )

    def __call__(self, done: int, total: int) -> None:
        if self.also is not None:
            self.also(done, total)
        if self.connection is None:
            return
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportRun._meta.db_table} SET progress_done = %s, "  # noqa: S608
                "progress_total = %s WHERE id = %s",
                [done, total, self.run.pk],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _set(run: ImportRun, **values: Any) -> None:
    for name, value in values.items():
        setattr(run, name, value)
    ImportRun.objects.filter(pk=run.pk).update(**values, updated_at=timezone.now())


def _actor(run: ImportRun) -> Actor | None:
    if run.created_by_id is None:
        return None
    membership = (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace_id=run.workspace_id, user_id=run.created_by_id, removed_at__isnull=True)
        .first()
    )
    return Actor(user=membership.user, membership=membership) if membership else None


def _execute(run: ImportRun, progress: Progress | None) -> ImportReport:
    """Read the run's file and import it; the report (``DomainError`` when the file or the
    actor cannot be used)."""
    actor = _actor(run)
    if actor is None:
        raise Invalid("Whoever started this import is no longer a member of the workspace.")
    options = run.options or {}
    data = bytes(run.data)
    _set(run, data=b"")
    bundle = reader_for(run.source)(
        data,
        ReadOptions(
            date_format=options.get("date_format"),
            points_field=options.get("points_field"),
            timezone=options.get("timezone"),
        ),
    )
    del data
    _set(run, progress_total=len(bundle.items))
    told = _Progress(run, also=progress)
    try:
        return import_bundle(
            actor,
            run.product,
            bundle,
            team=run.team,
            dry_run=run.dry_run,
            status_map=parse_status_map(options.get("status_map") or []),
            invite=bool(options.get("invite")),
            progress=told,
        )
    finally:
        told.close()


def import_run_execute(run_id: int, *, progress: Progress | None = None) -> ImportRun | None:
    """The worker's job: read the run's file with its source's reader, import it, keep the
    report; the file's bytes are dropped once read. A failure marks the run failed with its
    message, and nothing of the import is written."""
    run = ImportRun.objects.select_related("product", "team").filter(pk=run_id).first()
    if run is None or run.state != ImportState.QUEUED:
        return run
    _set(run, state=ImportState.RUNNING, started_at=timezone.now())
    report = ImportReport(source=run.source, dry_run=run.dry_run)
    try:
        with collector_paused():  # ``core.db.collector_paused``: a quarter of the CPU time
            report = _execute(run, progress)
    except DomainError as error:
        report.fail(error.detail)
    except Exception:  # a bug: said in the run, the trace in the log
        logger.exception("import %s failed", run.pk)
        report.fail("The import failed with an internal error; nothing was imported.")
    done = report.ok
    _set(
        run,
        data=b"",
        state=ImportState.DONE if done else ImportState.FAILED,
        report=report.as_dict(),
        progress_done=run.progress_total if done else run.progress_done,
        finished_at=timezone.now(),
    )
    return run
