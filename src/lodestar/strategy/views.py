"""The product pages: the products of a workspace, a product's vision, and its Product Goal.

Views are thin: access, then a service or a selector, then a page. The forms only check shape;
the services decide (rights, lengths, one active goal) and their errors land on the fields.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import FieldError, Invalid, StaleVersion, error_sentence
from lodestar.people.access import access_team
from lodestar.people.models import Membership, TeamRole
from lodestar.people.policy import Permission, can, people_who_may_wear
from lodestar.people.refs import member_ref
from lodestar.people.selectors import TeamHats, member_list, team_list, who_does_what
from lodestar.people.web import WorkspaceRequest, apply_errors, workspace_view
from lodestar.strategy import services
from lodestar.strategy.access import access_goal, access_product
from lodestar.strategy.models import GoalStatus, Product
from lodestar.strategy.page_exports import products_csv
from lodestar.strategy.permissions import StrategyPermission
from lodestar.strategy.selectors import (
    active_goal,
    current_owner,
    goal_list,
    product_detail,
    product_list,
    product_owner_history,
    team_product_ids,
)

_INPUT = {"class": "input"}
_OUTCOMES = [
    (GoalStatus.ACHIEVED.value, "Achieved: we reached it"),
    (GoalStatus.ABANDONED.value, "Abandoned: we stopped pursuing it"),
]


class ProductForm(forms.Form):
    key = forms.CharField(
        max_length=10,
        help_text="2 to 10 capital letters; item keys read KEY-42.",
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(max_length=100, widget=forms.TextInput(attrs=_INPUT))


class VisionForm(forms.Form):
    vision = forms.CharField(
        required=False,
        help_text="Markdown. Who it is for, what it does for them, why it matters.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 6}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class _VersionedForm(forms.Form):
    """A form carrying the version of the row it was drawn from (hidden): a missing or broken
    version is said on the form, where it shows."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if "version" in self.errors:
            self.add_error(None, "This page is out of date: reload it and make your change again.")
        return cleaned


class ProductSettingsForm(_VersionedForm):
    """The product's name and estimation scale: workspace administration."""

    name = forms.CharField(max_length=100, widget=forms.TextInput(attrs=_INPUT))
    estimate_scale = forms.CharField(
        max_length=400,
        label="Estimate scale",
        help_text=(
            'Points the team may estimate in, separated by commas; "?" lets them say they cannot '
            "tell yet. Items keep their estimates; new estimates must be on the scale."
        ),
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off", "spellcheck": "false"}),
    )


class ReadinessForm(_VersionedForm):
    """The product's Definition of Ready: the checks an item passes before it may be ready."""

    acceptance_criteria = forms.BooleanField(required=False, label="Has acceptance criteria")
    estimate = forms.BooleanField(required=False, label="Has an estimate")
    serves_goal = forms.BooleanField(required=False, label="Serves the active Product Goal")
    max_velocity_share = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        label="Size limit, in % of the team's velocity",
        help_text=(
            "An item may take at most this share of a sprint: 1 to 100, empty for no limit. "
            "Not measured until the team has finished a sprint."
        ),
        widget=forms.NumberInput(attrs=_INPUT),
    )
    value_risk_above_points = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=1000,
        label="Value risk addressed, for items above (points)",
        help_text=(
            "Larger items need their problem's value risk addressed: 0 to 1000 points, empty "
            "for no such check."
        ),
        widget=forms.NumberInput(attrs=_INPUT),
    )


class ProductOwnerForm(forms.Form):
    """Who wears the product's product owner hat; empty leaves the hat vacant."""

    member = forms.ChoiceField(choices=[], required=False, label="Give the hat to")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "owner_%s")
        super().__init__(*args, **kwargs)
        member = cast(forms.ChoiceField, self.fields["member"])
        member.choices = [("", "Nobody (vacant)")] + [
            (m.user.email, f"{m.user.display_name} · {m.job_title or m.get_role_display()}")
            for m in people_who_may_wear(members, TeamRole.PRODUCT_OWNER)
        ]
        member.widget.attrs.update(_INPUT)


class GoalForm(forms.Form):
    statement = forms.CharField(
        max_length=300,
        help_text="One sentence the whole team can repeat: the outcome, not a feature list.",
        widget=forms.TextInput(attrs=_INPUT),
    )
    description = forms.CharField(
        required=False,
        help_text="Markdown: how you will know it is reached, what is out of scope.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 4}),
    )
    previous_outcome = forms.ChoiceField(
        choices=_OUTCOMES,
        initial=GoalStatus.ACHIEVED.value,
        label="The current goal was",
        widget=forms.RadioSelect,
    )


class GoalCloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=_OUTCOMES, widget=forms.RadioSelect)
    version = forms.IntegerField(widget=forms.HiddenInput)


