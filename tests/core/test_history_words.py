"""History in words: the activity feed's sentences, from what each context declares."""

from __future__ import annotations

from lodestar.core.history import describe
from lodestar.core.models import HistoryEntry

NAMES = {"ada@acme.test": "Ada", "bo@acme.test": "Bo"}


def entry(object_type: str, action: str, changes: dict[str, object], label: str) -> HistoryEntry:
    return HistoryEntry(object_type=object_type, action=action, changes=changes, object_label=label)


def test_moving_the_hat_names_both_people() -> None:
    moved = entry(
        "people.team", "moved", {"product_owner": ["ada@acme.test", "bo@acme.test"]}, "Core"
    )
    assert describe(moved, NAMES) == "moved the product owner hat of Core from Ada to Bo"


def test_giving_and_vacating_the_hat() -> None:
    given = entry("people.team", "moved", {"product_owner": [None, "bo@acme.test"]}, "Core")
    assert describe(given, NAMES) == "gave the product owner hat of Core to Bo"
    vacated = entry("people.team", "moved", {"product_owner": ["bo@acme.test", None]}, "Core")
    assert describe(vacated, NAMES) == "left the product owner hat of Core vacant (was Bo)"


def test_other_hats() -> None:
    added = entry("people.team", "updated", {"developer": [None, "ada@acme.test"]}, "Core")
    assert describe(added, NAMES) == "made Ada developer in Core"
    ended = entry("people.team", "updated", {"scrum_master": ["ada@acme.test", None]}, "Core")
    assert describe(ended, NAMES) == "took the scrum master hat in Core off Ada"


def test_members() -> None:
    added = entry("people.membership", "created", {"role": "viewer"}, "Ada in Acme")
    assert describe(added) == "added Ada as viewer"
    changed = entry(
        "people.membership",
        "updated",
        {"role": ["member", "admin"], "job_title": ["Engineer", "Product Manager"]},
        "Ada in Acme",
    )
    assert describe(changed) == (
        "changed Ada's role from member to admin and job title to “Product Manager”"
    )
    removed = entry("people.membership", "deleted", {}, "Ada in Acme")
    assert describe(removed) == "removed Ada from the workspace"


def test_invitations_and_anything_else() -> None:
    invited = entry("people.invitation", "created", {"email": "x@acme.test"}, "")
    assert describe(invited) == "invited x@acme.test"
    accepted = entry("people.invitation", "updated", {"accepted_at": [None, "now"]}, "")
    assert describe(accepted) == "accepted an invitation"
    other = entry("backlog.backlogitem", "deleted", {}, "ACME-4 Export")
    assert describe(other) == "deleted backlog item “ACME-4 Export”"


def test_backlog_items_say_what_changed_in_the_words_of_their_own_history() -> None:
    updated = entry(
        "backlog.backlogitem",
        "updated",
        {"status": ["new", "ready"], "title": ["Export", "Export to CSV"]},
        "ACME-4 Export to CSV",
    )
    assert describe(updated) == (
        "updated backlog item “ACME-4 Export to CSV”: changed the status from new to ready; "
        "renamed it to “Export to CSV”"
    )
    moved = entry("backlog.backlogitem", "moved", {"placement": "before ACME-2"}, "ACME-4 X")
    assert describe(moved) == "moved backlog item “ACME-4 X” before ACME-2"
    # Housekeeping alone (a rank) has no words of its own: the plain line stands.
    ranked = entry("backlog.backlogitem", "updated", {"rank": ["a", "b"]}, "ACME-4 X")
    assert describe(ranked) == "updated backlog item “ACME-4 X”"


def test_a_kind_nobody_declared_reads_by_its_model_name() -> None:
    other = entry("elsewhere.gadget", "created", {}, "G-1")
    assert describe(other) == "created gadget “G-1”"
