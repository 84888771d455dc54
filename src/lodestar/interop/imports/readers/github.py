"""GitHub issues as JSON -> a bundle, in either shape they come in:

- the REST API's issue list (``GET /repos/{owner}/{repo}/issues?state=all``, saved as it
  comes, or page after page as ``gh api --paginate`` writes it): snake_case, ``user``,
  ``state`` ``open``/``closed`` with ``state_reason``, pull requests mixed in (skipped and
  counted), comments only as a count;
- ``gh issue list --state all --json number,title,body,state,labels,assignees,author,
  milestone,createdAt,updatedAt,closedAt,comments``: camelCase, ``author``, ``state``
  ``OPEN``/``CLOSED``, the comments themselves.

Open -> todo, closed -> done (closed as not planned -> cancelled); a label named like "bug"
makes a bug, one named like "epic" an epic, else a story; milestones become releases (open ->
planned, closed -> live on the day it closed). People are GitHub logins (no emails). Items keep
the file's order.
"""

from __future__ import annotations

import re
from typing import Any

from lodestar.interop.imports.bundle import (
    Bundle,
    ReadOptions,
    SourceComment,
    SourceItem,
    SourceRelease,
    SourceStatus,
    Unreadable,
)
from lodestar.interop.imports.readers.common import (
    People,
    each,
    invalid_file,
    kind_from_labels,
    labels_of,
    load_json,
    parse_date,
    parse_datetime,
    shown,
    text_of,
    titled,
)

WHAT = (
    "GitHub issues as a JSON array (the REST API's issue list, or what `gh issue list --json "
    "number,title,body,state,labels,assignees,author,milestone,createdAt,updatedAt,closedAt,"
    "comments` writes)"
)

# Where an issue says its repository: the REST API's ``repository_url``, or the issue's own
# ``url`` / ``html_url`` (what ``gh issue list --json url`` adds).
_REPOSITORY_URL = re.compile(r"/repos/(?P<repository>[^/]+/[^/]+)/?$")
_ISSUE_URL = re.compile(r"/(?P<repository>[^/]+/[^/]+)/(?:issues|pull)/\d+/?$")

_OPEN = SourceStatus("open", "todo")
_CLOSED = SourceStatus("closed", "done")
_NOT_PLANNED = SourceStatus("closed as not planned", "cancelled")


def read_github(data: bytes, options: ReadOptions) -> Bundle:
    issues = load_json(data, what=WHAT, arrays_in_a_row=True)
    if isinstance(issues, dict) and isinstance(issues.get("items"), list):
        issues = issues["items"]  # the search API's answer
    if not isinstance(issues, list):
        raise invalid_file(
            f"The file is JSON but not a list of GitHub issues: expected {WHAT}. "
            "A single issue or a repository's data is not enough."
        )
    if issues and not any(isinstance(issue, dict) and "number" in issue for issue in issues):
        raise invalid_file(
            f"The file is a JSON array but none of its entries is a GitHub issue (an object "
            f"with a `number`): expected {WHAT}."
        )
    return _Reader().read(issues)


