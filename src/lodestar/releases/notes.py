"""Release notes drafted from a release's done items: a section per kind of item, each item
with its key, and the customer problems it solves named (read through the backlog's
``ITEM_LINKS`` point, which discovery answers, so releases never imports discovery)."""

from __future__ import annotations

from lodestar.backlog.extensions import ITEM_LINKS
from lodestar.backlog.models import ItemKind, ItemStatus
from lodestar.releases.models import Release, ReleaseItem

# Sections in the order a reader wants them: what is new, then what was fixed.
SECTIONS = (
    (ItemKind.EPIC, "Highlights"),
    (ItemKind.STORY, "New and improved"),
    (ItemKind.BUG, "Fixed"),
    (ItemKind.TASK, "Other changes"),
    (ItemKind.SPIKE, "Investigations"),
)


def _escape(text: str) -> str:
    """Text that Markdown shows as written (a title's ``*`` or ``<`` stays a character)."""
    special = "\\`*_[]<>|~"
    return "".join(f"\\{char}" if char in special else char for char in text)


def draft(release: Release) -> str:
    """The notes as Markdown, from the release's done (not dropped) items, in backlog order
    within each section; an empty release drafts a line that says so."""
    items = [
        entry.item
        for entry in ReleaseItem.objects.filter(
            release=release,
            dropped_at__isnull=True,
            item__status=ItemStatus.DONE,
            item__deleted_at__isnull=True,
        )
        .select_related("item")
        .order_by("item__rank", "id")
    ]
    title = f"# {_escape(release.product.name)} {_escape(release.name)}"
    if not items:
        return f"{title}\n\nNo items are done in this release yet.\n"
    ids = [item.pk for item in items]
    links: dict[int, list[str]] = {}
    sources = ITEM_LINKS.providers()
    for source in sources:
        for item_id, titles in source.links(ids).items():
            links.setdefault(item_id, []).extend(f"“{_escape(t)}”" for t in titles)
    label = " and ".join(source.label for source in sources) or "problems"
    parts = [title]
    for kind, heading in SECTIONS:
        lines = []
        for item in items:
            if item.kind != kind:
                continue
            line = f"- {_escape(item.title)} ({item.key})"
            if links.get(item.pk):
                line += f" — solves {', '.join(links[item.pk])}"
            lines.append(line)
        if lines:
            parts.append(f"## {heading}\n\n" + "\n".join(lines))
    solved = sorted({name for names in links.values() for name in names})
    if solved:
        parts.append(f"Customer {label} addressed: {', '.join(solved)}.")
    return "\n\n".join(parts) + "\n"
