"""What the releases context declares: releases (and the products' own go-live checks) as
workspace objects (history in words, search, URL), its permissions, the navigation entry, its
two go-live checks on its own checklist point, and its part of the demo."""

from __future__ import annotations

from django.urls import reverse

from lodestar.backlog.extensions import ITEM_SECTIONS, ItemSection
from lodestar.core.registry import Demo, NavEntry, ObjectType, Plugin, SearchDocument
from lodestar.releases import demo, history_words
from lodestar.releases.access import access_release
from lodestar.releases.checklist import items_check, notes_check
from lodestar.releases.extensions import RELEASE_CHECKS, ReleaseCheck
from lodestar.releases.models import ProductCheck, Release, RoadmapEntry, RoadmapShare
from lodestar.releases.permissions import PERMISSIONS, ReleasePermission
from lodestar.releases.sections import item_release_section


def _search(release: Release) -> SearchDocument:
    return SearchDocument(
        title=f"{release.product.key} {release.name}",
        body="\n".join(part for part in (release.description, release.notes) if part),
        updated_at=release.updated_at,
        facets={"product": release.product.key},
    )


def _release_url(release: Release) -> str:
    return reverse(
        "releases:detail",
        kwargs={
            "workspace_slug": release.workspace.slug,
            "product_key": release.product.key,
            "release_id": release.pk,
        },
    )


def _roadmap_url(obj: RoadmapEntry | RoadmapShare) -> str:
    return reverse(
        "releases:roadmap",
        kwargs={"workspace_slug": obj.workspace.slug, "product_key": obj.product.key},
    )


def _check_url(check: ProductCheck) -> str:
    return reverse(
        "releases:product",
        kwargs={"workspace_slug": check.workspace.slug, "product_key": check.product.key},
    )


PLUGIN = Plugin(
    name="releases",
    urls=["lodestar.releases.urls"],
    api=["lodestar.releases.api"],
    navigation=[NavEntry("releases", "Releases", "releases:home", icon="flag", order=57)],
    permissions=PERMISSIONS,
    objects=[
        ObjectType(
            name="release",
            model=Release,
            label="release",
            title=lambda release: f"{release.product.key} {release.name}",
            gate=access_release,
            url=_release_url,
            permissions={
                "view": "view",
                "change": ReleasePermission.CHANGE_RELEASE,
                "comment": "edit_content",
            },
            product=lambda release: release.product,
            describe=history_words.describe,
            search=_search,
            search_related=("product", "workspace"),
            commentable=True,
        ),
        ObjectType(
            name="release_check",
            model=ProductCheck,
            label="go-live check",
            title=lambda check: check.label,
            url=_check_url,
            permissions={"view": "view", "change": ReleasePermission.DECIDE_RELEASE},
            product=lambda check: check.product,
            describe=history_words.describe_check,
        ),
        ObjectType(
            name="roadmap_entry",
            model=RoadmapEntry,
            label="roadmap entry",
            title=lambda entry: (
                f"{entry.product.key} roadmap: {entry.target_type}:{entry.target_id}"
            ),
            url=_roadmap_url,
            permissions={"view": "view", "change": ReleasePermission.DECIDE_RELEASE},
            product=lambda entry: entry.product,
            describe=history_words.describe_roadmap,
        ),
        ObjectType(
            name="roadmap_share",
            model=RoadmapShare,
            label="roadmap share link",
            title=lambda share: f"{share.product.key} roadmap link {share.label}",
            url=_roadmap_url,
            permissions={"view": "view", "change": ReleasePermission.DECIDE_RELEASE},
            product=lambda share: share.product,
            describe=history_words.describe_roadmap,
        ),
    ],
    provides=[
        (ITEM_SECTIONS, ItemSection("release", render=item_release_section, order=30)),
        (
            RELEASE_CHECKS,
            ReleaseCheck("items", "Every item is done or dropped", evaluate=items_check, order=10),
        ),
        (
            RELEASE_CHECKS,
            ReleaseCheck("notes", "Release notes are written", evaluate=notes_check, order=20),
        ),
    ],
    demo=Demo(seed=demo.seed_world, after=("backlog", "discovery", "sprints")),
)
