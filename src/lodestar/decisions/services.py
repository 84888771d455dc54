"""Every write of the decisions context: recording, editing, deciding, superseding, linking.
One transaction each; history recorded (and the domain event published) with the change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import FieldError, Invalid
from lodestar.core.history import changes_since, history_record, snapshot
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.decisions import links as seam
from lodestar.decisions.errors import DecisionErrorCode as Code
from lodestar.decisions.models import Decision, DecisionLink, DecisionOption, DecisionStatus
from lodestar.decisions.permissions import DecisionPermission
from lodestar.people.models import Membership
from lodestar.people.policy import Actor, require
from lodestar.strategy.models import Product
from lodestar.strategy.services import product_lock

Action = HistoryEntry.Action

TITLE_MAX = 200
TEXT_MAX = 50_000
OPTIONS_MAX = 20
OPTION_TEXT_MAX = 5_000
DECIDERS_MAX = 20
LINKS_MAX = 50
# Decisions are recorded with their status at birth: a superseded one is made by superseding.
BORN: Final = (DecisionStatus.PROPOSED, DecisionStatus.DECIDED)
MARKDOWN: Final = ("context", "decision", "rationale")


class _Keep:
    """A keyword left out."""


KEEP: Final = _Keep()


def _record(actor: Actor, decision: Decision, action: str, changes: dict[str, Any]) -> None:
    history_record(
        actor=actor.user,
        workspace_id=decision.workspace_id,
        obj=decision,
        action=action,
        changes=changes,
        label=str(decision),
    )


def require_record(actor: Actor) -> None:
    """Every member who may write content records decisions (see ``permissions.py``)."""
    require(actor, DecisionPermission.RECORD_DECISION)


# -- input ---------------------------------------------------------------------------------


def _title(value: str) -> str:
    title = " ".join((value or "").split())
    if not title:
        raise Invalid.field("title", "must not be empty", code=Code.DECISION_TITLE_INVALID)
    if len(title) > TITLE_MAX:
        raise Invalid.field(
            "title", f"must be at most {TITLE_MAX} characters", code=Code.DECISION_TITLE_INVALID
        )
    return title


def _text(value: str, field: str) -> str:
    if not isinstance(value, str) or len(value) > TEXT_MAX:
        raise Invalid.field(
            field,
            f"must be text of at most {TEXT_MAX:,} characters",
            code=Code.DECISION_TEXT_INVALID,
        )
    return value.strip()


def _status(value: str) -> str:
    if value not in BORN:
        raise Invalid.field(
            "status",
            "must be proposed or decided (a decision is superseded by superseding it)",
            code=Code.DECISION_STATUS_INVALID,
        )
    return value


def _decided_at(value: dt.date | None) -> dt.date:
    today = timezone.localdate()
    if value is None:
        return today
    if value > today:
        raise Invalid.field(
            "decided_at",
            f"must not be in the future (today is {today.isoformat()})",
            code=Code.DECISION_DECIDED_AT_INVALID,
        )
    return value


def _deciders(actor: Actor, deciders: Sequence[Membership] | None) -> list[Membership]:
    """The members who decided: those given, else the one recording it."""
    chosen = list(dict.fromkeys(deciders or []))
    if len(chosen) > DECIDERS_MAX:
        raise Invalid.field(
            "deciders",
            f"at most {DECIDERS_MAX} people decide one decision",
            code=Code.DECISION_DECIDERS_INVALID,
        )
    for index, member in enumerate(chosen):
        if member.workspace_id != actor.workspace_id:
            raise Invalid.field(
                f"deciders[{index}]",
                "is not a member of this workspace",
                code=Code.DECISION_DECIDERS_INVALID,
            )
    return chosen or [actor.membership]


def _options(options: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if len(options) > OPTIONS_MAX:
        raise Invalid.field(
            "options", f"at most {OPTIONS_MAX} options", code=Code.DECISION_OPTIONS_INVALID
        )
    cleaned: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for index, option in enumerate(options):
        title = " ".join(str(option.get("title") or "").split())
        if not title or len(title) > TITLE_MAX:
            errors.append(
                FieldError(
                    f"options[{index}].title", f"must be 1 to {TITLE_MAX} characters of text"
                )
            )
        texts = {}
        for part in ("pros", "cons"):
            text = option.get(part) or ""
            if not isinstance(text, str) or len(text) > OPTION_TEXT_MAX:
                errors.append(
                    FieldError(
                        f"options[{index}].{part}",
                        f"must be text of at most {OPTION_TEXT_MAX:,} characters",
                    )
                )
                text = ""
            texts[part] = text.strip()
        cleaned.append({"title": title, **texts, "chosen": bool(option.get("chosen"))})
    if errors:
        raise Invalid.fields(errors, code=Code.DECISION_OPTIONS_INVALID)
    return cleaned


def _write_options(decision: Decision, options: list[dict[str, Any]]) -> None:
    DecisionOption.objects.filter(decision=decision).delete()
    DecisionOption.objects.bulk_create(
        DecisionOption(decision=decision, position=index, **option)
        for index, option in enumerate(options)
    )


def _options_plain(decision: Decision) -> list[dict[str, Any]]:
    return [
        {"title": o.title, "pros": o.pros, "cons": o.cons, "chosen": o.chosen}
        for o in DecisionOption.objects.filter(decision=decision).order_by("position")
    ]


def _emails(decision: Decision) -> list[str]:
    return sorted(decision.deciders.values_list("user__email", flat=True))


def _refuse_if_superseded(decision: Decision) -> None:
    if decision.status == DecisionStatus.SUPERSEDED:
        successor = decision.superseded_by
        by = f" by {successor.key}" if successor is not None else ""
        raise Invalid.field(
            "status",
            f"{decision.key} was superseded{by}; it keeps its words as they were (only its "
            "links change). Record a new decision instead.",
            code=Code.DECISION_SUPERSEDED,
        )


def _resolve_links(actor: Actor, spelled: Sequence[str]) -> list[tuple[str, int, str]]:
    if len(spelled) > LINKS_MAX:
        raise Invalid.field(
            "links", f"at most {LINKS_MAX} links at once", code=Code.DECISION_LINK_INVALID
        )
    found: dict[tuple[str, int], str] = {}
    for index, text in enumerate(spelled):
        field = f"links[{index}]"
        kind, ref = seam.split(text, field=field)
        declared, obj = seam.resolve(actor, kind, ref, field=field)
        found[(declared.name, int(obj.pk))] = f"{declared.name}:{declared.ref_of(obj)}"
    return [(kind, pk, name) for (kind, pk), name in found.items()]


# -- writes --------------------------------------------------------------------------------


@transaction.atomic
def decision_create(
    *,
    actor: Actor,
    product: Product,
    title: str,
    context: str = "",
    decision: str = "",
    rationale: str = "",
    options: Sequence[Mapping[str, Any]] = (),
    status: str = DecisionStatus.PROPOSED,
    deciders: Sequence[Membership] | None = None,
    decided_at: dt.date | None = None,
    links: Sequence[str] = (),
    supersedes: Decision | None = None,
) -> Decision:
    """Record a decision of ``product``, proposed or decided (by ``deciders``, default the
    actor, on ``decided_at``, default today), linked to ``links`` (``item:ACME-12``); with
    ``supersedes``, the new decision replaces that one in the same transaction."""
    require_record(actor)
    texts = {
        name: _text(value, name)
        for name, value in zip(MARKDOWN, (context, decision, rationale), strict=True)
    }
    status = _status(status)
    cleaned_options = _options(options)
    decided = status == DecisionStatus.DECIDED
    when = _decided_at(decided_at) if decided else None
    if not decided and (decided_at is not None or deciders):
        raise Invalid.field(
            "status",
            "a proposed decision has no deciders or date yet; record it as decided",
            code=Code.DECISION_STATUS_INVALID,
        )
    who = _deciders(actor, deciders) if decided else []
    targets = _resolve_links(actor, links)
    clean_title = _title(title)
    if supersedes is not None:
        _check_successor(supersedes, product=product)
    product_lock(product_id=product.pk)
    last = Decision.all_objects.filter(product=product).aggregate(last=Max("number"))["last"]
    made = Decision(
        workspace_id=product.workspace_id,
        product=product,
        number=(last or 0) + 1,
        title=clean_title,
        status=status,
        decided_at=when,
        created_by=actor.user,
        **texts,
        **{f"{name}_html": render_markdown(texts[name]) for name in MARKDOWN},
    )
    made.save()
    made.deciders.set(who)
    _write_options(made, cleaned_options)
    DecisionLink.objects.bulk_create(
        DecisionLink(
            workspace_id=made.workspace_id,
            decision=made,
            target_type=kind,
            target_id=pk,
            created_by=actor.user,
        )
        for kind, pk, _ in targets
    )
    changes: dict[str, Any] = {"title": clean_title, "status": status}
    if decided:
        changes |= {"decided_at": when, "deciders": [m.user.email for m in who]}
    if targets:
        changes["links_added"] = [name for _, _, name in targets]
    _record(actor, made, Action.CREATED, changes)
    if supersedes is not None:
        _supersede(actor, supersedes, made)
    return made


@transaction.atomic
def decision_update(
    *,
    actor: Actor,
    decision: Decision,
    expected_version: int | None = None,
    title: str | _Keep = KEEP,
    context: str | _Keep = KEEP,
    decision_text: str | _Keep = KEEP,
    rationale: str | _Keep = KEEP,
    options: Sequence[Mapping[str, Any]] | _Keep = KEEP,
    deciders: Sequence[Membership] | _Keep = KEEP,
    decided_at: dt.date | _Keep = KEEP,
) -> Decision:
    """Change what a proposed or decided decision says; a superseded one is refused (its
    links still change, through ``decision_link``). Deciders and the date belong to a
    decided one."""
    require_record(actor)
    check_version(decision, expected_version)
    _refuse_if_superseded(decision)
    before = snapshot(decision, ["title", *MARKDOWN, "decided_at"])
    if not isinstance(title, _Keep):
        decision.title = _title(title)
    for name, value in (
        ("context", context),
        ("decision", decision_text),
        ("rationale", rationale),
    ):
        if not isinstance(value, _Keep):
            text = _text(value, name)
            setattr(decision, name, text)
            setattr(decision, f"{name}_html", render_markdown(text))
    decided = decision.status == DecisionStatus.DECIDED
    if not decided and not (isinstance(deciders, _Keep) and isinstance(decided_at, _Keep)):
        raise Invalid.field(
            "status",
            f"{decision.key} is proposed: decide it to say who decided and when",
            code=Code.DECISION_STATUS_INVALID,
        )
    if not isinstance(decided_at, _Keep):
        decision.decided_at = _decided_at(decided_at)
    changes = changes_since(decision, before)
    if not isinstance(options, _Keep):
        old = _options_plain(decision)
        new = _options(options)
        if new != old:
            _write_options(decision, new)
            changes["options"] = [[o["title"] for o in old], [o["title"] for o in new]]
    if not isinstance(deciders, _Keep):
        old_emails = _emails(decision)
        decision.deciders.set(_deciders(actor, deciders))
        new_emails = _emails(decision)
        if new_emails != old_emails:
            changes["deciders"] = [old_emails, new_emails]
    if changes:
        written = [name for name in changes if name not in ("options", "deciders")]
        written += [f"{name}_html" for name in MARKDOWN if name in changes]
        bump(decision, written)
        _record(actor, decision, Action.UPDATED, changes)
    return decision


@transaction.atomic
def decision_decide(
    *,
    actor: Actor,
    decision: Decision,
    deciders: Sequence[Membership] | None = None,
    decided_at: dt.date | None = None,
    expected_version: int | None = None,
) -> Decision:
    """Take a proposed decision: who decided (default the actor) and when (default today)."""
    require_record(actor)
    check_version(decision, expected_version)
    _refuse_if_superseded(decision)
    if decision.status == DecisionStatus.DECIDED:
        raise Invalid.field(
            "status",
            f"{decision.key} was already decided on {decision.decided_at}",
            code=Code.DECISION_ALREADY_DECIDED,
        )
    who = _deciders(actor, deciders)
    decision.status = DecisionStatus.DECIDED
    decision.decided_at = _decided_at(decided_at)
    bump(decision, ["status", "decided_at"])
    decision.deciders.set(who)
    _record(
        actor,
        decision,
        Action.UPDATED,
        {
            "status": [DecisionStatus.PROPOSED, DecisionStatus.DECIDED],
            "decided_at": [None, decision.decided_at],
            "deciders": [[], sorted(m.user.email for m in who)],
        },
    )
    return decision


def _check_successor(old: Decision, *, product: Product, new: Decision | None = None) -> None:
    """``old`` may be superseded by ``new`` (or by a new decision of ``product``)."""
    if old.product_id != product.pk:
        raise Invalid.field(
            "supersedes" if new is None else "by",
            f"{old.key} is a decision of another product; a decision supersedes one of its own "
            f"product ({product.key})",
            code=Code.DECISION_SUPERSEDE_INVALID,
        )
    if old.status == DecisionStatus.SUPERSEDED:
        successor = old.superseded_by
        raise Invalid.field(
            "supersedes" if new is None else "id",
            f"{old.key} was already superseded"
            + (f" by {successor.key}" if successor is not None else ""),
            code=Code.DECISION_SUPERSEDE_INVALID,
        )
    if new is None:
        return
    if new.pk == old.pk:
        raise Invalid.field(
            "by", "a decision cannot supersede itself", code=Code.DECISION_SUPERSEDE_INVALID
        )
    if new.status == DecisionStatus.SUPERSEDED:
        raise Invalid.field(
            "by",
            f"{new.key} is itself superseded; supersede with the decision in force",
            code=Code.DECISION_SUPERSEDE_INVALID,
        )
    # No cycles: walking from ``new`` through its successors never reaches ``old``.
    seen: set[int] = set()
    step: Decision | None = new
    while step is not None and step.pk not in seen:
        if step.pk == old.pk:
            raise Invalid.field(
                "by",
                f"{new.key} is already replaced by {old.key}; a chain of decisions has no loops",
                code=Code.DECISION_SUPERSEDE_INVALID,
            )
        seen.add(step.pk)
        step = step.superseded_by


def _supersede(actor: Actor, old: Decision, new: Decision) -> None:
    # Both rows locked, in one order, so two opposite supersedes cannot both pass the checks.
    for row in sorted((old, new), key=lambda decision: decision.pk):
        check_version(row, None)
    _check_successor(old, product=new.product, new=new)
    previous = old.status
    old.status = DecisionStatus.SUPERSEDED
    old.superseded_by = new
    old.superseded_at = timezone.now()
    bump(old, ["status", "superseded_by", "superseded_at"])
    _record(
        actor,
        old,
        Action.UPDATED,
        {"status": [previous, DecisionStatus.SUPERSEDED], "superseded_by": [None, new.key]},
    )
    bump(new, [])  # its answer (``supersedes``) changed: a new ETag
    _record(actor, new, Action.UPDATED, {"supersedes": old.key})


@transaction.atomic
def decision_supersede(
    *,
    actor: Actor,
    decision: Decision,
    by: Decision,
    expected_version: int | None = None,
) -> Decision:
    """Mark ``decision`` superseded by ``by`` (a decision in force of the same product): the
    old one's status and both links change together. Returns the old decision."""
    require_record(actor)
    check_version(decision, expected_version)
    _supersede(actor, decision, by)
    return decision


