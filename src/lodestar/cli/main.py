"""The ``lodestar`` command: one Typer app, one sub-app per context."""

from __future__ import annotations

import typer

from lodestar.cli import (
    backlog,
    coverage,
    decisions,
    discovery,
    experiments,
    exports,
    forecast,
    imports,
    metrics,
    notifications,
    outcomes,
    people,
    releases,
    reports,
    roadmap,
    search,
    server,
    sprints,
    webhooks,
)
from lodestar.cli.output import LodestarGroup
from lodestar.config.datadir import private_umask

app = typer.Typer(
    name="lodestar",
    help="Lodestar: product management and Scrum, self-hosted.",
    cls=LodestarGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
server.register(app)
people.register(app)
backlog.register(app)
search.register(app)
discovery.register(app)
sprints.register(app)
forecast.register(app)
decisions.register(app)
experiments.register(app)
metrics.register(app)
outcomes.register(app)
releases.register(app)
roadmap.register(app)
reports.register(app)
coverage.register(app)
notifications.register(app)
webhooks.register(app)
imports.register(app)
exports.register(app)


def main() -> None:
    # Everything Lodestar writes (the database, its journal, the secret key) is private.
    private_umask()
    app()


if __name__ == "__main__":
    main()