class _Reader:
    def __init__(self) -> None:
        self.bundle = Bundle(source="github")
        self.people = People()
        self.releases: dict[str, SourceRelease] = {}
        self.numbers: set[str] = set()
        self.pull_requests = 0
        self.comment_counts = 0
        self.stateless_milestones = 0
        self.unnamed_repository = 0

    def read(self, issues: list[Any]) -> Bundle:
        shapes: set[str] = set()
        for index, issue in enumerate(issues):
            if not isinstance(issue, dict):
                self.bundle.unreadable.append(
                    Unreadable(
                        f"entry {index + 1}", f"expected an issue object, got {shown(issue)}"
                    )
                )
                continue
            if "pull_request" in issue:
                self.pull_requests += 1
                continue
            gh = "createdAt" in issue or "author" in issue
            shapes.add("gh issue list" if gh else "the REST API")
            self._issue(issue, gh=gh)

        self.bundle.releases = list(self.releases.values())
        self.bundle.people = self.people.all()
        self.bundle.notes.append(
            f"Read {len(self.bundle.items)} issues as {' and '.join(sorted(shapes)) or 'JSON'} "
            f"writes them and {len(self.releases)} milestones (as releases); "
            f"skipped {self.pull_requests} pull requests."
        )
        if self.comment_counts:
            self.bundle.notes.append(
                f"The file counts {self.comment_counts} comments but does not hold them (the "
                "REST issue list gives counts only): export with `gh issue list --json ...,"
                "comments` to import them."
            )
        if self.unnamed_repository:
            self.bundle.notes.append(
                f"{self.unnamed_repository} issues do not say their repository (add `url` to "
                "gh's --json fields): they are known by their number alone, so do not import "
                "another repository's issues without it into the same workspace."
            )
        if self.stateless_milestones:
            self.bundle.notes.append(
                f"{self.stateless_milestones} milestones do not say whether they are closed "
                "(gh issue list leaves that out): they come in as planned releases."
            )
        self.bundle.notes.append(
            "GitHub exports no emails: people are kept by their login (invite them by email "
            "after the import to match them)."
        )
        return self.bundle

    def _issue(self, issue: dict[str, Any], *, gh: bool) -> None:
        number = issue.get("number")
        repository = _repository(issue)
        self.unnamed_repository += not repository
        # Numbers count from 1 in every repository: the repository keeps two repositories'
        # issues apart in one workspace ("acme/checkout#12").
        key = f"{repository}#{number}" if repository else str(number)
        where = f"issue #{number}" if number is not None else "an issue without a number"
        title = text_of(issue.get("title"))
        problems: list[Unreadable] = []
        if not isinstance(number, int) or isinstance(number, bool):
            problems.append(Unreadable(where, "The issue has no number.", "number"))
        elif key in self.numbers:
            problems.append(
                Unreadable(where, f"The issue #{number} is in the file twice.", "number")
            )
        if not title:
            problems.append(Unreadable(where, "The issue has no title.", "title"))

        def date(rest: str, camel: str) -> Any:
            field = camel if gh else rest
            try:
                return parse_datetime(issue.get(field))
            except ValueError as error:
                problems.append(Unreadable(where, str(error), field))
                return None

        created = date("created_at", "createdAt")
        updated = date("updated_at", "updatedAt")
        closed = date("closed_at", "closedAt")
        state = text_of(issue.get("state")).lower()
        if state not in ("open", "closed"):
            problems.append(
                Unreadable(
                    where,
                    f"The state {shown(issue.get('state'))} is neither open nor closed.",
                    "state",
                )
            )
        release = self._milestone(issue.get("milestone"), repository, where, problems)
        comments = self._comments(issue.get("comments"), str(number), where, problems)
        if problems:
            self.bundle.unreadable.extend(problems)
            return
        self.numbers.add(key)

        reason = text_of(issue.get("stateReason" if gh else "state_reason")).lower()
        status = _OPEN if state == "open" else _NOT_PLANNED if reason == "not_planned" else _CLOSED
        labels = labels_of(
            text_of(label.get("name")) if isinstance(label, dict) else text_of(label)
            for label in each(issue.get("labels"))
        )
        assignees = [self._person(person) for person in each(issue.get("assignees"))]
        if not assignees and isinstance(issue.get("assignee"), dict):
            assignees = [self._person(issue["assignee"])]
        self.bundle.items.append(
            SourceItem(
                external_id=key,
                where=where,
                title=title,
                kind=kind_from_labels(labels),
                description=_markdown(issue.get("body")),
                status=status,
                labels=labels,
                assignee=assignees[0] if assignees else None,
                watchers=tuple(person for person in assignees[1:] if person),
                reporter=self._person(issue.get("author" if gh else "user")),
                release=release,
                comments=comments,
                created_at=created,
                updated_at=updated,
                resolved_at=closed if state == "closed" else None,
            )
        )

    def _person(self, person: object) -> str | None:
        if not isinstance(person, dict):
            return None
        return self.people.add(text_of(person.get("login")), name=text_of(person.get("name")))

    def _milestone(
        self, milestone: object, repository: str, where: str, problems: list[Unreadable]
    ) -> str | None:
        if not isinstance(milestone, dict):
            return None
        title = text_of(milestone.get("title"))
        number = milestone.get("number")
        key = str(number) if isinstance(number, int) else title
        if repository and key:
            key = f"{repository}/milestone/{key}"
        if not key or not title:
            problems.append(Unreadable(where, "Its milestone has no title.", "milestone"))
            return None
        if key in self.releases:
            return key
        try:
            target = parse_date(milestone.get("due_on") or milestone.get("dueOn"))
            closed = parse_date(milestone.get("closed_at"))
        except ValueError as error:
            problems.append(
                Unreadable(where, f"its milestone {shown(title)}: {error}", "milestone")
            )
            return None
        state = text_of(milestone.get("state")).lower()
        done = state == "closed"
        self.stateless_milestones += not state
        self.releases[key] = SourceRelease(
            external_id=key,
            where=titled("milestone", title),
            name=title,
            description=_markdown(milestone.get("description")),
            target=target,
            state="live" if done else "planned",
            released_at=closed if done else None,
        )
        return key

    def _comments(
        self, comments: object, number: str, where: str, problems: list[Unreadable]
    ) -> tuple[SourceComment, ...]:
        if isinstance(comments, int) and not isinstance(comments, bool):
            self.comment_counts += comments
            return ()
        read: list[SourceComment] = []
        for index, comment in enumerate(each(comments), start=1):
            if not isinstance(comment, dict):
                continue
            try:
                created = parse_datetime(comment.get("createdAt") or comment.get("created_at"))
            except ValueError as error:
                problems.append(Unreadable(where, f"comment {index}: {error}", "comments"))
                continue
            read.append(
                SourceComment(
                    external_id=text_of(comment.get("id")) or f"{number}#{index}",
                    body=_markdown(comment.get("body")),
                    author=self._person(comment.get("author") or comment.get("user")),
                    created_at=created,
                )
            )
        return tuple(read)


def _repository(issue: dict[str, Any]) -> str:
    """``owner/name`` of the issue's repository, as the issue says it ('' when it does not)."""
    match = _REPOSITORY_URL.search(text_of(issue.get("repository_url")))
    for field in ("url", "html_url"):
        match = match or _ISSUE_URL.search(text_of(issue.get(field)))
    return match["repository"] if match else ""


def _markdown(text: object) -> str:
    """GitHub's Markdown as it is, with the API's CRLF line ends made plain."""
    return text_of(text).replace("\r\n", "\n")
