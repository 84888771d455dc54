"""Forms of the backlog pages. They check shape; the services decide and validate for real.

Choices come from the product (its estimation scale, its goals) and the workspace (its
members), so a form never offers what the service would refuse for being unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from lodestar.backlog import hierarchy
from lodestar.backlog.models import ItemKind, ItemStatus
from lodestar.backlog.prioritization.frameworks import (
    FRAMEWORK_INPUTS,
    Framework,
    InputSpec,
    fmt,
)
from lodestar.people.models import Membership
from lodestar.strategy.models import GoalStatus, ProductGoal

_INPUT = {"class": "input"}
_SMALL = {"class": "input input-sm"}

NO_GOAL = ""
REACH_FROM_EVIDENCE = "reach_from_evidence"
UNASSIGNED = ""


def goal_choices(goals: Sequence[ProductGoal]) -> list[tuple[str, str]]:
    """The active goal first, then earlier ones (an item may still serve one)."""
    ordered = sorted(goals, key=lambda g: g.status != GoalStatus.ACTIVE)
    return [(NO_GOAL, "No goal")] + [
        (str(g.pk), g.statement if g.is_active else f"{g.statement} ({g.get_status_display()})")
        for g in ordered
    ]


def member_choices(members: Sequence[Membership]) -> list[tuple[str, str]]:
    return [(UNASSIGNED, "Unassigned")] + [(m.user.email, m.user.display_name) for m in members]


def estimate_choices(scale: Sequence[str]) -> list[tuple[str, str]]:
    return [("", "Not estimated")] + [(str(v), str(v)) for v in scale]


class ItemCreateForm(forms.Form):
    """The inline create row of the backlog: a title, a kind, a goal and where it goes."""

    title = forms.CharField(
        max_length=255,
        widget=forms.TextInput(
            attrs={
                "class": "input bl-create-title",
                "placeholder": "New item title, then Enter",
                "autocomplete": "off",
                "aria-label": "Title of the new item",
            }
        ),
    )
    kind = forms.ChoiceField(
        choices=ItemKind.choices,
        initial=ItemKind.STORY,
        widget=forms.Select(attrs={**_SMALL, "aria-label": "Kind"}),
    )
    goal = forms.ChoiceField(
        required=False, widget=forms.Select(attrs={**_SMALL, "aria-label": "Serves goal"})
    )
    position = forms.ChoiceField(
        choices=[("top", "Top"), ("bottom", "Bottom")],
        initial="bottom",
        widget=forms.Select(attrs={**_SMALL, "aria-label": "Add at"}),
    )

    def __init__(self, *args: Any, goals: Sequence[ProductGoal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No maxlength in the page: the browser would cut a pasted long title silently; the
        # server refuses it instead and says how long it is.
        self.fields["title"].widget.attrs.pop("maxlength", None)
        goal_field = self.fields["goal"]
        assert isinstance(goal_field, forms.ChoiceField)  # noqa: S101 - declared above
        goal_field.choices = goal_choices(goals)
        active = next((g for g in goals if g.is_active), None)
        if active is not None and not self.is_bound:
            self.initial.setdefault("goal", str(active.pk))


SORT_CHOICES = [
    ("", "Backlog order"),
    ("-rice", "RICE, highest first"),
    ("-wsjf", "WSJF, highest first"),
    ("-estimate", "Estimate, largest first"),
    ("estimate", "Estimate, smallest first"),
    ("-updated", "Recently updated"),
    ("updated", "Least recently updated"),
    ("key", "Key"),
    ("title", "Title, A to Z"),
    ("rice", "RICE, lowest first"),
    ("wsjf", "WSJF, lowest first"),
    ("-key", "Key, newest first"),
    ("-title", "Title, Z to A"),
]
# What the banner of a sorted list says it is sorted by.
SORT_NAMES = {
    "rice": "RICE score",
    "wsjf": "WSJF score",
    "estimate": "estimate",
    "updated": "last update",
    "key": "key",
    "title": "title",
}


class FilterForm(forms.Form):
    """The backlog's filters, as GET parameters (so a filtered view is a link to share)."""

    q = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                **_SMALL,
                "type": "search",
                "placeholder": "Search titles  /",
                "aria-label": "Search titles",
                "id": "bl-q",
                "autocomplete": "off",
            }
        ),
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "All kinds"), *ItemKind.choices],
        widget=forms.Select(attrs={**_SMALL, "aria-label": "Kind"}),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *ItemStatus.choices],
        widget=forms.Select(attrs={**_SMALL, "aria-label": "Status"}),
    )
    label = forms.CharField(
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={**_SMALL, "placeholder": "Label", "aria-label": "Label", "autocomplete": "off"}
        ),
    )
    assignee = forms.ChoiceField(
        required=False, widget=forms.Select(attrs={**_SMALL, "aria-label": "Assignee"})
    )
    goal = forms.ChoiceField(
        required=False, widget=forms.Select(attrs={**_SMALL, "aria-label": "Goal"})
    )
    flagged = forms.ChoiceField(
        required=False,
        choices=[("", "Flagged or not"), ("1", "Flagged only"), ("0", "Not flagged")],
        widget=forms.Select(attrs={**_SMALL, "aria-label": "Flagged"}),
    )
    # Done and won't-do items are out of the way unless asked for (or a status picks them).
    finished = forms.BooleanField(
        required=False, widget=forms.CheckboxInput(attrs={"id": "bl-finished"})
    )
    # A reading order (not a filter, and never the backlog's order): in the address too.
    sort = forms.ChoiceField(
        required=False,
        choices=SORT_CHOICES,
        widget=forms.Select(attrs={**_SMALL, "aria-label": "Sort", "id": "bl-sort"}),
    )

    def __init__(
        self,
        *args: Any,
        goals: Sequence[ProductGoal],
        members: Sequence[Membership],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        goal = self.fields["goal"]
        assert isinstance(assignee, forms.ChoiceField)  # noqa: S101 - declared above
        assert isinstance(goal, forms.ChoiceField)  # noqa: S101 - declared above
        assignee.choices = [
            ("", "Anyone"),
            ("none", "Unassigned"),
            *[(m.user.email, m.user.display_name) for m in members],
        ]
        goal.choices = [("", "Any goal")] + [
            (str(g.pk), g.statement if g.is_active else f"{g.statement} ({g.get_status_display()})")
            for g in sorted(goals, key=lambda g: g.status != GoalStatus.ACTIVE)
        ]

    @property
    def active(self) -> bool:
        """Whether any filter narrows the list (the page then says so)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return any(data.get(name) for name in self.fields if name not in {"finished", "sort"})


class ItemForm(forms.Form):
    """An item's fields. Every field is optional: only the fields a request sends change
    (a property menu sends one, the edit form sends the text fields)."""

    title = forms.CharField(required=False, widget=forms.TextInput(attrs=_INPUT))
    description = forms.CharField(
        required=False,
        help_text="Markdown.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 6}),
    )
    acceptance_criteria = forms.CharField(
        required=False,
        help_text="One criterion per line (Markdown).",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 4}),
    )
    estimate = forms.ChoiceField(required=False, widget=forms.Select(attrs=_SMALL))
    status = forms.ChoiceField(
        required=False, choices=ItemStatus.choices, widget=forms.Select(attrs=_SMALL)
    )
    labels = forms.CharField(
        required=False,
        help_text="Comma separated.",
        widget=forms.TextInput(attrs={**_SMALL, "autocomplete": "off"}),
    )
    assignee = forms.ChoiceField(required=False, widget=forms.Select(attrs=_SMALL))
    goal = forms.ChoiceField(required=False, widget=forms.Select(attrs=_SMALL))
    parent = forms.CharField(
        required=False,
        max_length=24,
        help_text="The key of the item this one breaks down, e.g. ACME-3.",
        widget=forms.TextInput(attrs={**_SMALL, "autocomplete": "off", "spellcheck": "false"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    TEXT_FIELDS = ("title", "description", "acceptance_criteria")

    def __init__(
        self,
        *args: Any,
        scale: Sequence[str],
        goals: Sequence[ProductGoal],
        members: Sequence[Membership],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("estimate", estimate_choices(scale)),
            ("goal", goal_choices(goals)),
            ("assignee", member_choices(members)),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = choices

    def sent(self) -> set[str]:
        """The item fields this request changes (those present in the submitted data)."""
        return {
            name for name in self.fields if name != "version" and self.add_prefix(name) in self.data
        }


def criteria_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def label_names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


class ScoreForm(forms.Form):
    """The inputs of one framework, built from the framework's own input specs.

    Numbers are parsed here only to send numbers; their ranges are the framework's to check.
    """

    def __init__(
        self,
        *args: Any,
        framework: Framework,
        specs: Sequence[InputSpec] | None = None,
        evidence: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.specs = tuple(specs if specs is not None else FRAMEWORK_INPUTS[framework])
        # RICE's reach may come from the item's problems' evidence when a context gives it.
        self.evidence = evidence and framework is Framework.RICE
        if self.evidence:
            self.fields[REACH_FROM_EVIDENCE] = forms.BooleanField(
                required=False,
                label="Reach from the linked problems' evidence",
                help_text="The customers behind this item's problems, each counted once; "
                "the score follows as evidence grows.",
            )
        for spec in self.specs:
            attrs = {**_SMALL, "inputmode": "decimal", "autocomplete": "off"}
            label = f"{spec.label} ({spec.unit})" if spec.unit and spec.unit != "%" else spec.label
            if spec.unit == "%":
                label = f"{spec.label} (%)"
            help_text = spec.allowed_text
            if spec.allowed:
                choices = [("", "Choose")] + [
                    (fmt(v), f"{fmt(v)} {spec.meaning(v)}".strip()) for v in spec.allowed
                ]
                self.fields[spec.name] = forms.ChoiceField(
                    required=False,
                    label=label,
                    choices=choices,
                    widget=forms.Select(attrs=_SMALL),
                    help_text=help_text,
                )
            else:
                self.fields[spec.name] = forms.CharField(
                    required=False,
                    label=label,
                    widget=forms.TextInput(attrs=attrs),
                    help_text=help_text,
                )

    def inputs(self) -> dict[str, object]:
        """The submitted inputs: numbers where they parse, the raw text where they do not
        (so the framework's message says what is wrong), left out where blank."""
        values: dict[str, object] = {}
        derived = self.derived()
        for spec in self.specs:
            if spec.name in derived:
                continue
            raw = str(self.data.get(self.add_prefix(spec.name), "")).strip()
            if not raw:
                continue
            try:
                values[spec.name] = float(raw.replace(",", ""))
            except ValueError:
                values[spec.name] = raw
        return values

    def derived(self) -> list[str]:
        """The inputs the form asks to take from evidence (RICE's reach, when ticked)."""
        if not self.evidence:
            return []
        ticked = str(self.data.get(self.add_prefix(REACH_FROM_EVIDENCE), "")).lower()
        return ["reach"] if ticked in {"on", "true", "1"} else []


class SplitForm(forms.Form):
    children = forms.CharField(
        label="New children, one title per line",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 4}),
    )
    kind = forms.ChoiceField(widget=forms.Select(attrs=_SMALL))

    def __init__(self, *args: Any, parent_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)  # noqa: S101 - declared above
        kind.choices = [
            (value, label)
            for value, label in ItemKind.choices
            if hierarchy.may_contain(parent_kind, value)
        ]
        default = hierarchy.CHILD_KIND.get(parent_kind)
        if default and not self.is_bound:
            self.initial["kind"] = default

    def titles(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["children"].splitlines() if line.strip()]


