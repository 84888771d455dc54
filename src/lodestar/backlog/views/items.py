"""One backlog item: shown in the backlog's side panel (htmx) or as a page of its own.

Every change posts to its own URL, goes through the backlog services, and answers with the
item as it is now; in the side panel the answer also refreshes the item's row in the list.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from lodestar.backlog import hierarchy, services
from lodestar.backlog.access import access_item, access_item_stamp
from lodestar.backlog.errors import BacklogErrorCode
from lodestar.backlog.extensions import ITEM_SECTIONS
from lodestar.backlog.forms import (
    REACH_FROM_EVIDENCE,
    ConvertForm,
    ItemForm,
    ScoreForm,
    SplitForm,
    VersionForm,
    criteria_lines,
    label_names,
)
from lodestar.backlog.history_words import history_lines
from lodestar.backlog.live import item_stamp
from lodestar.backlog.models import BacklogItem, ItemKind
from lodestar.backlog.prioritization import services as scoring
from lodestar.backlog.prioritization.derived import reach_available
from lodestar.backlog.prioritization.frameworks import (
    Criterion,
    Framework,
    ScoreResult,
    criteria_parse,
    fmt,
)
from lodestar.backlog.prioritization.models import Score
from lodestar.backlog.prioritization.selectors import item_scores, parse_framework, scorecard_get
from lodestar.backlog.refs import item_ref_or_none
from lodestar.backlog.selectors import item_children, item_readiness
from lodestar.backlog.services._common import estimate_value
from lodestar.backlog.views._common import ORDER_HINT, compact, rights_for, rows_for
from lodestar.core.errors import (
    Conflict,
    Invalid,
    StaleVersion,
    field_sentence,
)
from lodestar.core.live import etag, poll_attributes
from lodestar.core.points import format_points
from lodestar.people.refs import member_ref_or_none
from lodestar.people.selectors import member_list
from lodestar.people.web import WorkspaceRequest, is_htmx, workspace_view
from lodestar.strategy.refs import goal_ref
from lodestar.strategy.selectors import goal_list

PANEL = "item-panel"


def _in_panel(request: WorkspaceRequest) -> bool:
    """Whether the answer goes to the side panel: its GET targets ``#item-panel`` (or says
    ``panel=1``), and its forms carry ``panel=1``."""
    if request.method == "GET":
        return request.headers.get("HX-Target") == PANEL or request.GET.get("panel") == "1"
    return request.POST.get("panel") == "1"


def _criteria(actor: Any, item: BacklogItem) -> tuple[Criterion, ...]:
    card = scorecard_get(actor=actor, product=item.product)
    return criteria_parse(card.criteria) if card and card.criteria else ()


def _score_form(
    framework: Framework,
    criteria: tuple[Criterion, ...],
    data: Any = None,
    score: Score | None = None,
) -> ScoreForm:
    specs = [c.spec for c in criteria] if framework is Framework.SCORECARD else None
    initial: dict[str, Any] = dict(score.inputs) if score else {}
    if score is not None and score.reach_from_evidence:
        initial[REACH_FROM_EVIDENCE] = True
    return ScoreForm(
        data,
        framework=framework,
        specs=specs,
        evidence=reach_available(),
        prefix=framework.value,
        initial=initial,
    )


def _item_form(request: WorkspaceRequest, item: BacklogItem, data: Any = None) -> ItemForm:
    goals = list(goal_list(actor=request.actor, product=item.product))
    members = list(member_list(actor=request.actor))
    estimate = estimate_value(item)
    initial = {
        "title": item.title,
        "description": item.description,
        "acceptance_criteria": "\n".join(item.acceptance_criteria),
        "estimate": "" if estimate is None else format_points(estimate),
        "status": item.status,
        "labels": ", ".join(label.name for label in item.labels.all()),
        "assignee": item.assignee.user.email if item.assignee else "",
        "goal": str(item.goal_id or ""),
        "parent": item.parent.key if item.parent else "",
        "version": item.version,
    }
    return ItemForm(
        data,
        scale=[str(v) for v in item.product.estimate_scale],
        goals=goals,
        members=members,
        initial=initial,
        auto_id="item-%s",
    )


def _context(
    request: WorkspaceRequest,
    item: BacklogItem,
    *,
    edit_form: ItemForm | None = None,
    score_form: ScoreForm | None = None,
    split_form: SplitForm | None = None,
    errors: list[str] | None = None,
    stale: StaleVersion | None = None,
) -> dict[str, Any]:
    actor = request.actor
    rights = rights_for(actor, item.product)
    criteria = _criteria(actor, item)
    scores = item_scores(actor=actor, item=item)
    scored = {Framework(s.framework): s for s in scores}
    frameworks = [f for f in Framework if f is not Framework.SCORECARD or criteria]
    cards = []
    for framework in frameworks:
        score = scored.get(framework)
        form = (
            score_form
            if score_form is not None and score_form.framework is framework
            else _score_form(framework, criteria, score=score)
        )
        explained = ScoreResult.from_dict(score.explanation) if score else None
        cards.append(
            {
                "framework": framework,
                "score": score,
                "explained": explained,
                "inputs": [(i, fmt(i.value)) for i in explained.inputs] if explained else [],
                "value": fmt(score.value) if score else "",
                "form": form,
                "open": form.is_bound,
            }
        )
    in_panel = _in_panel(request)
    live = _live(request, item, in_panel)
    children = list(item_children(actor=actor, item=item))
    readiness = item_readiness(item)
    # Sections other contexts add (the problems the item solves); each escapes its own HTML.
    sections = [
        html
        for section in ITEM_SECTIONS.providers()
        if (html := section.render(request, item, in_panel))
    ]
    return {
        "item": item,
        "product": item.product,
        "row": rows_for(actor, [item])[0],
        "rights": rights,
        "order_hint": ORDER_HINT,
        "in_panel": in_panel,
        "item_sections": sections,
        "live": live,
        "form": edit_form or _item_form(request, item),
        "editing": edit_form is not None and bool(edit_form.sent() & set(ItemForm.TEXT_FIELDS)),
        "readiness": readiness,
        "score_cards": cards,
        "children": children,
        "split_form": split_form or SplitForm(parent_kind=item.kind, auto_id="split-%s"),
        "may_split": hierarchy.CHILD_KIND.get(item.kind) is not None,
        "convert_form": ConvertForm(initial={"version": item.version}, auto_id="convert-%s"),
        "kinds": [(value, label) for value, label in ItemKind.choices if value != item.kind],
        "history": history_lines(actor, item),
        "errors": errors or [],
        # The 412's sentence names who changed the item and when.
        "stale": stale.detail if stale is not None else "",
    }


def _live(request: WorkspaceRequest, item: BacklogItem, in_panel: bool) -> dict[str, str]:
    """The item view's poll (``backlog.views.live``), stamped with what it is about to show.
    A stamp that is not of the version shown (a change slipped in between the two reads) gets
    a tag no poll answers, so the first poll refreshes the view."""
    stamp = access_item_stamp(request.actor, item.key)
    tag = etag(*item_stamp(stamp)) if stamp.version == item.version else etag("unknown")
    slug = request.workspace.slug
    attributes = poll_attributes(
        reverse("backlog:item_live", args=[slug, item.key]), tag, "this item"
    )
    refresh = reverse("backlog:item_detail", args=[slug, item.key])
    attributes["refresh"] = refresh + ("?panel=1" if in_panel else "")
    return attributes


def _fresh(request: WorkspaceRequest, key: str) -> BacklogItem:
    return access_item(request.actor, key)


def _answer(
    request: WorkspaceRequest,
    item: BacklogItem,
    *,
    status: int = 200,
    list_changed: bool = False,
    **extra: Any,
) -> HttpResponse:
    """The item as it is now: its view, plus (in the panel) its refreshed row in the list."""
    if not is_htmx(request):
        if status >= 400:
            context = _context(request, item, **extra)
            return render(request, "backlog/item_page.html", context, status=status)
        return redirect(
            "backlog:item_detail", workspace_slug=request.workspace.slug, item_key=item.key
        )
    context = _context(request, item, **extra)
    html = render_to_string("backlog/_item.html", context, request=request)
    if context["in_panel"] and not list_changed:
        # The list reloads itself after changes that add or reorder rows; else only this row.
        row = {"row": context["row"], "rights": context["rights"], "oob": True}
        html += render_to_string("backlog/_row.html", row, request=request)
    response = HttpResponse(html, status=status)
    if list_changed:
        response["HX-Trigger"] = "backlog-changed"
    return response


def _error_lines(error: Invalid) -> list[str]:
    if not error.errors:
        return [error.detail]
    if error.code == BacklogErrorCode.NOT_READY:
        return [f"Not ready: {e.message}" for e in error.errors]
    return [field_sentence(e) for e in error.errors]


# -- reading ----------------------------------------------------------------------------------


@require_GET
@workspace_view
def item_detail(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """The item: a fragment for the side panel, or a page of its own."""
    item = access_item(request.actor, item_key)
    context = _context(request, item)
    if is_htmx(request) and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "backlog/_item.html", context)
    return render(request, "backlog/item_page.html", context)


# -- changing ---------------------------------------------------------------------------------


def _reference_fields(
    request: WorkspaceRequest, item: BacklogItem, form: ItemForm, sent: set[str]
) -> dict[str, Any]:
    """The assignee, goal and parent named in the form, fetched through their gates."""
    data = form.cleaned_data
    actor = request.actor
    fields: dict[str, Any] = {}
    if "assignee" in sent:
        email = data["assignee"] or None
        fields["assignee"] = member_ref_or_none(actor, email, field="assignee")
    if "goal" in sent:
        fields["goal"] = goal_ref(actor, item.product, data["goal"] or None)
    if "parent" in sent:
        fields["parent"] = item_ref_or_none(actor, data["parent"].strip() or None, field="parent")
    return fields


@require_POST
@workspace_view
def item_update(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """Change the fields the request sends (a property menu sends one, the edit form three)."""
    item = access_item(request.actor, item_key)
    form = _item_form(request, item, request.POST)
    sent = form.sent()
    if not form.is_valid():
        lines = [f"{form[n].label}: {m}" for n, errs in form.errors.items() for m in errs]
        return _answer(request, item, status=422, edit_form=form, errors=lines)
    data = form.cleaned_data
    simple: dict[str, Any] = {}
    for name in sent & {"title", "description", "status"}:
        simple[name] = data[name]
    if "acceptance_criteria" in sent:
        simple["acceptance_criteria"] = criteria_lines(data["acceptance_criteria"])
    if "estimate" in sent:
        simple["estimate"] = data["estimate"] or None
    if "labels" in sent:
        simple["labels"] = label_names(data["labels"])
    try:
        simple.update(_reference_fields(request, item, form, sent))
        item = services.item_update(
            actor=request.actor, item=item, expected_version=data["version"], **simple
        )
    except Invalid as error:
        for field_error in error.errors:
            name = field_error.field.split("[")[0]
            if name in form.fields and name in sent:
                form.add_error(name, field_error.message)
        return _answer(
            request,
            _fresh(request, item_key),
            status=422,
            edit_form=form,
            errors=_error_lines(error),
        )
    except StaleVersion as error:
        fresh = _fresh(request, item_key)
        # The draft stays in the form, on the current version: saving again overwrites.
        draft = _item_form(request, fresh, {**request.POST.dict(), "version": fresh.version})
        draft.is_valid()
        return _answer(request, fresh, status=412, edit_form=draft, stale=error)
    messages.success(request, f"Saved {item.key}.")
    return _answer(request, _fresh(request, item_key))


@require_POST
@workspace_view
def item_score(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """Enter or change the item's inputs for one framework; the score explains itself."""
    item = access_item(request.actor, item_key)
    framework = parse_framework(request.POST.get("framework", ""))
    form = _score_form(framework, _criteria(request.actor, item), data=request.POST)
    version = request.POST.get("score_version", "")
    try:
        score = scoring.score_set(
            actor=request.actor,
            item=item,
            framework=framework,
            inputs=form.inputs(),
            expected_version=int(version) if version.isdigit() else None,
            derived=form.derived(),
        )
    except Invalid as error:
        for field_error in error.errors:
            name = field_error.field.removeprefix("inputs.")
            if name.startswith("derived"):
                name = REACH_FROM_EVIDENCE
            form.add_error(name if name in form.fields else None, field_error.message)
        return _answer(request, item, status=422, score_form=form)
    except StaleVersion as error:
        return _answer(request, _fresh(request, item_key), status=412, stale=error)
    messages.success(request, f"{item.key} scored {framework.display_name} {compact(score.value)}.")
    return _answer(request, _fresh(request, item_key))


