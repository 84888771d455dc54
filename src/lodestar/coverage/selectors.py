"""Coverage: for each product-management duty, who carried it in the last N days, how often
and when last, counted from recorded activity (``coverage/activity.py``). Every member of the
workspace may read it, viewers included; the product or team it is asked for goes through its
own gate first, so another workspace's is a 404.

A period is the last ``days`` days ending at ``now``: an activity exactly ``days`` days before
``now`` is out, one at ``now`` is in (``(now - days, now]``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.utils import timezone

from lodestar.core.errors import Invalid
from lodestar.coverage import activity
from lodestar.coverage.duties import DUTIES, Duty
from lodestar.coverage.errors import CoverageErrorCode as Code
from lodestar.people.models import Membership, Team, TeamMembership, TeamRole, User
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product, ProductOwnerHat
from lodestar.strategy.selectors import team_product

DEFAULT_DAYS = 90
MAX_DAYS = 1826  # five years
# How far before the period a duty nobody carried in it is looked for (``DutyCoverage.before``).
LOOK_BACK_DAYS = MAX_DAYS
DAYS_RULE = f"must be a whole number of days from 1 to {MAX_DAYS} (five years)"


def clean_days(value: object, field: str = "days") -> int:
    """The period's length from what a person typed (None: the default, 90 days); anything
    else than a whole number from 1 to ``MAX_DAYS`` is a 422 naming ``field``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_DAYS
    if isinstance(value, bool):
        raise Invalid.field(field, DAYS_RULE, code=Code.COVERAGE_DAYS_INVALID)
    if isinstance(value, int):
        days = value
    else:
        text = str(value).strip()
        if not text.lstrip("-").isdigit() or len(text) > 12:
            raise Invalid.field(
                field, f"{DAYS_RULE}, not '{text[:20]}'", code=Code.COVERAGE_DAYS_INVALID
            )
        days = int(text)
    if not 1 <= days <= MAX_DAYS:
        raise Invalid.field(field, f"{DAYS_RULE}, not {days}", code=Code.COVERAGE_DAYS_INVALID)
    return days


@dataclass(frozen=True)
class Carrier:
    """A person who did something for a duty in the period: their counts by activity, how
    many in all and when last. ``former``: they have left the workspace since (what they did
    still counts)."""

    user_id: int
    name: str
    email: str
    job_title: str
    hats: tuple[str, ...]
    former: bool
    count: int
    last: dt.datetime
    activities: dict[str, int]


@dataclass(frozen=True)
class DutyCoverage:
    """One duty: its carriers (most active first), its total and the last time anyone did it
    (None, with no carriers: nobody did in the period). ``before``, for a duty nobody carried
    in the period: the last time anyone (of the team, while they belonged) did before it, in
    the ``LOOK_BACK_DAYS`` before the period (None: not then either)."""

    duty: Duty
    people: list[Carrier]
    total: int
    last: dt.datetime | None
    before: dt.datetime | None = None

    @property
    def nobody(self) -> bool:
        return self.total == 0


@dataclass(frozen=True)
class Coverage:
    """The duties of a workspace, one product or one team's product, over ``(since, until]``."""

    workspace_slug: str
    product: Product | None
    team: Team | None
    days: int
    since: dt.datetime
    until: dt.datetime
    duties: list[DutyCoverage] = field(default_factory=list)
    # A team's: the people whose activity counts (who wore a hat in the team, or the product
    # owner hat of its product, at any time in the period); None: everyone's counts.
    team_people: frozenset[int] | None = None


def _scope_product(actor: Actor, product: Product | None, team: Team | None) -> Product | None:
    if product is not None and team is not None:
        raise Invalid.field(
            "team", "give a product or a team, not both", code=Code.COVERAGE_SCOPE_INVALID
        )
    if team is None:
        return product
    found = team_product(team)
    if found is None:
        raise Invalid.field(
            "team",
            f"team '{team.slug}' works from no product yet: coverage is counted from a "
            "product's activity",
            code=Code.COVERAGE_SCOPE_INVALID,
        )
    return found


def team_stints(team: Team, product: Product) -> list[activity.Stint]:
    """Who belonged to ``team`` and when: every hat worn in it (ended ones too) and every
    wearer of the product owner hat of ``product``, the one product owner of every team that
    works from it. What they did while they wore it counts for the team."""
    hats = TeamMembership.objects.filter(team=team).values_list(
        "member__user_id", "started_at", "ended_at"
    )
    owners = ProductOwnerHat.objects.filter(product=product).values_list(
        "member__user_id", "started_at", "ended_at"
    )
    return [activity.Stint(*row) for row in [*hats, *owners]]


