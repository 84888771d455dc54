"""Portal ideas linked to customer problems: votes in the problem's evidence (apart from
customers and ARR), the public status following the problem unless set by hand, history and
events on every link, and nothing of the problem on the public portal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.core.errors import Forbidden, Invalid, StaleVersion
from lodestar.core.models import HistoryEntry, OutboxEvent
from lodestar.discovery import services
from lodestar.discovery.models import Problem, ProblemStatus
from lodestar.discovery.portal_links import (
    PUBLIC_STATUS,
    idea_problem_link,
    idea_problem_unlink,
    idea_status_set,
)
from lodestar.discovery.portal_models import IdeaStatus, PortalIdea, PortalVote
from lodestar.discovery.portal_moderation import idea_create, idea_update
from lodestar.discovery.portal_services import portal_update
from lodestar.discovery.selectors import problem_evidence
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.conftest import PASSWORD, Persona

HOME = "/portal/acme/ACME/"
PAGE = "/w/acme/products/ACME/portal"


def _vote(idea: PortalIdea, email: str, *, confirmed: bool = True) -> PortalVote:
    vote: PortalVote = PortalVote.objects.create(
        idea=idea, email=email, confirmed_at=timezone.now() if confirmed else None
    )
    return vote


@pytest.fixture
def exports(pm: Persona) -> Problem:
    """A problem with one customer (Globex, ARR 120,000) behind it, and private words."""
    actor = pm.actor
    problem = services.problem_create(
        actor=actor,
        title="Exports time out on big accounts",
        description="Internal: Globex threatens to churn over this.",
    )
    globex = services.customer_create(
        actor=actor, name="Globex", segment="Enterprise", arr=120_000, notes="Key account"
    )
    services.contact_create(actor=actor, customer=globex, email="ana@globex.test")
    feedback = services.feedback_create(
        actor=actor, text="The CSV export times out.", customer=globex
    )
    services.insight_create(actor=actor, feedback=feedback, quote="times out", problems=[problem])
    return problem


@pytest.fixture
def idea(po: Persona, product: Product) -> PortalIdea:
    portal_update(actor=po.actor, product=product, enabled=True)
    return idea_create(actor=po.actor, product=product, title="Faster exports")


# -- votes in the evidence -------------------------------------------------------------------------


def test_votes_count_distinct_confirmed_voters_over_the_linked_ideas(
    pm: Persona, product: Product, exports: Problem, idea: PortalIdea
) -> None:
    other = idea_create(actor=pm.actor, product=product, title="Export to Excel")
    for email in ("a@x.co", "b@x.co"):
        _vote(idea, email)
    _vote(other, "a@x.co")  # the same address on a second linked idea counts once
    _vote(other, "c@x.co")
    _vote(other, "d@x.co", confirmed=False)  # never confirmed: never counted
    assert problem_evidence([exports.pk])[exports.pk].votes == 0
    idea_problem_link(actor=pm.actor, idea=idea, problem=exports)
    assert problem_evidence([exports.pk])[exports.pk].votes == 2
    idea_problem_link(actor=pm.actor, idea=other, problem=exports)
    evidence = problem_evidence([exports.pk])[exports.pk]
    assert evidence.votes == 3
    # A hidden idea's confirmed votes still count: they were cast.
    idea_update(actor=pm.actor, idea=other, published=False)
    assert problem_evidence([exports.pk])[exports.pk].votes == 3
    idea_problem_unlink(actor=pm.actor, idea=other, problem=exports)
    assert problem_evidence([exports.pk])[exports.pk].votes == 2


def test_a_voter_who_is_a_customers_contact_adds_no_customer_nor_arr(
    pm: Persona, exports: Problem, idea: PortalIdea
) -> None:
    """Votes are interest, not evidence from customers: a voter whose email is a contact of a
    customer (here Initech's, a customer not yet behind the problem) moves neither the
    customers nor the ARR; only an insight does."""
    initech = services.customer_create(actor=pm.actor, name="Initech", arr=50_000)
    services.contact_create(actor=pm.actor, customer=initech, email="bo@initech.test")
    before = problem_evidence([exports.pk])[exports.pk]
    _vote(idea, "bo@initech.test")
    _vote(idea, "ana@globex.test")
    idea_problem_link(actor=pm.actor, idea=idea, problem=exports)
    after = problem_evidence([exports.pk])[exports.pk]
    assert after.votes == 2
    assert (after.customers, after.contacts, after.arr, after.insights) == (
        before.customers,
        before.contacts,
        before.arr,
        before.insights,
    )
    assert (after.customers, after.arr) == (1, Decimal("120000.00"))


def test_a_problem_without_ideas_has_no_votes(exports: Problem) -> None:
    assert problem_evidence([exports.pk])[exports.pk].votes == 0


# -- the public status follows the problem ---------------------------------------------------------


def test_the_mapping_covers_every_problem_status_with_an_idea_status() -> None:
    assert set(PUBLIC_STATUS) == set(ProblemStatus.values)
    assert set(PUBLIC_STATUS.values()) <= set(IdeaStatus.values)
    assert PUBLIC_STATUS[ProblemStatus.WONT_SOLVE] == IdeaStatus.CLOSED


def test_a_linked_idea_follows_its_problem_until_set_by_hand(
    pm: Persona, exports: Problem, idea: PortalIdea
) -> None:
    services.problem_update(actor=pm.actor, problem=exports, status=ProblemStatus.VALIDATED)
    idea_problem_link(actor=pm.actor, idea=idea, problem=exports)
    idea.refresh_from_db()
    assert (idea.status, idea.status_by_hand) == (IdeaStatus.PLANNED, False)
    for problem_status, idea_status in [
        (ProblemStatus.SOLVING, IdeaStatus.IN_PROGRESS),
        (ProblemStatus.SOLVED, IdeaStatus.RELEASED),
        (ProblemStatus.WONT_SOLVE, IdeaStatus.CLOSED),
        (ProblemStatus.NEW, IdeaStatus.UNDER_REVIEW),
    ]:
        exports.refresh_from_db()
        services.problem_update(actor=pm.actor, problem=exports, status=problem_status)
        idea.refresh_from_db()
        assert idea.status == idea_status, problem_status
    # Set by hand: it stays, whatever the problem does.
    idea_update(actor=pm.actor, idea=idea, status=IdeaStatus.PLANNED)
    exports.refresh_from_db()
    services.problem_update(actor=pm.actor, problem=exports, status=ProblemStatus.SOLVED)
    idea.refresh_from_db()
    assert (idea.status, idea.status_by_hand) == (IdeaStatus.PLANNED, True)
    # Handed back: it takes the problem's status at once.
    idea_status_set(actor=pm.actor, idea=idea, status=None)
    idea.refresh_from_db()
    assert (idea.status, idea.status_by_hand) == (IdeaStatus.RELEASED, False)


def test_saving_the_same_status_is_not_setting_it_by_hand(
    pm: Persona, exports: Problem, idea: PortalIdea
) -> None:
    idea_problem_link(actor=pm.actor, idea=idea, problem=exports)
    idea_update(actor=pm.actor, idea=idea, status=IdeaStatus.UNDER_REVIEW)
    idea.refresh_from_db()
    assert not idea.status_by_hand


def test_an_idea_set_by_hand_keeps_its_status_when_linked(
    pm: Persona, exports: Problem, idea: PortalIdea
) -> None:
    idea_status_set(actor=pm.actor, idea=idea, status=IdeaStatus.IN_PROGRESS)
    idea_problem_link(actor=pm.actor, idea=idea, problem=exports)
    idea.refresh_from_db()
    assert (idea.status, idea.status_by_hand, idea.problem_id) == (
        IdeaStatus.IN_PROGRESS,
        True,
        exports.pk,
    )


def test_an_idea_published_with_a_problem_and_a_status_keeps_that_status(
    pm: Persona, product: Product, exports: Problem
) -> None:
    services.problem_update(actor=pm.actor, problem=exports, status=ProblemStatus.SOLVING)
    chosen = idea_create(
        actor=pm.actor, product=product, title="A", status=IdeaStatus.PLANNED, problem=exports
    )
    following = idea_create(actor=pm.actor, product=product, title="B", problem=exports)
    assert (chosen.status, chosen.status_by_hand) == (IdeaStatus.PLANNED, True)
    assert (following.status, following.status_by_hand) == (IdeaStatus.IN_PROGRESS, False)


def test_unlinking_keeps_the_public_status(pm: Persona, exports: Problem, idea: PortalIdea) -> None:
    services.problem_update(actor=pm.actor, problem=exports, status=ProblemStatus.SOLVING)
    idea_problem_link(actor=pm.actor, idea=idea, problem=exports)
    assert idea_problem_unlink(actor=pm.actor, idea=idea, problem=exports)
    assert not idea_problem_unlink(actor=pm.actor, idea=idea, problem=exports)
    idea.refresh_from_db()
    assert (idea.status, idea.problem_id) == (IdeaStatus.IN_PROGRESS, None)
    exports.refresh_from_db()
    services.problem_update(actor=pm.actor, problem=exports, status=ProblemStatus.SOLVED)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.IN_PROGRESS


# -- history and events ----------------------------------------------------------------------------


def test_every_link_and_unlink_is_in_both_histories_and_published(
    pm: Persona, exports: Problem, idea: PortalIdea
) -> None:
    search = services.problem_create(actor=pm.actor, title="Search misses typos")
    mark = HistoryEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def entries(obj: object) -> list[dict[str, object]]:
        return list(
            HistoryEntry.objects.filter(
                id__gt=mark,
                object_type=obj._meta.label_lower,  # type: ignore[attr-defined]
                object_id=obj.pk,  # type: ignore[attr-defined]
            )
            .order_by("id")
            .values_list("changes", flat=True)
        )

    assert idea_problem_link(actor=pm.actor, idea=idea, problem=exports)
    assert not idea_problem_link(actor=pm.actor, idea=idea, problem=exports)  # no second entry
    assert idea_problem_link(actor=pm.actor, idea=idea, problem=search)  # moved
    assert idea_problem_unlink(actor=pm.actor, idea=idea, problem=search)
    assert [e["problem"] for e in entries(idea)] == [
        [None, exports.title],
        [exports.title, search.title],
        [search.title, None],
    ]
    assert [e["portal_ideas"] for e in entries(exports)] == [
        [None, [idea.title]],
        [[idea.title], None],
    ]
    assert [e["portal_ideas"] for e in entries(search)] == [
        [None, [idea.title]],
        [[idea.title], None],
    ]
    kinds = list(OutboxEvent.objects.filter(history_id__gt=mark).values_list("kind", flat=True))
    assert kinds.count("portal_idea.updated") == 3
    assert kinds.count("problem.updated") == 4


# -- who may, and what may be linked ---------------------------------------------------------------


def test_viewers_link_nothing(viewer: Persona, exports: Problem, idea: PortalIdea) -> None:
    with pytest.raises(Forbidden):
        idea_problem_link(actor=viewer.actor, idea=idea, problem=exports)
    with pytest.raises(Forbidden):
        idea_status_set(actor=viewer.actor, idea=idea, status=IdeaStatus.PLANNED)
    idea.refresh_from_db()
    assert (idea.problem_id, idea.status) == (None, IdeaStatus.UNDER_REVIEW)
    assert not HistoryEntry.objects.filter(object_type="discovery.portalidea", action="updated")


def test_an_idea_links_only_to_a_problem_of_its_product_or_of_none(
    pm: Persona, owner: Persona, exports: Problem, idea: PortalIdea
) -> None:
    beta = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    theirs = services.problem_create(actor=pm.actor, title="Beta's problem", product=beta)
    with pytest.raises(Invalid) as caught:
        idea_problem_link(actor=pm.actor, idea=idea, problem=theirs)
    assert caught.value.errors[0].field == "idea"
    assert "BETA" in caught.value.errors[0].message
    idea.refresh_from_db()
    assert idea.problem_id is None
    # A problem of no product takes any product's idea.
    assert idea_problem_link(actor=pm.actor, idea=idea, problem=exports)


def test_a_stale_version_links_nothing(pm: Persona, exports: Problem, idea: PortalIdea) -> None:
    with pytest.raises(StaleVersion):
        idea_problem_link(
            actor=pm.actor, idea=idea, problem=exports, expected_version=idea.version + 1
        )
    idea.refresh_from_db()
    assert idea.problem_id is None


def test_a_bad_status_names_the_field_and_changes_nothing(pm: Persona, idea: PortalIdea) -> None:
    with pytest.raises(Invalid) as caught:
        idea_status_set(actor=pm.actor, idea=idea, status="shipped")
    assert caught.value.errors[0].field == "status"
    assert "closed" in caught.value.errors[0].message
    idea.refresh_from_db()
    assert (idea.status, idea.status_by_hand, idea.version) == (IdeaStatus.UNDER_REVIEW, False, 1)


# -- the public portal -----------------------------------------------------------------------------


def test_the_portal_shows_nothing_of_the_linked_problem(
    pm: Persona, exports: Problem, idea: PortalIdea
) -> None:
    services.problem_update(actor=pm.actor, problem=exports, status=ProblemStatus.SOLVING)
    _vote(idea, "ana@globex.test")
    idea_problem_link(actor=pm.actor, idea=idea, problem=exports)
    visitor = Client()
    for url in (HOME, f"{HOME}ideas/{idea.pk}/"):
        page = visitor.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Faster exports" in html
        assert "In progress" in html  # the status it follows
        for private in (
            "Exports time out",
            "threatens to churn",
            "Globex",
            "120,000",
            "120000",
            "Key account",
            "ana@globex.test",
            "times out",
            "Solving",
        ):
            assert private not in html, (url, private)


# -- the pages -------------------------------------------------------------------------------------


def _signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(email=persona.email, password=PASSWORD)
    return client


def test_the_moderation_page_links_and_unlinks_an_idea(
    pm: Persona, exports: Problem, idea: PortalIdea
) -> None:
    client = _signed_in(pm)
    queue = client.get(PAGE + "/queue").content.decode()
    assert f'<option value="{exports.pk}">Exports time out on big accounts</option>' in queue
    linked = client.post(f"{PAGE}/ideas/{idea.pk}/problem", {"problem": exports.pk}, follow=True)
    assert linked.status_code == 200
    assert "its votes count in its evidence" in linked.content.decode()
    idea.refresh_from_db()
    assert idea.problem_id == exports.pk
    assert "follows the problem" in linked.content.decode()
    unlinked = client.post(f"{PAGE}/ideas/{idea.pk}/problem", {"unlink": "1"}, follow=True)
    assert "is no longer linked to" in unlinked.content.decode()
    idea.refresh_from_db()
    assert idea.problem_id is None


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("", "Problem: choose the problem this idea is"),
        ("999999", "Problem: no problem 999999 in this workspace"),
        ("abc", "Problem: no problem abc in this workspace"),
    ],
)
def test_a_bad_problem_on_the_moderation_page_says_what_to_fix(
    pm: Persona, idea: PortalIdea, problem: str, message: str
) -> None:
    answer = _signed_in(pm).post(f"{PAGE}/ideas/{idea.pk}/problem", {"problem": problem})
    assert answer.status_code == 422
    assert message in answer.content.decode()
    idea.refresh_from_db()
    assert idea.problem_id is None


def test_the_moderation_page_hands_a_status_back_to_the_problem(
    pm: Persona, exports: Problem, idea: PortalIdea
) -> None:
    services.problem_update(actor=pm.actor, problem=exports, status=ProblemStatus.VALIDATED)
    idea_problem_link(actor=pm.actor, idea=idea, problem=exports)
    client = _signed_in(pm)
    client.post(f"{PAGE}/ideas/{idea.pk}", {"status": IdeaStatus.RELEASED})
    idea.refresh_from_db()
    assert (idea.status, idea.status_by_hand) == (IdeaStatus.RELEASED, True)
    assert "Follow the problem again" in client.get(PAGE + "/queue").content.decode()
    client.post(f"{PAGE}/ideas/{idea.pk}", {"status": "follow"})
    idea.refresh_from_db()
    assert (idea.status, idea.status_by_hand) == (IdeaStatus.PLANNED, False)


def test_another_workspaces_problem_is_no_choice(
    pm: Persona, outsider: Persona, idea: PortalIdea
) -> None:
    foreign = services.problem_create(actor=outsider.actor, title="Globex's own problem")
    answer = _signed_in(pm).post(f"{PAGE}/ideas/{idea.pk}/problem", {"problem": foreign.pk})
    assert answer.status_code == 422
    assert "Globex's own problem" not in _signed_in(pm).get(PAGE + "/queue").content.decode()
    idea.refresh_from_db()
    assert idea.problem_id is None


def test_the_problem_page_shows_its_ideas_with_their_votes(
    pm: Persona, viewer: Persona, exports: Problem, idea: PortalIdea
) -> None:
    for n in range(3):
        _vote(idea, f"v{n}@x.co")
    idea_problem_link(actor=pm.actor, idea=idea, problem=exports)
    html = _signed_in(viewer).get(f"/w/acme/problems/{exports.pk}").content.decode()
    assert "Ideas on the portal" in html
    assert "Faster exports" in html
    assert "3 votes on the portal" in html
    assert 'data-testid="evidence-votes">3<' in html
    # The customer evidence is unchanged beside it.
    assert 'data-testid="evidence-customers">1<' in html


def test_a_problem_without_ideas_shows_no_portal_section(pm: Persona, exports: Problem) -> None:
    html = _signed_in(pm).get(f"/w/acme/problems/{exports.pk}").content.decode()
    assert "Ideas on the portal" not in html
    assert "evidence-votes" not in html


def test_viewers_and_other_workspaces_link_nothing_from_the_page(
    viewer: Persona, outsider: Persona, exports: Problem, idea: PortalIdea
) -> None:
    refused = _signed_in(viewer).post(f"{PAGE}/ideas/{idea.pk}/problem", {"problem": exports.pk})
    assert refused.status_code == 403
    foreign = _signed_in(outsider).post(
        f"/w/acme/products/ACME/portal/ideas/{idea.pk}/problem", {"problem": exports.pk}
    )
    assert foreign.status_code == 404
    missing = _signed_in(viewer).post(f"{PAGE}/ideas/999999/problem", {"problem": exports.pk})
    assert missing.status_code == 404
    idea.refresh_from_db()
    assert idea.problem_id is None


def test_publishing_from_the_page_with_a_bad_problem_publishes_nothing(
    pm: Persona, po: Persona, product: Product, owner: Persona
) -> None:
    from tests.discovery.test_portal_moderation_api import _queued

    beta = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    theirs = services.problem_create(actor=pm.actor, title="Beta's problem", product=beta)
    portal_update(actor=po.actor, product=product, enabled=True)
    submission = _queued(product, "Dark mode")
    client = _signed_in(pm)
    url = f"{PAGE}/submissions/{submission.pk}/publish"
    for problem, message in (
        ("999999", "Problem: no problem 999999 in this workspace"),
        (str(theirs.pk), "Problem: is a problem of BETA; the idea is on ACME"),
    ):
        answer = client.post(url, {"title": "Dark mode", "problem": problem})
        assert answer.status_code == 422, problem
        assert message in answer.content.decode()
    submission.refresh_from_db()
    assert submission.state == "queued"
    assert not PortalIdea.objects.exists()
