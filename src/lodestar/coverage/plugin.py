"""What the coverage context declares: its API, its pages, the trace's section on the page of
every object on the loop (feedback, problem, item, sprint, release, outcome review,
decision), the opportunity map's on a Product Goal's page, the health strip on a backlog, and
the durable subscriber that keeps the daily rollup of activity (``coverage/rollup.py``). It
owns no object: coverage, traces, maps and focus are read from what the other contexts record,
by every member of the workspace; the rollup is derived from history."""

from __future__ import annotations

import datetime as dt

from lodestar.backlog.extensions import ITEM_SECTIONS, ItemSection
from lodestar.core.extensions import PAGE_SECTIONS, PageSection
from lodestar.core.registry import Demo, NavEntry, PeriodicTask, Plugin, Subscriber
from lodestar.coverage import demo, rollup
from lodestar.coverage.permissions import PERMISSIONS
from lodestar.coverage.trace_views import trace_section
from lodestar.coverage.views import backlog_section, goal_section
from lodestar.discovery.extensions import PROBLEM_SECTIONS, ProblemSection
from lodestar.releases.extensions import RELEASE_SECTIONS, ReleaseSection

PLUGIN = Plugin(
    name="coverage",
    api=["lodestar.coverage.api"],
    urls=["lodestar.coverage.urls"],
    navigation=[NavEntry("coverage", "Coverage", "coverage:page", icon="briefcase", order=42)],
    permissions=PERMISSIONS,
    subscribers=[Subscriber(name=rollup.SUBSCRIBER, handler=rollup.handle, durable=True)],
    # A rollup's first build goes in slices: a quiet workspace's next slice comes from here
    # (and the slices after it, queued one by one).
    periodic=[PeriodicTask("lodestar.coverage.tasks.seal_rollups", dt.timedelta(hours=1))],
    demo=Demo(
        seed=demo.seed_world,
        after=("backlog", "sprints", "discovery", "releases", "outcomes", "decisions"),
    ),
    provides=[
        (ITEM_SECTIONS, ItemSection(name="trace", render=trace_section("item"), order=95)),
        (PROBLEM_SECTIONS, ProblemSection(name="trace", render=trace_section("problem"), order=95)),
        (RELEASE_SECTIONS, ReleaseSection(name="trace", render=trace_section("release"), order=95)),
        (
            PAGE_SECTIONS,
            PageSection(name="opportunity-map", kinds=("goal",), render=goal_section, order=40),
        ),
        (
            PAGE_SECTIONS,
            PageSection(name="backlog-focus", kinds=("backlog",), render=backlog_section),
        ),
        *(
            (
                PAGE_SECTIONS,
                PageSection(
                    name=f"trace-{kind}", kinds=(kind,), render=trace_section(kind), order=95
                ),
            )
            for kind in ("feedback", "sprint", "decision", "outcome")
        ),
    ],
)