class ConvertForm(forms.Form):
    kind = forms.ChoiceField(choices=ItemKind.choices, widget=forms.Select(attrs=_SMALL))
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    """Just the version the page showed (delete, restore)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MoveForm(forms.Form):
    """A drop in the list: before or after a neighbour, or to the top or the bottom."""

    before = forms.CharField(required=False, max_length=24)
    after = forms.CharField(required=False, max_length=24)
    position = forms.CharField(required=False, max_length=10)
    version = forms.IntegerField(required=False)


# In the bulk form's menus: leave the field as each item has it, or clear it.
KEEP = ""
CLEAR = "-"


def _menu(label: str, clear: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(KEEP, label), (CLEAR, clear), *choices]


class BulkForm(forms.Form):
    """The backlog's action bar: one change for the selected items (``items``, their keys). A
    menu left on its first entry keeps each item's value; the buttons move or delete."""

    items = forms.CharField(required=False)
    status = forms.ChoiceField(
        required=False,
        choices=[(KEEP, "Set status…"), *ItemStatus.choices],
        widget=forms.Select(attrs={**_SMALL, "aria-label": "Set status", "id": "bulk-status"}),
    )
    assignee = forms.ChoiceField(
        required=False,
        widget=forms.Select(attrs={**_SMALL, "aria-label": "Set assignee", "id": "bulk-assignee"}),
    )
    goal = forms.ChoiceField(
        required=False,
        widget=forms.Select(attrs={**_SMALL, "aria-label": "Set goal", "id": "bulk-goal"}),
    )
    estimate = forms.ChoiceField(
        required=False,
        widget=forms.Select(attrs={**_SMALL, "aria-label": "Set estimate", "id": "bulk-estimate"}),
    )
    add_labels = forms.CharField(
        required=False,
        max_length=400,
        widget=forms.TextInput(
            attrs={
                **_SMALL,
                "placeholder": "Add labels",
                "aria-label": "Add labels (comma separated)",
                "id": "bulk-add-labels",
                "autocomplete": "off",
            }
        ),
    )
    remove_labels = forms.CharField(
        required=False,
        max_length=400,
        widget=forms.TextInput(
            attrs={
                **_SMALL,
                "placeholder": "Remove labels",
                "aria-label": "Remove labels (comma separated)",
                "id": "bulk-remove-labels",
                "autocomplete": "off",
            }
        ),
    )
    position = forms.ChoiceField(
        required=False, choices=[("", ""), ("top", "Top"), ("bottom", "Bottom")]
    )
    delete = forms.BooleanField(required=False)

    def __init__(
        self,
        *args: Any,
        goals: Sequence[ProductGoal],
        members: Sequence[Membership],
        scale: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        menus = {
            "assignee": _menu("Set assignee…", "Nobody", member_choices(members)[1:]),
            "goal": _menu("Set goal…", "No goal", goal_choices(goals)[1:]),
            "estimate": _menu("Set estimate…", "Not estimated", estimate_choices(scale)[1:]),
        }
        for name, choices in menus.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = choices

    def keys(self) -> list[str]:
        """The selected items' keys (the page sends them comma separated, or one per box)."""
        sent = self.data.getlist("items") if hasattr(self.data, "getlist") else []
        return [key for value in sent for key in value.split(",") if key.strip()]
