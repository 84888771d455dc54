"""Import readers: a generated export of each source with 20,000 items, read into a bundle.

    .venv/bin/python bench/import_readers.py [--items N] [--runs N] [--source S ...]

For each source (Taiga's project export, a Trello board, GitHub's REST issue list and
``gh issue list --json``, Linear's CSV) a file as the tool writes it is generated in memory
with ``--items`` items (20,000) — descriptions of a few hundred characters, labels, people,
a comment on every other item, sprints or milestones — and read ``--runs`` times (5) by the
source's reader, from the file's bytes to the finished bundle (parsing included). Printed: the
file's size, the p50 and best time of one read and items per second at the p50. No database:
a reader writes no rows, the importer does.

The figures go to bench/results/import_readers.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lodestar.interop.imports.bundle import ReadOptions
from lodestar.interop.imports.readers import reader_for

RESULTS = Path(__file__).resolve().parent / "results"
DESCRIPTION = (
    "As a clerk I want to send a customer a link to pay an order, so that they can pay "
    "without calling us.\n\n- the amount is fixed\n- the link expires after 7 days\n\n"
    "See the **design** notes for the page. "
)
PEOPLE = [f"person{n}@example.com" for n in range(40)]
DAY = 86_400


def _iso(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(1_760_000_000 + second))


def taiga(count: int) -> bytes:
    epics = count // 50
    tasks = count // 5
    issues = count // 10
    stories = count - epics - tasks - issues
    statuses = [
        {"name": name, "order": order, "is_closed": order == 5}
        for order, name in enumerate(["New", "Ready", "In progress", "Ready for test", "Done"], 1)
    ]
    points = [{"name": "?", "order": 1, "value": None}] + [
        {"name": str(v), "order": i + 2, "value": float(v)} for i, v in enumerate([1, 2, 3, 5, 8])
    ]

    def history(n: int) -> list[dict[str, Any]]:
        if n % 2:
            return []
        return [
            {
                "user": [PEOPLE[n % 40], f"Person {n % 40}"],
                "created_at": _iso(n * 60 + 30),
                "type": 1,
                "comment": f"Comment on {n}: which currencies?",
                "comment_html": "<p>…</p>",
                "delete_comment_date": None,
                "diff": {},
                "values": {},
            }
        ]

    def common(ref: int, status: str) -> dict[str, Any]:
        return {
            "ref": ref,
            "subject": f"Item {ref}: pay by link for orders",
            "description": DESCRIPTION,
            "status": status,
            "owner": PEOPLE[ref % 40],
            "assigned_to": PEOPLE[(ref + 7) % 40],
            "tags": [["payments", "#70728F"], [f"area-{ref % 12}", None]],
            "created_date": _iso(ref * 60),
            "modified_date": _iso(ref * 60 + 3600),
            "watchers": [PEOPLE[(ref + 3) % 40]],
            "attachments": [],
            "custom_attributes_values": {},
            "history": history(ref),
        }

    ref = 0
    epic_list, story_list, task_list, issue_list = [], [], [], []
    for n in range(epics):
        ref += 1
        epic = common(ref, "In progress") | {"epics_order": n, "related_user_stories": []}
        epic_list.append(epic)
    for n in range(stories):
        ref += 1
        story_list.append(
            common(ref, statuses[n % 5]["name"])
            | {
                "role_points": [
                    {"role": "UX", "points": str([1, 2, 3, 5, 8][n % 5])},
                    {"role": "Back", "points": "?" if n % 3 else "3"},
                ],
                "milestone": f"Sprint {n % 30 + 1}",
                "backlog_order": stories - n,
                "finish_date": None,
            }
        )
        epic_list[n % epics]["related_user_stories"].append({"user_story": ref, "order": n})
    story_refs = [story["ref"] for story in story_list]
    for n in range(tasks):
        ref += 1
        task = common(ref, "New") | {"user_story": story_refs[n % stories], "us_order": n}
        task_list.append(task | {"finished_date": None})
    for _ in range(issues):
        ref += 1
        issue_list.append(common(ref, "New") | {"type": "Bug", "finished_date": None})
    milestones = [
        {
            "name": f"Sprint {n}",
            "estimated_start": "2026-01-05",
            "estimated_finish": "2026-01-18",
            "closed": True,
        }
        for n in range(1, 31)
    ]
    project = {
        "name": "Bench",
        "slug": "bench",
        "memberships": [{"user": email, "email": email, "role": "Back"} for email in PEOPLE],
        "points": points,
        "epic_statuses": statuses,
        "us_statuses": statuses,
        "task_statuses": statuses,
        "issue_statuses": statuses,
        "milestones": milestones,
        "epics": epic_list,
        "user_stories": story_list,
        "tasks": task_list,
        "issues": issue_list,
    }
    return json.dumps(project, indent=4).encode()


def trello(count: int) -> bytes:
    lists = [
        {"id": f"{0x65A1F0D0:08x}{n:016x}", "name": name, "closed": False, "pos": n * 16384}
        for n, name in enumerate(["To Do", "Doing", "Review", "Done"])
    ]
    members = [
        {"id": f"5e1a0000{n:016x}", "fullName": f"Person {n}", "username": f"person{n}"}
        for n in range(40)
    ]
    labels = [{"id": f"65a1f0e0{n:016x}", "name": f"Label {n}", "color": "green"} for n in range(8)]
    cards, checklists, actions = [], [], []
    items = 0
    n = 0
    while items < count:
        card_id = f"65a1f100{n:016x}"
        card_checklists = []
        items += 1
        if n % 10 == 0 and items + 2 <= count:  # a task checklist of two items
            checklist_id = f"65a1f200{n:016x}"
            card_checklists.append(checklist_id)
            checklists.append(
                {
                    "id": checklist_id,
                    "name": "Checklist",
                    "idCard": card_id,
                    "pos": 1,
                    "checkItems": [
                        {"id": f"65a1f3{n:016x}{k:02x}", "name": f"Step {k}", "state": "complete"}
                        | {"pos": k}
                        for k in range(2)
                    ],
                }
            )
            items += 2
        cards.append(
            {
                "id": card_id,
                "idShort": n + 1,
                "name": f"Card {n}: pay by link for orders",
                "desc": DESCRIPTION,
                "idList": lists[n % 4]["id"],
                "pos": n * 1024,
                "closed": False,
                "idLabels": [labels[n % 8]["id"]],
                "idMembers": [members[n % 40]["id"]],
                "idChecklists": card_checklists,
                "dateLastActivity": _iso(n * 60),
                "due": None,
                "shortLink": f"{n:08x}",
                "badges": {"comments": 1 if n % 2 == 0 else 0},
            }
        )
        if n % 2 == 0:
            actions.append(
                {
                    "id": f"65a9a100{n:016x}",
                    "idMemberCreator": members[n % 40]["id"],
                    "type": "commentCard",
                    "date": _iso(n * 60 + 30),
                    "data": {"text": f"Comment on {n}", "card": {"id": card_id, "idShort": n}},
                    "memberCreator": members[n % 40],
                }
            )
        n += 1
    board = {
        "id": "65a1f0c2e4b0a1b2c3d4e5f0",
        "name": "Bench",
        "actions": actions,
        "cards": cards,
        "labels": labels,
        "lists": lists,
        "members": members,
        "checklists": checklists,
    }
    return json.dumps(board).encode()


def _github(count: int, *, gh: bool) -> bytes:
    issues = []
    for n in range(count, 0, -1):
        user = {"login": f"person{n % 40}", "id": n % 40}
        milestone = {"number": n % 10 + 1, "title": f"v1.{n % 10}", "description": ""}
        labels = [{"name": "bug" if n % 7 == 0 else "enhancement", "color": "d73a4a"}]
        if gh:
            issues.append(
                {
                    "assignees": [user],
                    "author": user,
                    "body": DESCRIPTION,
                    "closedAt": None,
                    "comments": [
                        {"id": f"IC_{n}", "author": user, "body": "Which?"}
                        | {"createdAt": _iso(n * 60 + 30)}
                    ]
                    if n % 2 == 0
                    else [],
                    "createdAt": _iso(n * 60),
                    "labels": labels,
                    "milestone": milestone | {"dueOn": None},
                    "number": n,
                    "state": "OPEN",
                    "title": f"Issue {n}: pay by link for orders",
                    "updatedAt": _iso(n * 60 + 3600),
                }
            )
        else:
            issues.append(
                {
                    "number": n,
                    "title": f"Issue {n}: pay by link for orders",
                    "user": user,
                    "labels": labels,
                    "state": "closed" if n % 3 == 0 else "open",
                    "state_reason": "completed" if n % 3 == 0 else None,
                    "assignee": user,
                    "assignees": [user],
                    "milestone": milestone | {"state": "open", "due_on": None, "closed_at": None},
                    "comments": 1,
                    "created_at": _iso(n * 60),
                    "updated_at": _iso(n * 60 + 3600),
                    "closed_at": _iso(n * 60 + 7200) if n % 3 == 0 else None,
                    "body": DESCRIPTION.replace("\n", "\r\n"),
                }
            )
    return json.dumps(issues, indent=2).encode()


def github_rest(count: int) -> bytes:
    return _github(count, gh=False)


def github_gh(count: int) -> bytes:
    return _github(count, gh=True)


def linear(count: int) -> bytes:
    header = [
        "ID",
        "Team",
        "Title",
        "Description",
        "Status",
        "Estimate",
        "Priority",
        "Project ID",
        "Project",
        "Creator",
        "Assignee",
        "Labels",
        "Cycle Number",
        "Cycle Name",
        "Cycle Start",
        "Cycle End",
        "Created",
        "Updated",
        "Started",
        "Completed",
        "Canceled",
        "Archived",
        "Due Date",
        "Parent issue",
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    statuses = ["Backlog", "Todo", "In Progress", "In Review", "Done"]
    for n in range(1, count + 1):
        cycle = n % 20 + 1
        writer.writerow(
            [
                f"PAY-{n}",
                "Payments",
                f"Issue {n}: pay by link for orders",
                DESCRIPTION,
                statuses[n % 5],
                str(n % 8),
                "Medium",
                f"project-{n % 50}",
                f"Project {n % 50}",
                PEOPLE[n % 40],
                f"Person {n % 40}",
                "Bug, Frontend" if n % 7 == 0 else "Feature",
                str(cycle),
                f"Cycle {cycle}",
                "2026-01-05T00:00:00.000Z",
                "2026-01-19T00:00:00.000Z",
                _iso(n * 60),
                _iso(n * 60 + 3600),
                _iso(n * 60 + 1800) if n % 5 >= 2 else "",
                _iso(n * 60 + 3600) if n % 5 == 4 else "",
                "",
                "",
                "",
                f"PAY-{n - 1}" if n % 10 == 0 else "",
            ]
        )
    return out.getvalue().encode()


SOURCES: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "taiga": ("taiga", taiga),
    "trello": ("trello", trello),
    "github-rest": ("github", github_rest),
    "github-gh": ("github", github_gh),
    "linear": ("linear", linear),
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", action="append", choices=sorted(SOURCES))
    options = parser.parse_args(argv)
    results: dict[str, Any] = {"items": options.items, "runs": options.runs, "sources": {}}
    print(f"{'source':<12} {'MB':>6} {'items':>7} {'p50 ms':>8} {'best ms':>8} {'items/s':>9}")
    for name in options.source or list(SOURCES):
        source, generate = SOURCES[name]
        data = generate(options.items)
        reader = reader_for(source)
        times, items = [], 0
        for _ in range(options.runs):
            started = time.perf_counter()
            bundle = reader(data, ReadOptions())
            times.append(time.perf_counter() - started)
            items = len(bundle.items)
            if bundle.unreadable:
                raise SystemExit(f"{name}: {bundle.unreadable[0]}")
        p50 = statistics.median(times)
        row = {
            "megabytes": round(len(data) / 1e6, 2),
            "items": items,
            "p50_ms": round(p50 * 1000, 1),
            "best_ms": round(min(times) * 1000, 1),
            "items_per_second": round(items / p50),
        }
        results["sources"][name] = row
        print(
            f"{name:<12} {row['megabytes']:>6} {items:>7} {row['p50_ms']:>8} "
            f"{row['best_ms']:>8} {row['items_per_second']:>9,}"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "import_readers.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