@transaction.atomic
def decision_link(
    *, actor: Actor, decision: Decision, target: str, field: str = "target"
) -> DecisionLink | None:
    """Link ``target`` (``item:ACME-12``) to the decision; None when it was already linked.
    A superseded decision's links change too."""
    require_record(actor)
    kind, ref = seam.split(target, field=field)
    declared, obj = seam.resolve(actor, kind, ref, field=field)
    existing = DecisionLink.objects.filter(
        decision=decision, target_type=declared.name, target_id=obj.pk
    ).first()
    if existing is not None:
        return None
    check_version(decision, None)
    link = DecisionLink.objects.create(
        workspace_id=decision.workspace_id,
        decision=decision,
        target_type=declared.name,
        target_id=obj.pk,
        created_by=actor.user,
    )
    bump(decision, [])
    spelled = f"{declared.name}:{declared.ref_of(obj)}"
    _record(actor, decision, Action.UPDATED, {"links_added": [spelled]})
    return link


@transaction.atomic
def decision_unlink(*, actor: Actor, decision: Decision, target: str) -> bool:
    """Take the link to ``target`` off the decision; False when there was none."""
    require_record(actor)
    kind, ref = seam.split(target, field="target")
    declared, obj = seam.resolve(actor, kind, ref, field="target")
    removed, _ = DecisionLink.objects.filter(
        decision=decision, target_type=declared.name, target_id=obj.pk
    ).delete()
    if not removed:
        return False
    check_version(decision, None)
    bump(decision, [])
    spelled = f"{declared.name}:{declared.ref_of(obj)}"
    _record(actor, decision, Action.UPDATED, {"links_removed": [spelled]})
    return True


def refuse_trash_when_superseding(actor: Any, decision: Decision) -> list[str]:
    """Trash hook: a decision that replaced others stays, else their chain would point at
    nothing."""
    older = list(Decision.objects.filter(superseded_by=decision).select_related("product")[:3])
    if older:
        keys = ", ".join(d.key for d in older)
        raise Invalid.field(
            "id",
            f"{decision.key} supersedes {keys}; it stays in the log while they point to it",
            code=Code.DECISION_SUPERSEDES_OTHERS,
        )
    return []
