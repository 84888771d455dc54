"""``lodestar notifications ...``: a member's inbox from the terminal, bad input as one line."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from lodestar.comments import services as comments
from lodestar.comments.access import Target
from lodestar.notifications.models import Notification
from tests.cli.support import error_line, run
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

W = ("-w", "acme")


def test_list_and_read_from_the_command_line(
    owner: Persona,
    developer: Persona,
    pm: Persona,
    on_item: Target,
    deliver: Callable[[], int],
) -> None:
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev @pm have a look")
    deliver()
    me = ("--as", developer.email)
    listed = run("notifications", "list", *W, *me, "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["kind"], r["read"]) for r in rows] == [("mention", False)]
    table = run("notifications", "list", *W, *me)
    assert "Owner mentioned you in a comment" in table.stdout
    theirs = Notification.objects.get(recipient=pm.membership)
    # Another's id marks nothing.
    assert "Marked 0 read" in run("notifications", "read", str(theirs.pk), *W, *me).stdout
    done = run("notifications", "read", str(rows[0]["id"]), *W, *me)
    assert done.exit_code == 0, done.output
    assert "Marked 1 read; 0 unread left." in done.stdout
    assert json.loads(run("notifications", "list", *W, *me, "--unread", "--json").stdout) == []
    everything = run("notifications", "read", "--all", *W, "--as", pm.email)
    assert "Marked 1 read" in everything.stdout


def test_bad_input_is_one_line(owner: Persona, developer: Persona) -> None:
    me = ("--as", developer.email)
    assert "--all" in error_line(run("notifications", "read", *W, *me))
    assert "not both" in error_line(run("notifications", "read", "3", "--all", *W, *me))
    assert "Kind" in error_line(run("notifications", "list", *W, *me, "--kind", "gossip"))
    assert "is not a notification id" in error_line(run("notifications", "read", "abc", *W, *me))
    assert "--limit" in error_line(run("notifications", "list", *W, *me, "--limit", "0"))
