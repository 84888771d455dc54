"""The duties table: ten duties, every key unique, every activity of a known source."""

from __future__ import annotations

from lodestar.coverage import duties
from lodestar.coverage.activity import _OBJECTS, _ROWS
from lodestar.coverage.duties import DUTIES, Match, Rows


def test_ten_duties_with_unique_keys() -> None:
    assert len(DUTIES) == 10
    assert len(set(duties.DUTY_KEYS)) == 10
    keys = [activity.key for _, activity in duties.activities()]
    assert len(keys) == len(set(keys))


def test_every_activity_has_a_source_the_engine_reads() -> None:
    for duty in DUTIES:
        assert duty.activities, duty.key
        for activity in duty.activities:
            if isinstance(activity.source, Match):
                assert activity.source.object_type in _OBJECTS, activity.key
            else:
                assert isinstance(activity.source, Rows)
                assert activity.source.name in _ROWS, activity.key


def test_duty_lookup() -> None:
    assert duties.duty("order_backlog").label == "Orders the backlog"
