"""The roadmap: lanes of goals, epics, problems and releases ordered by hand, validated through
the object registry; the timeline; share links (hashed token, revocable, expiring) whose public
page shows no customer data unless opted in."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.core.errors import Forbidden, Invalid
from lodestar.core.models import HistoryEntry
from lodestar.discovery import services as discovery
from lodestar.discovery.models import Problem
from lodestar.releases import roadmap, roadmap_selectors
from lodestar.releases.models import Release, RoadmapEntry, RoadmapShare
from lodestar.releases.schemas import RoadmapOut
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme/products/ACME/roadmap"
PAGE = "/w/acme/releases/ACME/roadmap"
CUSTOMER, FEEDBACK = "Initech Holdings", "Our CFO cannot read the exported PDF at all"


@pytest.fixture
def epic(make_item: MakeItem) -> BacklogItem:
    return make_item("Self-serve reporting", kind="epic")


@pytest.fixture
def problem(owner: Persona, product: Product) -> Problem:
    found = discovery.problem_create(
        actor=owner.actor, title="Reports are hard to share", product=product
    )
    customer = discovery.customer_create(actor=owner.actor, name=CUSTOMER, arr="987654")
    feedback = discovery.feedback_create(actor=owner.actor, text=FEEDBACK, customer=customer)
    discovery.insight_create(
        actor=owner.actor, feedback=feedback, quote="cannot read", problems=[found]
    )
    return found


def _titles(product: Product) -> dict[str, list[str]]:
    return {lane.name: [c.title for c in lane.cards] for lane in roadmap_selectors.lanes(product)}


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return client.generic(
        method, url, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def test_lanes_hold_each_kind_in_hand_order(
    po: Persona, product: Product, release: Release, epic: BacklogItem, problem: Problem
) -> None:
    goal = strategy.goal_set(actor=po.actor, product=product, statement="Reports people trust")
    actor = po.actor
    roadmap.roadmap_entry_add(
        actor=actor, product=product, type="goal", target=str(goal.pk), lane="now"
    )
    roadmap.roadmap_entry_add(
        actor=actor, product=product, type="item", target=epic.key, lane="next"
    )
    roadmap.roadmap_entry_add(
        actor=actor,
        product=product,
        type="problem",
        target=str(problem.pk),
        lane="next",
        position=0,
    )
    entry = roadmap.roadmap_entry_add(
        actor=actor, product=product, type="release", target=str(release.pk), lane="later"
    )
    assert _titles(product) == {
        "now": ["Reports people trust"],
        "next": ["Reports are hard to share", "ACME-3 Self-serve reporting"],
        "later": ["ACME 2026.1"],
    }
    roadmap.roadmap_entry_move(actor=actor, product=product, entry=entry, lane="next", position=1)
    assert _titles(product)["next"] == [
        "Reports are hard to share",
        "ACME 2026.1",
        "ACME-3 Self-serve reporting",
    ]
    assert _titles(product)["later"] == []
    words = HistoryEntry.objects.filter(object_type="releases.roadmapentry").count()
    assert words == 5
    roadmap.roadmap_entry_remove(actor=actor, product=product, entry=entry)
    assert "ACME 2026.1" not in _titles(product)["next"]


def test_bad_targets_are_refused_naming_the_field(
    po: Persona,
    owner: Persona,
    product: Product,
    make_item: MakeItem,
    epic: BacklogItem,
    outsider: Persona,
) -> None:
    story = make_item("A story", kind="story")
    other = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    other_epic = backlog.item_create(
        actor=owner.actor, product=other, title="Beta epic", kind="epic"
    )
    foreign = strategy.product_create(actor=outsider.actor, key="GLOB", name="Globex")
    foreign_epic = backlog.item_create(
        actor=outsider.actor, product=foreign, title="Theirs", kind="epic"
    )
    cases = [
        ("widget", "1", "now", "type"),
        ("item", "ACME-999", "now", "target"),
        ("item", story.key, "now", "target"),
        ("item", other_epic.key, "now", "target"),
        ("item", foreign_epic.key, "now", "target"),
        ("item", epic.key, "soon", "lane"),
        ("decision", "1", "now", "type"),
    ]
    for kind, target, lane, field in cases:
        with pytest.raises(Invalid) as caught:
            roadmap.roadmap_entry_add(
                actor=po.actor, product=product, type=kind, target=target, lane=lane
            )
        assert caught.value.errors[0].field == field, (kind, target, lane)
    roadmap.roadmap_entry_add(
        actor=po.actor, product=product, type="item", target=epic.key, lane="now"
    )
    with pytest.raises(Invalid, match="already on the roadmap"):
        roadmap.roadmap_entry_add(
            actor=po.actor, product=product, type="item", target=epic.key, lane="later"
        )
    assert RoadmapEntry.objects.count() == 1


def test_only_the_product_owner_and_admins_keep_the_roadmap(
    developer: Persona, viewer: Persona, admin: Persona, product: Product, epic: BacklogItem
) -> None:
    for persona in (developer, viewer):
        with pytest.raises(Forbidden):
            roadmap.roadmap_entry_add(
                actor=persona.actor, product=product, type="item", target=epic.key, lane="now"
            )
        with pytest.raises(Forbidden):
            roadmap.roadmap_share_create(actor=persona.actor, product=product, label="Board")
    roadmap.roadmap_entry_add(
        actor=admin.actor, product=product, type="item", target=epic.key, lane="now"
    )


def test_arrange_sets_every_lane_and_refuses_partial_lists(
    po: Persona, product: Product, make_item: MakeItem
) -> None:
    epics = [make_item(f"Epic {n}", kind="epic") for n in range(3)]
    for one in epics:
        roadmap.roadmap_entry_add(
            actor=po.actor, product=product, type="item", target=one.key, lane="now"
        )
    ids = [f"item:{one.key}" for one in epics]
    with pytest.raises(Invalid, match="not on the roadmap of ACME: item:acme-99"):
        roadmap.roadmap_arrange(
            actor=po.actor, product=product, arrangement={"now": [*ids, "item:ACME-99"]}
        )
    with pytest.raises(Invalid, match="left out"):
        roadmap.roadmap_arrange(actor=po.actor, product=product, arrangement={"now": ids[:2]})
    with pytest.raises(Invalid, match="more than once"):
        roadmap.roadmap_arrange(
            actor=po.actor, product=product, arrangement={"now": ids, "later": ids[:1]}
        )
    roadmap.roadmap_arrange(
        actor=po.actor, product=product, arrangement={"later": [ids[2], ids[0]], "next": [ids[1]]}
    )
    assert _titles(product) == {
        "now": [],
        "next": ["ACME-2 Epic 1"],
        "later": ["ACME-3 Epic 2", "ACME-1 Epic 0"],
    }


def test_share_tokens_are_hashed_revocable_and_expire(po: Persona, product: Product) -> None:
    share, token = roadmap.roadmap_share_create(actor=po.actor, product=product, label="Board")
    assert share.token_hash == roadmap.hash_token(token)
    assert token not in share.token_hash
    assert roadmap.shared_roadmap(token) == share
    assert roadmap.shared_roadmap(token + "x") is None
    with pytest.raises(Invalid, match="a day after today"):
        roadmap.roadmap_share_create(
            actor=po.actor, product=product, label="Past", expires_on=timezone.localdate()
        )
    with pytest.raises(Invalid) as caught:
        roadmap.roadmap_share_create(actor=po.actor, product=product, label="  ")
    assert caught.value.errors[0].field == "label"
    roadmap.roadmap_share_revoke(actor=po.actor, product=product, share=share)
    assert roadmap.shared_roadmap(token) is None
    later, later_token = roadmap.roadmap_share_create(
        actor=po.actor,
        product=product,
        label="Investors",
        expires_on=timezone.localdate() + dt.timedelta(days=1),
    )
    assert roadmap.shared_roadmap(later_token) == later
    RoadmapShare.objects.filter(pk=later.pk).update(expires_at=timezone.now())
    assert roadmap.shared_roadmap(later_token) is None
    made = HistoryEntry.objects.filter(object_type="releases.roadmapshare")
    assert {entry.action for entry in made} == {"created", "updated"}


def test_the_timeline_draws_forecast_bands_with_a_table(
    po: Persona, product: Product, release: Release
) -> None:
    Release.objects.filter(pk=release.pk).update(target_date=dt.date(2026, 12, 31))
    chart = roadmap_selectors.timeline_chart(product, today=dt.date(2026, 12, 1))
    assert chart.svg is not None
    assert "2026.1" in chart.svg
    assert chart.table is not None
    assert chart.table.rows[0][1] == "31 Dec 2026"


def test_the_api_adds_moves_and_refuses_bad_input(
    client: Client, po: Persona, product: Product, epic: BacklogItem, outsider: Persona
) -> None:
    client.force_login(po.user)
    made = _send(
        client, "POST", API + "/entries", {"type": "item", "target": epic.key, "lane": "next"}
    )
    assert made.status_code == 201, made.content
    assert made.json()["title"] == "ACME-1 Self-serve reporting"
    for body, field in (
        ({"type": "item", "target": epic.key, "lane": "now"}, "target"),
        ({"type": "item", "target": "ACME-404", "lane": "now"}, "target"),
        ({"type": "bogus", "target": "1", "lane": "now"}, "type"),
        ({"type": "item", "target": epic.key, "lane": "someday"}, "lane"),
    ):
        answer = _send(client, "POST", API + "/entries", body)
        assert answer.status_code == 422, (body, answer.content)
        assert answer["Content-Type"] == "application/problem+json"
        assert field in json.dumps(answer.json()["errors"])
    entry_id = made.json()["id"]
    moved = _send(client, "POST", f"{API}/entries/{entry_id}/move", {"lane": "now"})
    assert moved.status_code == 200
    assert moved.json()["lane"] == "now"
    assert _send(client, "POST", f"{API}/entries/999999/move", {"lane": "now"}).status_code == 404
    got = client.get(API).json()
    assert [len(lane["entries"]) for lane in got["lanes"]] == [1, 0, 0]
    put = _send(client, "PUT", API, {"lanes": {"later": [f"item:{epic.key}"]}})
    assert put.status_code == 200
    assert put.json()["lanes"][2]["entries"][0]["id"] == entry_id
    assert _send(client, "PUT", API, {"lanes": {"later": []}}).status_code == 422
    shared = _send(client, "POST", API + "/shares", {"label": "Board"})
    assert shared.status_code == 201
    assert shared.json()["url"].startswith("/share/roadmap/rm_")
    listed = client.get(API + "/shares").json()
    assert "token" not in listed[0]
    assert listed[0]["active"] is True
    revoked = _send(client, "POST", f"{API}/shares/{listed[0]['id']}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    assert Client().get(shared.json()["url"]).status_code == 404
    # Another workspace's member sees no such product.
    client.force_login(outsider.user)
    assert client.get(API).status_code == 404


def test_the_share_page_shows_no_customer_data_unless_opted_in(
    client: Client, po: Persona, product: Product, problem: Problem, epic: BacklogItem
) -> None:
    roadmap.roadmap_entry_add(
        actor=po.actor, product=product, type="problem", target=str(problem.pk), lane="now"
    )
    roadmap.roadmap_entry_add(
        actor=po.actor, product=product, type="item", target=epic.key, lane="next"
    )
    _, token = roadmap.roadmap_share_create(actor=po.actor, product=product, label="Board")
    page = Client().get(f"/share/roadmap/{token}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Reports are hard to share" in html
    assert "Self-serve reporting" in html
    for secret in (CUSTOMER, FEEDBACK, "987,654", "987654", "customer", "/w/acme/"):
        assert secret not in html, secret
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    _, opted = roadmap.roadmap_share_create(
        actor=po.actor, product=product, label="Exec", include_problem_evidence=True
    )
    html = Client().get(f"/share/roadmap/{opted}").content.decode()
    assert "1 customer, ARR $987,654" in html  # in the workspace's currency
    assert CUSTOMER not in html
    assert FEEDBACK not in html
    assert Client().get("/share/roadmap/rm_unknown").status_code == 404


def test_the_page_adds_moves_shares_and_revokes(
    client: Client, po: Persona, developer: Persona, product: Product, epic: BacklogItem
) -> None:
    client.force_login(po.user)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Add to the roadmap" in page.content.decode()
    bad = client.post(PAGE + "/entries", {"type": "item", "target": "ACME-404", "lane": "now"})
    assert bad.status_code == 422
    assert "Which object: no backlog item ACME-404" in bad.content.decode() or (
        "ACME-404" in bad.content.decode()
    )
    assert RoadmapEntry.objects.count() == 0
    assert (
        client.post(
            PAGE + "/entries", {"type": "item", "target": epic.key, "lane": "now"}
        ).status_code
        == 302
    )
    entry = RoadmapEntry.objects.get()
    client.post(f"{PAGE}/entries/{entry.pk}/move", {"lane": "later", "place": "1"})
    entry.refresh_from_db()
    assert entry.lane == "later"
    made = client.post(PAGE + "/shares", {"label": "Board"})
    assert made.status_code == 201
    assert "/share/roadmap/rm_" in made.content.decode()
    assert client.post(PAGE + "/shares", {"label": ""}).status_code == 422
    share = RoadmapShare.objects.get()
    client.post(f"{PAGE}/shares/{share.pk}/revoke")
    share.refresh_from_db()
    assert share.revoked_at is not None
    # A developer sees the roadmap but is offered no controls, and is refused writing.
    client.force_login(developer.user)
    html = client.get(PAGE).content.decode()
    assert "Self-serve reporting" in html
    assert "Add to the roadmap" not in html
    client.post(f"{PAGE}/entries/{entry.pk}/remove")
    assert RoadmapEntry.objects.count() == 1


def test_many_moves_to_one_spot_rebalance_the_lane(
    po: Persona, product: Product, make_item: MakeItem
) -> None:
    epics = [make_item(f"Epic {n}", kind="epic") for n in range(3)]
    entries = [
        roadmap.roadmap_entry_add(
            actor=po.actor, product=product, type="item", target=one.key, lane="now"
        )
        for one in epics
    ]
    # Moving the first and the last in turn to position 1 halves the same gap each time.
    for turn in range(150):
        entry = entries[turn % 2 * 2]
        entry.refresh_from_db()
        roadmap.roadmap_entry_move(
            actor=po.actor, product=product, entry=entry, lane="now", position=1
        )
    ranks = list(RoadmapEntry.objects.filter(product=product).values_list("rank", flat=True))
    assert max(len(rank) for rank in ranks) <= 24
    assert len(_titles(product)["now"]) == 3


def _lane(product: Product, lane: str) -> list[str]:
    return _titles(product)[lane]


def test_a_lanes_form_moves_a_card_by_place_or_step(
    client: Client, po: Persona, product: Product, make_item: MakeItem
) -> None:
    epics = {name: make_item(name, kind="epic") for name in ("Alpha", "Beta", "Gamma")}
    entries = {
        name: roadmap.roadmap_entry_add(
            actor=po.actor, product=product, type="item", target=epic.key, lane="now"
        ).pk
        for name, epic in epics.items()
    }
    titles = {name: f"{epic.key} {name}" for name, epic in epics.items()}
    client.force_login(po.user)

    def move(name: str, **fields: str) -> Any:
        return client.post(PAGE + "/move", {"entry": str(entries[name]), **fields})

    def now() -> list[str]:
        return [title.split(" ", 1)[1] for title in _lane(product, "now")]

    answer = move("Gamma", step="up")
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"/roadmap#card-{entries['Gamma']}")
    assert now() == ["Alpha", "Gamma", "Beta"]
    move("Alpha", step="down")
    assert now() == ["Gamma", "Alpha", "Beta"]
    move("Beta", step="top")
    assert now() == ["Beta", "Gamma", "Alpha"]
    move("Beta", step="bottom")
    assert now() == ["Gamma", "Alpha", "Beta"]
    # A step that changes nothing writes nothing.
    written = HistoryEntry.objects.count()
    assert move("Gamma", step="up").status_code == 302
    assert move("Beta", step="down").status_code == 302
    assert HistoryEntry.objects.count() == written
    # Places count from 1; empty is last; past the end is last.
    move("Beta", lane="now", place="1")
    assert now() == ["Beta", "Gamma", "Alpha"]
    move("Alpha", lane="next", place="")
    move("Gamma", lane="next", place="1")
    assert _lane(product, "next") == [titles["Gamma"], titles["Alpha"]]
    move("Beta", lane="next", place="99")
    assert _lane(product, "next") == [titles["Gamma"], titles["Alpha"], titles["Beta"]]
    assert _lane(product, "now") == []


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"lane": "now", "place": "0"}, "'0' is not a place in the lane"),
        ({"lane": "now", "place": "-1"}, "whole number from 1"),
        ({"lane": "now", "place": "second"}, "whole number from 1"),
        ({"lane": "now", "place": "1.5"}, "whole number from 1"),
        ({"lane": "someday", "place": "1"}, "must be now, next or later"),
        ({"step": "sideways"}, "'sideways' is not a move"),
        ({"step": ""}, "is not a move: up, down, top, bottom"),
    ],
)
def test_bad_moves_are_refused_in_words_and_move_nothing(
    client: Client,
    po: Persona,
    product: Product,
    make_item: MakeItem,
    fields: dict[str, str],
    words: str,
) -> None:
    first, second = (make_item(f"Epic {n}", kind="epic") for n in range(2))
    for epic in (first, second):
        roadmap.roadmap_entry_add(
            actor=po.actor, product=product, type="item", target=epic.key, lane="now"
        )
    entry = RoadmapEntry.objects.get(target_id=second.pk)
    before = _titles(product)
    client.force_login(po.user)
    answer = client.post(PAGE + "/move", {"entry": str(entry.pk), **fields})
    assert answer.status_code == 422
    html = answer.content.decode()
    assert 'id="move-error"' in html
    assert words in html.replace("&#x27;", "'")
    assert _titles(product) == before


def test_a_move_or_removal_of_an_unknown_or_foreign_entry_is_not_found(
    client: Client, po: Persona, developer: Persona, product: Product, epic: BacklogItem
) -> None:
    entry = roadmap.roadmap_entry_add(
        actor=po.actor, product=product, type="item", target=epic.key, lane="now"
    )
    client.force_login(po.user)
    for ref in ("999999", "abc", ""):
        assert client.post(PAGE + "/move", {"entry": ref, "step": "top"}).status_code == 404
        assert client.post(PAGE + "/remove", {"entry": ref}).status_code == 404
    # A developer reads the roadmap but does not keep it: nothing moves or goes.
    client.force_login(developer.user)
    client.post(PAGE + "/move", {"entry": str(entry.pk), "lane": "later"})
    client.post(PAGE + "/remove", {"entry": str(entry.pk)})
    entry.refresh_from_db()
    assert entry.lane == "now"
    client.force_login(po.user)
    assert client.post(PAGE + "/remove", {"entry": str(entry.pk)}).status_code == 302
    assert not RoadmapEntry.objects.filter(pk=entry.pk).exists()


def test_the_page_has_one_move_form_per_lane_not_per_card(
    client: Client, po: Persona, product: Product, make_item: MakeItem
) -> None:
    client.force_login(po.user)
    forms = []
    for count in (2, 12):
        for n in range(RoadmapEntry.objects.count(), count):
            epic = make_item(f"Epic <{n}>", kind="epic")
            roadmap.roadmap_entry_add(
                actor=po.actor,
                product=product,
                type="item",
                target=epic.key,
                lane=("now", "next")[n % 2],
            )
        html = client.get(PAGE).content.decode()
        assert html.count('class="rm-card"') == count
        assert html.count('class="rm-lane-move"') == 2  # one per lane with cards
        forms.append((html.count("<form"), html.count("csrfmiddlewaretoken")))
    assert forms[0] == forms[1]
    assert "1. ACME-1 Epic &lt;0&gt;" in html  # in its lane's list of cards, escaped
    assert "Epic <0>" not in html


def test_the_apis_roadmap_holds_to_its_schema(
    client: Client, po: Persona, product: Product, release: Release, epic: BacklogItem
) -> None:
    Release.objects.filter(pk=release.pk).update(target_date=dt.date(2026, 12, 31))
    for kind, target, lane in (("item", epic.key, "now"), ("release", str(release.pk), "later")):
        roadmap.roadmap_entry_add(
            actor=po.actor, product=product, type=kind, target=target, lane=lane
        )
    client.force_login(po.user)
    answer = client.get(API).json()
    assert RoadmapOut.model_validate(answer).model_dump(mode="json") == answer
    assert answer["timeline"][0]["target"] == "2026-12-31"
