"""Coverage over a large history, on SQLite and PostgreSQL.

    .venv/bin/python bench/coverage.py [--db sqlite|postgres|both] [--entries N] [--calls N]

Each database runs in a process of its own against a scratch database that this script
creates and removes (SQLite in a temporary LODESTAR_DATA_DIR, PostgreSQL as
``lodestar_bench_coverage``). It writes one workspace with 30 members and two products, each
with 5,000 backlog items (through ``items_create_many``), and 4,000 pieces of feedback, 2,000
insights, 500 problems and 200 decisions (``bulk_create``), then ``--entries`` history entries
(1,000,000 by default) over the past 180 days, in ``bulk_create`` batches, shaped like a busy
workspace: 45% item edits that count for nothing (a title, a description, an assignee), 10%
edits that count (acceptance criteria, ready, a goal), 15% backlog moves (a third of them
children following their parent), 5% items created, 10% comments (counted by no duty), 5%
feedback, 4% insights, 3% problem edits, 2% decisions, 1% goal entries.

Then the daily rollup is built as the worker's subscriber builds it from a workspace's first
event (``coverage.rollup.seal``, called until it is not behind: the first build goes in slices
of ``SEAL_DAYS`` days; the whole timed, the slices counted), and
``coverage.selectors.coverage_for`` over 180 days is called ``--calls`` times (10) after 2 not
counted, for the workspace and for one product: p50, p95 and max in milliseconds (wall time),
and the entries it counted. Target: <= 300 ms with 1,000,000 entries. Then over 30 days, for the
workspace and the team: the duties nobody carried in those 30 days are looked for in the 150
days of history before them. Last, the same read from history alone (no rollup: what coverage
does until the subscriber has caught up), 3 calls a scope.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from harness.scratch import run_child

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_coverage"
BATCH = 20_000


def _fill(entries: int) -> tuple[Any, Any]:
    from django.utils import timezone

    from lodestar.backlog import services as backlog
    from lodestar.core.models import HistoryEntry
    from lodestar.decisions.models import Decision
    from lodestar.discovery.models import Feedback, Insight, Problem
    from lodestar.people.models import Membership, Role, User, Workspace
    from lodestar.people.policy import Actor
    from lodestar.strategy import services as strategy

    rng = random.Random(20261202)
    workspace = Workspace.objects.create(slug="bench", name="Bench")
    users = User.objects.bulk_create(User(email=f"p{n}@bench.test") for n in range(30))
    members = Membership.objects.bulk_create(
        Membership(
            workspace=workspace,
            user=user,
            role=Role.OWNER if n == 0 else Role.MEMBER,
            handle=f"p{n}",
        )
        for n, user in enumerate(users)
    )
    actor = Actor(user=users[0], membership=members[0])
    products = [
        strategy.product_create(actor=actor, key=key, name=key.title()) for key in ("ACME", "BETA")
    ]
    goals = [strategy.goal_set(actor=actor, product=p, statement="Grow") for p in products]
    items: list[int] = []
    for product in products:
        for start in range(0, 5_000, 1_000):
            made = backlog.items_create_many(
                actor=actor,
                product=product,
                specs=[backlog.ItemSpec(title=f"Item {n}") for n in range(start, start + 1_000)],
            )
            items += [item.pk for item in made]
    now = timezone.now()
    feedback = Feedback.objects.bulk_create(
        Feedback(
            workspace=workspace,
            product=products[n % 2],
            text=f"words {n}",
            source="interview",
            received_at=now - dt.timedelta(days=rng.randrange(180)),
        )
        for n in range(4_000)
    )
    insights = Insight.objects.bulk_create(
        Insight(workspace=workspace, feedback=feedback[n], quote=feedback[n].text)
        for n in range(2_000)
    )
    problems = Problem.objects.bulk_create(
        Problem(workspace=workspace, product=products[n % 2], title=f"Problem {n}")
        for n in range(500)
    )
    decisions = Decision.objects.bulk_create(
        Decision(workspace=workspace, product=products[n % 2], number=n + 1, title=f"D{n}")
        for n in range(200)
    )
    HistoryEntry.objects.filter(workspace=workspace).delete()
    kinds: list[tuple[float, str, list[int], str, Any]] = [
        (0.45, "backlog.backlogitem", items, "updated", lambda: {"title": ["a", "b"]}),
        (
            0.05,
            "backlog.backlogitem",
            items,
            "updated",
            lambda: {"acceptance_criteria": [[], ["x"]]},
        ),
        (0.03, "backlog.backlogitem", items, "updated", lambda: {"status": ["new", "ready"]}),
        (0.02, "backlog.backlogitem", items, "updated", lambda: {"goal": [None, goals[0].pk]}),
        (
            0.10,
            "backlog.backlogitem",
            items,
            "moved",
            lambda: {"rank": ["a", "b"], "placement": "top"},
        ),
        (
            0.05,
            "backlog.backlogitem",
            items,
            "moved",
            lambda: {"rank": ["a", "b"], "placement": "with ACME-1, top"},
        ),
        (0.05, "backlog.backlogitem", items, "created", lambda: {"kind": "story", "status": "new"}),
        (0.10, "comments.comment", items, "created", lambda: {"body": "…"}),
        (
            0.05,
            "discovery.feedback",
            [f.pk for f in feedback],
            "created",
            lambda: {"source": "interview"},
        ),
        (0.04, "discovery.insight", [i.pk for i in insights], "created", lambda: {"problems": []}),
        (
            0.03,
            "discovery.problem",
            [p.pk for p in problems],
            "updated",
            lambda: {"status": ["new", "validated"]},
        ),
        (0.02, "decisions.decision", [d.pk for d in decisions], "created", lambda: {"title": "D"}),
        (
            0.01,
            "strategy.productgoal",
            [g.pk for g in goals],
            "updated",
            lambda: {"statement": ["a", "b"]},
        ),
    ]
    weights = [kind[0] for kind in kinds]
    user_ids = [user.pk for user in users]
    rows: list[HistoryEntry] = []
    for _ in range(entries):
        _, object_type, ids, action, changes = rng.choices(kinds, weights)[0]
        rows.append(
            HistoryEntry(
                workspace=workspace,
                actor_id=rng.choice(user_ids),
                object_type=object_type,
                object_id=rng.choice(ids),
                action=action,
                changes=changes(),
                created_at=now - dt.timedelta(seconds=rng.randrange(180 * 86_400)),
            )
        )
        if len(rows) == BATCH:
            HistoryEntry.objects.bulk_create(rows)
            rows = []
    HistoryEntry.objects.bulk_create(rows)
    return actor, products[0], _team(workspace, members, products[0], rng)


def _team(workspace: Any, members: list[Any], product: Any, rng: random.Random) -> Any:
    """A team of ten on ``product``: hats put on months ago or lately, a few taken off inside
    the period, and the product owner hat handed over in it (a team's coverage reads each
    person's stretch of time)."""
    from django.utils import timezone

    from lodestar.people.models import Team, TeamMembership, TeamRole
    from lodestar.strategy.models import ProductOwnerHat, ProductTeam

    now = timezone.now()
    team = Team.objects.create(workspace=workspace, slug="core", name="Core")
    ProductTeam.objects.create(product=product, team=team)
    TeamMembership.objects.bulk_create(
        TeamMembership(
            team=team,
            member=members[n],
            role=TeamRole.DEVELOPER,
            started_at=now - dt.timedelta(days=rng.randint(20, 400), hours=rng.randint(0, 23)),
            ended_at=now - dt.timedelta(days=rng.randint(1, 19)) if n % 4 == 0 else None,
        )
        for n in range(2, 12)
    )
    handover = now - dt.timedelta(days=60, hours=5)
    ProductOwnerHat.objects.bulk_create(
        [
            ProductOwnerHat(
                product=product,
                member=members[1],
                started_at=now - dt.timedelta(days=300),
                ended_at=handover,
            ),
            ProductOwnerHat(product=product, member=members[12], started_at=handover),
        ]
    )
    return team


def _timed(call: Any, calls: int) -> tuple[list[float], Any]:
    for _ in range(2):
        answer = call()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times, answer


def child(db: str, entries: int, calls: int, out: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lodestar.core import events
    from lodestar.coverage import rollup
    from lodestar.coverage.models import RollupState
    from lodestar.coverage.selectors import coverage_for

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    actor, product, team = _fill(entries)
    filled = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    started = time.perf_counter()
    events._cursor(rollup.SUBSCRIBER)  # the subscriber reads from the outbox's end
    slices = 1
    found = rollup.seal(actor.workspace_id)
    while rollup.behind(found):  # the first build goes in slices of SEAL_DAYS days
        found = rollup.seal(actor.workspace_id)
        slices += 1
    sealed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    figures = []
    for read, n in (("rollup", calls), ("history alone", 3)):
        if read == "history alone":
            RollupState.objects.filter(workspace_id=actor.workspace_id).delete()
        scopes: list[tuple[str, dict[str, Any], int]] = [
            ("workspace", {}, 180),
            ("product", {"product": product}, 180),
            ("team", {"team": team}, 180),
        ]
        if read == "rollup":
            # 30 days: the duties nobody carried in them are looked for over the 150 days
            # before as well (and the five years before those).
            scopes += [("workspace, 30 days", {}, 30), ("team, 30 days", {"team": team}, 30)]
        for where, scope, days in scopes:
            times, coverage = _timed(
                lambda s=scope, d=days: coverage_for(actor, days=d, **s),  # type: ignore[misc]
                n,
            )
            figures.append(
                {
                    "scope": f"{where}, {read}",
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                    "max_ms": round(times[-1], 1),
                    "counted": sum(duty.total for duty in coverage.duties),
                }
            )
    out.write_text(
        json.dumps(
            {
                "db": db,
                "entries": entries,
                "fill_s": round(filled, 1),
                "rollup_s": round(sealed, 1),
                "rollup_slices": slices,
                "scopes": figures,
            }
        )
    )


def _run(db: str, args: argparse.Namespace) -> dict[str, Any]:
    argv = ["--entries", str(args.entries), "--calls", str(args.calls)]
    return run_child(__file__, db, argv, postgres_url=args.postgres_url)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.entries, args.calls, args.out)
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [_run(db, args) for db in dbs]
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    load = os.getloadavg()[0]
    (RESULTS / f"coverage-{stamp}.json").write_text(
        json.dumps({"load": load, "results": results}, indent=2)
    )
    print("| database | entries | scope | p50 ms | p95 ms | max ms | counted |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        for s in r["scopes"]:
            print(
                f"| {r['db']} | {r['entries']:,} | {s['scope']} | {s['p50_ms']} | "
                f"{s['p95_ms']} | {s['max_ms']} | {s['counted']:,} |"
            )
    for r in results:
        print(f"{r['db']}: rollup built in {r['rollup_s']} s")
    print(f"load average at the end: {load:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