# -- products --------------------------------------------------------------------------------


def _products_page(
    request: WorkspaceRequest, form: ProductForm | None = None, status: int = 200
) -> HttpResponse:
    actor = request.actor
    products = [(product, active_goal(product)) for product in product_list(actor=actor)]
    return render(
        request,
        "strategy/products.html",
        {
            "products": products,
            "manages": can(actor, StrategyPermission.MANAGE_PRODUCTS),
            "form": form or ProductForm(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@workspace_view
def products(request: WorkspaceRequest) -> HttpResponse | StreamingHttpResponse:
    """The workspace's products; owners and admins create one by posting here."""
    if request.method != "POST":
        return products_csv(request) if wants_csv(request) else _products_page(request)
    form = ProductForm(request.POST)
    if not form.is_valid():
        return _products_page(request, form, status=422)
    try:
        product = services.product_create(
            actor=request.actor, key=form.cleaned_data["key"], name=form.cleaned_data["name"]
        )
    except Invalid as error:
        apply_errors(form, error)
        return _products_page(request, form, status=422)
    messages.success(request, f"Product {product.key} created. Give it a vision and a goal.")
    return redirect(
        "strategy:product_detail", workspace_slug=request.workspace.slug, product_key=product.key
    )


def _teams_of(request: WorkspaceRequest, product: Product) -> list[TeamHats]:
    """The teams working from ``product``'s backlog, with their hats."""
    links = team_product_ids(actor=request.actor)
    return [
        hats for hats in who_does_what(actor=request.actor) if links.get(hats.team.pk) == product.pk
    ]


def _product_context(request: WorkspaceRequest, product: Product) -> dict[str, Any]:
    return {
        "product": product,
        "goal": active_goal(product),
        "teams": _teams_of(request, product),
        "owner": current_owner(product),
        "steers": can(request.actor, StrategyPermission.SET_PRODUCT_GOAL, product=product),
    }


def _product_page(
    request: WorkspaceRequest,
    product: Product,
    form: VisionForm | None = None,
    status: int = 200,
    *,
    owner_form: ProductOwnerForm | None = None,
) -> HttpResponse:
    context = _product_context(request, product)
    context["form"] = form or VisionForm(
        initial={"vision": product.vision, "version": product.version}
    )
    owner = context["owner"]
    members = list(member_list(actor=request.actor))
    context.update(
        {
            "owner_history": [hat for hat in product_owner_history(product) if hat.ended_at],
            "moves_hat": can(request.actor, Permission.MOVE_PRODUCT_OWNER_HAT, product=product),
            "links_teams": can(request.actor, Permission.MANAGE_TEAMS),
            "other_teams": [
                team
                for team in team_list(actor=request.actor)
                if team.pk not in {hats.team.pk for hats in context["teams"]}
            ],
            "owner_form": owner_form
            or ProductOwnerForm(
                members=members,
                initial={
                    "member": owner.member.user.email if owner else "",
                    "version": product.version,
                },
            ),
        }
    )
    context["tab"] = "overview"
    return render(request, "strategy/product.html", context, status=status)


@require_http_methods(["GET", "POST"])
@workspace_view
def product_page(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """A product's vision; its product owner (or an admin) rewrites the vision here."""
    actor = request.actor
    product = product_detail(actor=actor, product=access_product(actor, product_key))
    if request.method != "POST":
        return _product_page(request, product)
    form = VisionForm(request.POST)
    if not form.is_valid():
        return _product_page(request, product, form, status=422)
    try:
        services.product_update(
            actor=actor,
            product=product,
            vision=form.cleaned_data["vision"],
            expected_version=form.cleaned_data["version"],
        )
    except StaleVersion:
        messages.warning(
            request,
            "Someone else changed the vision meanwhile: the page shows theirs, and your text "
            "is still in the form. Save again to replace theirs with yours.",
        )
        fresh = product_detail(actor=actor, product=product)
        draft = VisionForm(
            initial={"vision": form.cleaned_data["vision"], "version": fresh.version}
        )
        return _product_page(request, fresh, draft, status=412)
    messages.success(request, "Vision saved.")
    return redirect(
        "strategy:product_detail", workspace_slug=request.workspace.slug, product_key=product.key
    )


@require_POST
@workspace_view
def product_owner(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """Give the product's product owner hat to another member (or leave it vacant)."""
    actor = request.actor
    product = product_detail(actor=actor, product=access_product(actor, product_key))
    form = ProductOwnerForm(request.POST, members=list(member_list(actor=actor)))
    if not form.is_valid():
        return _product_page(request, product, owner_form=form, status=422)
    email = form.cleaned_data["member"]
    try:
        member = member_ref(actor, email) if email else None
        services.product_owner_set(
            actor=actor,
            product=product,
            member=member,
            expected_version=form.cleaned_data["version"],
        )
    except Invalid as error:
        apply_errors(form, error)
        return _product_page(request, product, owner_form=form, status=422)
    except StaleVersion:
        messages.warning(
            request, "Someone else changed this product meanwhile; here is who owns it now."
        )
        fresh = product_detail(actor=actor, product=product)
        return _product_page(request, fresh, status=412)
    if member is None:
        messages.success(request, f"The product owner hat of {product.key} is now vacant.")
    else:
        messages.success(
            request,
            f"{member.user.display_name} is now the product owner of {product.key}, for every "
            "team that works from it.",
        )
    return redirect(
        "strategy:product_detail", workspace_slug=request.workspace.slug, product_key=product.key
    )


@require_POST
@workspace_view
def product_team(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """Make a team work from this product's backlog (``add``), or from none (``remove``)."""
    actor = request.actor
    product = access_product(actor, product_key)
    team = access_team(actor, request.POST.get("team", ""))
    if request.POST.get("action") == "remove":
        try:
            services.team_product_leave(actor=actor, team=team, product=product)
        except Invalid as error:
            messages.warning(request, error_sentence(error))
        else:
            messages.success(request, f"{team.name} no longer works from {product.key}.")
    else:
        services.team_product_set(actor=actor, team=team, product=product)
        messages.success(
            request,
            f"{team.name} now works from {product.key}'s backlog; its product owner is the team's.",
        )
    return redirect(
        "strategy:product_detail", workspace_slug=request.workspace.slug, product_key=product.key
    )


# -- settings ----------------------------------------------------------------------------------

_SCALE_SEPARATORS = re.compile(r"[\s,;]+")
_SCALE_VALUE = re.compile(r"^estimate_scale\[(\d+)\]$")
_READINESS = (*services.DOR_SWITCHES, *services.DOR_THRESHOLDS)


def _scale_values(text: str) -> list[str]:
    """The scale as typed (``1, 2, 3, 5, ?``; commas, semicolons or spaces between values)."""
    return [value for value in _SCALE_SEPARATORS.split(text) if value]


def _on_form_fields(error: Invalid, scale: list[str]) -> Invalid:
    """``error`` with its fields named as the settings forms name them: a scale value's error
    lands on the scale and quotes the value, a readiness check's on its own field."""
    renamed: list[FieldError] = []
    for field_error in error.errors:
        field, message = field_error.field, field_error.message
        value = _SCALE_VALUE.match(field)
        if value is not None:
            index = int(value.group(1))
            field = "estimate_scale"
            if index < len(scale):
                message = f'"{scale[index]}" {message}'
        field = field.removeprefix("definition_of_ready.")
        renamed.append(FieldError(field, message))
    return type(error)(error.detail, code=error.code, errors=renamed)


def _settings_page(
    request: WorkspaceRequest,
    product: Product,
    bound: ProductSettingsForm | ReadinessForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """The settings page; ``bound`` is a posted form shown again (with its errors, or as a
    draft), the other form shows the product as it is."""
    actor = request.actor
    definition = product.definition_of_ready
    manages = can(actor, StrategyPermission.MANAGE_PRODUCTS)
    steers = can(actor, StrategyPermission.SET_PRODUCT_GOAL, product=product)
    general = (
        bound
        if isinstance(bound, ProductSettingsForm)
        else ProductSettingsForm(
            auto_id="general_%s",
            initial={
                "name": product.name,
                "estimate_scale": ", ".join(product.estimate_scale),
                "version": product.version,
            },
        )
    )
    readiness = (
        bound
        if isinstance(bound, ReadinessForm)
        else ReadinessForm(
            auto_id="dor_%s",
            initial={
                **{name: definition.get(name) for name in _READINESS},
                "version": product.version,
            },
        )
    )
    # Those who may not change a form see it greyed out, with who may.
    for form, allowed in ((general, manages), (readiness, steers)):
        for field in form.fields.values():
            field.disabled = field.disabled or not allowed
    context = {
        "product": product,
        "goal": active_goal(product),
        "owner": None if steers else current_owner(product),
        "manages": manages,
        "steers": steers,
        "general": general,
        "readiness": readiness,
        "tab": "settings",
    }
    return render(request, "strategy/settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
@workspace_view
def product_settings(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """A product's name and estimate scale (owners and admins) and its Definition of Ready
    (its product owner too). Each form posts alone (``form``: ``general`` or ``readiness``)."""
    actor = request.actor
    product = product_detail(actor=actor, product=access_product(actor, product_key))
    if request.method != "POST":
        return _settings_page(request, product)
    which = request.POST.get("form")
    form: ProductSettingsForm | ReadinessForm
    scale: list[str] = []
    if which == "general":
        form = ProductSettingsForm(request.POST, auto_id="general_%s")
        if not form.is_valid():
            return _settings_page(request, product, form, status=422)
        scale = _scale_values(form.cleaned_data["estimate_scale"])
        changes: dict[str, Any] = {"name": form.cleaned_data["name"], "estimate_scale": scale}
        saved = "Name and estimate scale saved."
    elif which == "readiness":
        form = ReadinessForm(request.POST, auto_id="dor_%s")
        if not form.is_valid():
            return _settings_page(request, product, form, status=422)
        changes = {"definition_of_ready": {name: form.cleaned_data[name] for name in _READINESS}}
        saved = "Definition of Ready saved: it applies to items marked ready from now on."
    else:
        messages.error(request, "Save the name and scale, or the Definition of Ready.")
        return _settings_page(request, product, status=400)
    version = product.version
    try:
        services.product_update(
            actor=actor, product=product, expected_version=form.cleaned_data["version"], **changes
        )
    except Invalid as error:
        apply_errors(form, _on_form_fields(error, scale))
        fresh = product_detail(actor=actor, product=product)
        return _settings_page(request, fresh, form, status=422)
    except StaleVersion:
        messages.warning(
            request,
            "Someone else changed this product's settings meanwhile. Your changes are still in "
            "the form: save again to apply them over theirs.",
        )
        fresh = product_detail(actor=actor, product=product)
        draft = type(form)(
            auto_id=form.auto_id, initial={**form.cleaned_data, "version": fresh.version}
        )
        return _settings_page(request, fresh, draft, status=412)
    if product.version == version:
        messages.info(request, "Nothing to save: the settings were already these.")
    else:
        messages.success(request, saved)
    return redirect(
        "strategy:product_settings", workspace_slug=request.workspace.slug, product_key=product.key
    )


# -- the Product Goal --------------------------------------------------------------------------


def _goal_page(
    request: WorkspaceRequest,
    product: Product,
    *,
    goal_form: GoalForm | None = None,
    close_form: GoalCloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _product_context(request, product)
    goal = context["goal"]
    context.update(
        {
            "tab": "goal",
            "earlier": [g for g in goal_list(actor=request.actor, product=product) if g != goal],
            "goal_form": goal_form or GoalForm(),
            "close_form": close_form
            or GoalCloseForm(initial={"version": goal.version if goal else 0}),
        }
    )
    return render(request, "strategy/goal.html", context, status=status)


@require_GET
@workspace_view
def goal_page(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """The active Product Goal and the goals before it, achieved or abandoned."""
    actor = request.actor
    return _goal_page(
        request, product_detail(actor=actor, product=access_product(actor, product_key))
    )


@require_POST
@workspace_view
def goal_set(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """A new active goal; the current one closes as achieved or abandoned."""
    actor = request.actor
    product = product_detail(actor=actor, product=access_product(actor, product_key))
    form = GoalForm(request.POST)
    if not form.is_valid():
        return _goal_page(request, product, goal_form=form, status=422)
    try:
        goal = services.goal_set(
            actor=actor,
            product=product,
            statement=form.cleaned_data["statement"],
            description=form.cleaned_data["description"],
            previous_outcome=form.cleaned_data["previous_outcome"],
        )
    except Invalid as error:
        apply_errors(form, error)
        return _goal_page(request, product, goal_form=form, status=422)
    messages.success(request, f"New Product Goal: {goal.statement}")
    return redirect(
        "strategy:product_goal", workspace_slug=request.workspace.slug, product_key=product.key
    )


@require_POST
@workspace_view
def goal_close(request: WorkspaceRequest, product_key: str, goal_id: int) -> HttpResponse:
    """Close the active goal; the product has no goal until a new one is set."""
    actor = request.actor
    product = product_detail(actor=actor, product=access_product(actor, product_key))
    goal = access_goal(actor, product, goal_id)
    form = GoalCloseForm(request.POST)
    if not form.is_valid():
        return _goal_page(request, product, close_form=form, status=422)
    try:
        services.goal_close(
            actor=actor,
            goal=goal,
            outcome=form.cleaned_data["outcome"],
            expected_version=form.cleaned_data["version"],
        )
    except Invalid as error:
        apply_errors(form, error)
        return _goal_page(request, product, close_form=form, status=422)
    except StaleVersion:
        messages.warning(request, "Someone else changed this goal meanwhile; here it is now.")
        return _goal_page(request, product, status=412)
    messages.success(request, f"Goal closed as {form.cleaned_data['outcome']}.")
    return redirect(
        "strategy:product_goal", workspace_slug=request.workspace.slug, product_key=product.key
    )
