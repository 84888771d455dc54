"""``core.live``: a stamp's tag, the poll's answer (304 or who changed it), and the stale
version's sentence read from the history."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import RequestFactory

from lodestar.core.concurrency import check_version
from lodestar.core.errors import StaleVersion
from lodestar.core.live import LastChange, etag, newest, poll_answer, when
from lodestar.people.models import Team
from lodestar.people.services import team_update
from tests.conftest import Persona

AT = dt.datetime(2026, 12, 1, 10, 42, 5, tzinfo=dt.UTC)


def test_a_tag_is_the_same_for_the_same_values_and_quoted() -> None:
    assert etag(1, AT, 3) == etag(1, AT, 3)
    assert etag(1, AT, 3) != etag(1, AT, 4)
    assert etag(1, None) != etag(1, 0)
    assert etag(1).startswith('"live-')
    assert etag(1).endswith('"')


@pytest.mark.parametrize(
    ("sent", "matches"),
    [
        ("{tag}", True),
        ("W/{tag}", True),
        ('"other", {tag}', True),
        ("*", True),
        ('"other"', False),
        ("", False),
    ],
)
def test_the_poll_answers_304_when_the_tag_matches(sent: str, matches: bool) -> None:
    tag = etag("x")
    request = RequestFactory().get("/", headers={"If-None-Match": sent.format(tag=tag)})
    request.user = type("U", (), {"pk": 1})()
    asked: list[bool] = []

    def last() -> LastChange:
        asked.append(True)
        return LastChange("Quinn Alvarez", AT, actor_id=2)

    response = poll_answer(request, tag, last)
    assert response["ETag"] == tag
    assert "no-cache" in response["Cache-Control"]
    if matches:
        assert response.status_code == 304
        assert not asked  # the history is read only for a change
        return
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "etag": tag,
        "changed_by": "Quinn Alvarez",
        "changed_at": "2026-12-01T10:42:05Z",
        "when": "2026-12-01 10:42 UTC",
        "mine": False,
        "gone": False,
    }


def test_a_change_with_no_history_names_nobody() -> None:
    request = RequestFactory().get("/")
    request.user = type("U", (), {"pk": 1})()
    body = json.loads(poll_answer(request, etag(1), lambda: None, gone=True).content)
    assert body["changed_by"] is None
    assert body["gone"] is True


def test_newest_and_when() -> None:
    early = LastChange("A", AT - dt.timedelta(minutes=1))
    late = LastChange("B", AT)
    assert newest([early, None, late]) is late
    assert newest([None]) is None
    local = AT.astimezone(dt.timezone(dt.timedelta(hours=2)))
    assert when(local) == "2026-12-01 10:42 UTC"


def test_a_stale_version_names_who_changed_the_row_last(owner: Persona, team: Team) -> None:
    team_update(actor=owner.actor, team=team, name="Core team")
    team.refresh_from_db()
    with pytest.raises(StaleVersion) as caught:
        check_version(team, team.version - 1)
    error = caught.value
    assert error.changed_by == "Owner"
    assert error.detail.startswith("This team was changed by Owner at ")
    assert error.detail.endswith(" UTC — reload it and apply your change again.")
    problem = error.problem()
    assert problem["code"] == "stale_version"
    assert problem["changed_by"] == "Owner"
    assert problem["changed_at"].endswith("Z")


def test_a_stale_version_without_history_says_someone_else(team: Team) -> None:
    with pytest.raises(StaleVersion) as caught:
        check_version(team, team.version + 5)
    assert caught.value.changed_by is None
    assert "was changed by someone else" in caught.value.detail
    assert "changed_by" not in caught.value.problem()