def _hats(actor: Actor, product: Product | None, team: Team | None) -> dict[int, list[str]]:
    """Each user's current hats where the coverage looks: the product owner hat of the product
    (of every product, for the workspace) and the hats worn in its teams (in ``team``)."""
    hats: dict[int, list[str]] = defaultdict(list)
    owners = ProductOwnerHat.objects.filter(
        ended_at__isnull=True, product__workspace_id=actor.workspace_id
    )
    if product is not None:
        owners = owners.filter(product=product)
    for user_id, key in owners.order_by("product__key").values_list(
        "member__user_id", "product__key"
    ):
        hats[user_id].append(f"Product owner of {key}")
    roles = TeamMembership.objects.filter(
        ended_at__isnull=True, team__workspace_id=actor.workspace_id
    ).exclude(role=TeamRole.PRODUCT_OWNER)
    if team is not None:
        roles = roles.filter(team=team)
    elif product is not None:
        roles = roles.filter(team__product_link__product=product)
    labels = dict(TeamRole.choices)
    for user_id, role, name in roles.order_by("team__name", "role").values_list(
        "member__user_id", "role", "team__name"
    ):
        hats[user_id].append(f"{labels[role]} in {name}")
    return hats


def coverage_for(
    actor: Actor,
    *,
    product: Product | None = None,
    team: Team | None = None,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> Coverage:
    """Who carried each duty in the last ``days`` days ending ``now``, in a workspace, one
    ``product``, or one ``team``: what its people (``team_stints``) did on the product it works
    from while they belonged to it. The product or team is fetched through its gate by the
    caller. A constant number of queries, whatever the history holds (one more when a duty had
    nobody: when it was carried last before the period)."""
    days = clean_days(days)
    scoped = _scope_product(actor, product, team)
    until = now or timezone.now()
    since = until - dt.timedelta(days=days)
    scope = activity.Scope(actor.workspace_id, scoped.pk if scoped is not None else None)
    stints = team_stints(team, scoped) if team is not None and scoped is not None else None
    found = activity.tallies(scope, since, until, stints)
    user_ids = {tally.user_id for tally in found}
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids)}
    members = {
        member.user_id: member
        for member in Membership.all_objects.filter(
            workspace_id=actor.workspace_id, user_id__in=user_ids
        )
    }
    hats = _hats(actor, scoped, team) if user_ids else {}
    by_activity: dict[str, list[activity.Tally]] = defaultdict(list)
    for tally in found:
        by_activity[tally.activity].append(tally)
    duties = []
    for duty in DUTIES:
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        lasts: dict[int, dict[str, dt.datetime]] = defaultdict(dict)
        for one in duty.activities:
            for tally in by_activity[one.key]:
                counts[tally.user_id][one.key] = tally.count
                lasts[tally.user_id][one.key] = tally.last
        people = []
        for user_id, done in counts.items():
            user, member = users.get(user_id), members.get(user_id)
            people.append(
                Carrier(
                    user_id=user_id,
                    name=user.display_name if user else "Someone",
                    email=user.email if user else "",
                    job_title=member.job_title if member else "",
                    hats=tuple(hats.get(user_id, ())),
                    former=member is None or member.removed_at is not None,
                    count=sum(done.values()),
                    last=max(lasts[user_id].values()),
                    activities=done,
                )
            )
        people.sort(key=lambda c: (-c.count, -c.last.timestamp(), c.name.lower(), c.user_id))
        duties.append(
            DutyCoverage(
                duty=duty,
                people=people,
                total=sum(c.count for c in people),
                last=max((c.last for c in people), default=None),
            )
        )
    uncovered = frozenset(a.key for row in duties if row.nobody for a in row.duty.activities)
    if uncovered:
        # When the duties nobody carried were carried last, before the period: one more read,
        # of their activities only.
        earlier = activity.last_done(
            scope, since - dt.timedelta(days=LOOK_BACK_DAYS), since, uncovered, stints
        )
        duties = [
            replace(
                row,
                before=max(
                    (earlier[a.key] for a in row.duty.activities if a.key in earlier),
                    default=None,
                ),
            )
            if row.nobody
            else row
            for row in duties
        ]
    return Coverage(
        workspace_slug=actor.workspace.slug,
        product=scoped,
        team=team,
        days=days,
        since=since,
        until=until,
        duties=duties,
        team_people=(
            frozenset(w.user_id for w in activity.windows(since, until, stints) if w.user_id)
            if stints is not None
            else None
        ),
    )
