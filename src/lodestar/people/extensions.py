"""The people context's questions that later contexts answer (``core.extensions``).

- **Product owners** — who wears the product owner hat. The hat belongs to a product (the
  Scrum Guide's one Product Owner per product, shared by every team that works from it), and
  products are strategy's, a context above this one. So the policy asks: does this member wear
  the hat of the product an act concerns (named directly, or through the teams that work from
  it)? And the team and "who does what" pages ask: which product owner do these teams share?
  Strategy answers both (``strategy/plugin.py``); with no answer, nobody wears the hat and
  workspace admins are the fallback.
- **Team links** — pages about a team that other contexts offer (its flow), shown as buttons on
  the team's page.
- **Account sections** — parts of a person's account page that other contexts offer (their
  notification preferences), listed after people's own (email, password, API tokens).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lodestar.core.extensions import ExtensionPoint
from lodestar.people.models import Membership


@dataclass(frozen=True)
class HatSpell:
    """One time someone wore a product's product owner hat (``ended_at`` None: still)."""

    member: Membership
    started_at: dt.datetime
    ended_at: dt.datetime | None


@dataclass
class SharedOwner:
    """A product's product owner as the team pages show it: the product, the teams that work
    from it (and so share its owner), the current holder and the earlier ones, newest first."""

    product_key: str
    product_name: str
    product_url: str
    team_ids: list[int]
    current: HatSpell | None = None
    earlier: list[HatSpell] = field(default_factory=list)
    # Where the hat is given to someone else (the product's page), for those who may.
    manage_url: str = ""

    @property
    def product_label(self) -> str:
        return f"{self.product_key} {self.product_name}"


@dataclass(frozen=True)
class ProductOwnerSource:
    """Answers the policy's and the pages' questions about the product owner hat.

    ``wears(membership, teams=..., product=...)``: whether the member currently wears the hat
    of ``product`` (any object with a ``pk``) or of the product any of ``teams`` (a list of
    teams or a query of them) works from. ``shared_owners(workspace_id, team_ids)``: for the
    products those teams work from, who owns each, one query or two whatever their number.
    ``release(actor, membership)``: end every product owner hat the member wears (they are
    leaving the workspace), inside the caller's transaction, recording it on each product.
    """

    name: str
    wears: Callable[..., bool]
    shared_owners: Callable[[int, Sequence[int]], list[SharedOwner]]
    release: Callable[[Any, Membership], None]
    order: int = 100


PRODUCT_OWNERS: ExtensionPoint[ProductOwnerSource] = ExtensionPoint("people.product_owners")


def wears_product_owner_hat_of(
    member: Membership, *, teams: Any = None, product: Any = None
) -> bool:
    """Whether ``member`` wears the product owner hat that ``teams`` or ``product`` concern."""
    return any(
        source.wears(member, teams=teams, product=product) for source in PRODUCT_OWNERS.providers()
    )


def shared_owners(workspace_id: int, team_ids: Sequence[int]) -> list[SharedOwner]:
    """The product owners that ``team_ids`` share, one per product they work from."""
    found: list[SharedOwner] = []
    for source in PRODUCT_OWNERS.providers():
        found.extend(source.shared_owners(workspace_id, team_ids))
    return found


def release_product_owner_hats(actor: Any, member: Membership) -> None:
    """End the product owner hats ``member`` wears (they leave the workspace)."""
    for source in PRODUCT_OWNERS.providers():
        source.release(actor, member)


@dataclass(frozen=True)
class TeamLink:
    """A page about a team, linked from the team's page: ``url(workspace_slug, team_slug)``."""

    name: str
    label: str
    url: Callable[[str, str], str]
    icon: str = "dot"
    order: int = 100


TEAM_LINKS: ExtensionPoint[TeamLink] = ExtensionPoint("people.team_links")


@dataclass(frozen=True)
class AccountSection:
    """A section of the signed-in person's account page that a later context offers (its
    notification preferences, say): a heading, a sentence, and the page it links to."""

    name: str
    label: str
    description: str
    url: Callable[[], str]
    icon: str = "dot"
    order: int = 100


ACCOUNT_SECTIONS: ExtensionPoint[AccountSection] = ExtensionPoint("people.account_sections")