@require_POST
@workspace_view
def item_split(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """Break the item into children in one step (they take its goal and labels)."""
    item = access_item(request.actor, item_key)
    form = SplitForm(request.POST, parent_kind=item.kind, auto_id="split-%s")
    if not form.is_valid():
        return _answer(request, item, status=422, split_form=form)
    specs = [
        services.ChildSpec(title=title, kind=form.cleaned_data["kind"]) for title in form.titles()
    ]
    try:
        children = services.item_split(actor=request.actor, item=item, children=specs)
    except Invalid as error:
        for line in _error_lines(error):
            form.add_error("children", line)
        return _answer(request, item, status=422, split_form=form)
    keys = ", ".join(child.key for child in children)
    messages.success(request, f"{item.key} split into {keys}.")
    return _answer(request, _fresh(request, item_key), list_changed=True)


@require_POST
@workspace_view
def item_convert(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """Change the item's kind (a task into a story and back)."""
    item = access_item(request.actor, item_key)
    form = ConvertForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, item, status=422, errors=["Kind: choose epic, story, task, bug or spike."]
        )
    try:
        item = services.item_convert(
            actor=request.actor,
            item=item,
            kind=form.cleaned_data["kind"],
            expected_version=form.cleaned_data["version"],
        )
    except Invalid as error:
        return _answer(request, item, status=422, errors=_error_lines(error))
    except StaleVersion as error:
        return _answer(request, _fresh(request, item_key), status=412, stale=error)
    messages.success(request, f"{item.key} is now a {item.get_kind_display().lower()}.")
    return _answer(request, _fresh(request, item_key), list_changed=True)


@require_POST
@workspace_view
def item_duplicate(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """A copy right after the item; the panel shows the copy."""
    item = access_item(request.actor, item_key)
    copy = services.item_duplicate(actor=request.actor, item=item)
    messages.success(request, f"{copy.key} is a copy of {item.key}.")
    return _answer(request, _fresh(request, copy.key), list_changed=True)


@require_POST
@workspace_view
def item_delete(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """Move the item to the trash; the answer offers to undo it."""
    item = access_item(request.actor, item_key)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.item_delete(actor=request.actor, item=item, expected_version=version)
    except Conflict as error:
        return _answer(request, item, status=error.status, errors=[error.detail])
    except StaleVersion as error:
        return _answer(request, _fresh(request, item_key), status=412, stale=error)
    trashed = access_item(request.actor, item_key, in_trash=True)
    if not is_htmx(request):
        messages.success(request, f"{trashed.key} is in the trash; restore it from there.")
        return redirect(
            "backlog:backlog",
            workspace_slug=request.workspace.slug,
            product_key=trashed.product.key,
        )
    context = {"item": trashed, "in_panel": _in_panel(request)}
    html = render_to_string("backlog/_item_deleted.html", context, request=request)
    return HttpResponse(html)


@require_POST
@workspace_view
def item_restore(request: WorkspaceRequest, item_key: str) -> HttpResponse:
    """Take the item out of the trash, back where it was in the backlog."""
    item = access_item(request.actor, item_key, in_trash=True)
    item = services.item_restore(actor=request.actor, item=item)
    messages.success(request, f"{item.key} is back in the backlog.")
    return _answer(request, _fresh(request, item_key), list_changed=True)
