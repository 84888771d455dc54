"""The discovery pages' forms. They check shape only (a date is a date, a number a number);
the services decide the rest, and their errors land on the fields they name."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from lodestar.discovery.models import FeedbackSource, Problem, ProblemStatus
from lodestar.people.models import Membership
from lodestar.strategy.models import Product

_INPUT = {"class": "input"}


def one_line_breaks(text: str) -> str:
    """Text with every line break as ``\\n``: browsers send a textarea's lines ending in CR LF,
    and a page shows any CR as LF, so offsets into the text agree with what is shown."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_list(text: str) -> list[str]:
    """A comma-separated list (tags, addresses), each item trimmed, empty ones dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


class FeedbackForm(forms.Form):
    """Capture feedback: pasted notes, who said it, where and when it was heard."""

    text = forms.CharField(
        label="What they said",
        help_text="Paste their words or your interview notes as they are. Markdown is kept.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 10, "spellcheck": "true"}),
    )
    customer = forms.CharField(
        required=False,
        max_length=200,
        help_text="Pick a customer or type a new company's name.",
        widget=forms.TextInput(attrs={**_INPUT, "list": "customer-options", "autocomplete": "off"}),
    )
    new_customer = forms.BooleanField(
        required=False, label="Create it as a new customer if there is none by that name"
    )
    contact = forms.CharField(
        required=False,
        max_length=254,
        help_text="Their email address; a new one is added to the customer's contacts.",
        widget=forms.EmailInput(attrs={**_INPUT, "autocomplete": "off"}),
    )
    source = forms.ChoiceField(
        choices=FeedbackSource.choices,
        initial=FeedbackSource.INTERVIEW,
        widget=forms.Select(attrs=_INPUT),
    )
    received_at = forms.DateField(
        label="Heard on",
        widget=forms.DateInput(attrs={**_INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
    tags = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Separated by commas, such as: export, onboarding.",
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off"}),
    )
    product = forms.ChoiceField(choices=[], required=False, widget=forms.Select(attrs=_INPUT))
    notes = forms.CharField(
        required=False,
        label="Interviewer's notes",
        help_text="Interviews: what you noticed, apart from their words.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 3}),
    )
    participants = forms.CharField(
        required=False,
        max_length=2000,
        help_text="Interviews: the email addresses of who took part (members or contacts).",
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, products: list[Product], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("received_at", timezone.localdate())
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["product"])
        field.choices = [("", "No product in particular")] + [
            (p.key, f"{p.key} · {p.name}") for p in products
        ]

    def clean_text(self) -> str:
        return one_line_breaks(self.cleaned_data["text"])

    def clean_notes(self) -> str:
        return one_line_breaks(self.cleaned_data["notes"])

    def clean_received_at(self) -> dt.date | dt.datetime:
        """A day; today is now (noon today may still be ahead)."""
        day: dt.date = self.cleaned_data["received_at"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError("Must not be in the future.")
        return timezone.now() if day == today else day


class InsightForm(forms.Form):
    """An insight from a span of the feedback, on an existing problem or a new one."""

    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    problem = forms.CharField(
        required=False,
        max_length=300,
        label="An existing problem",
        widget=forms.TextInput(attrs={**_INPUT, "list": "problem-options", "autocomplete": "off"}),
    )
    new_problem = forms.CharField(
        required=False,
        max_length=300,
        label="Or a new problem",
        help_text="In the customer's words, such as: exporting a report takes too long.",
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("problem", "").strip() and not data.get("new_problem", "").strip():
            self.add_error("problem", "Pick a problem, or give a new problem's title.")
        return data


class LinkProblemForm(forms.Form):
    """Link a whole piece of feedback to a problem (an insight quoting it)."""

    problem = forms.CharField(
        max_length=300,
        label="Problem",
        widget=forms.TextInput(attrs={**_INPUT, "list": "problem-options", "autocomplete": "off"}),
    )


def problem_label(problem: Problem) -> str:
    """How a problem is offered in a picker; ``#id`` at the end identifies it."""
    return f"{problem.title} #{problem.pk}"


class ProblemForm(forms.Form):
    title = forms.CharField(
        max_length=300,
        help_text="In the customer's words: what gets in their way, not the feature to build.",
        widget=forms.TextInput(attrs=_INPUT),
    )
    description = forms.CharField(
        required=False,
        help_text="Markdown: who has it, when, what it costs them.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 4}),
    )


def _owner_choices(members: list[Membership]) -> list[tuple[str, str]]:
    return [("", "Nobody")] + [
        (m.user.email, f"{m.user.display_name} · {m.job_title or m.get_role_display()}")
        for m in members
    ]


class ProblemEditForm(forms.Form):
    title = forms.CharField(max_length=300, widget=forms.TextInput(attrs=_INPUT))
    status = forms.ChoiceField(choices=ProblemStatus.choices, widget=forms.Select(attrs=_INPUT))
    owner = forms.ChoiceField(choices=[], required=False, widget=forms.Select(attrs=_INPUT))
    description = forms.CharField(
        required=False,
        help_text="Markdown.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 5}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "problem_%s")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = _owner_choices(members)


class ItemLinkForm(forms.Form):
    item = forms.CharField(
        max_length=30,
        label="Item key",
        widget=forms.TextInput(
            attrs={**_INPUT, "placeholder": "ACME-42", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


class CustomerForm(forms.Form):
    name = forms.CharField(max_length=300, widget=forms.TextInput(attrs=_INPUT))
    segment = forms.CharField(
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**_INPUT, "list": "segment-options", "autocomplete": "off"}),
    )
    plan = forms.CharField(required=False, max_length=100, widget=forms.TextInput(attrs=_INPUT))
    arr = forms.CharField(
        required=False,
        max_length=40,
        label="ARR",
        widget=forms.TextInput(attrs={**_INPUT, "inputmode": "decimal", "autocomplete": "off"}),
    )
    external_id = forms.CharField(
        required=False,
        max_length=200,
        label="External id",
        help_text="The customer's key in your CRM, if any.",
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off"}),
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={**_INPUT, "rows": 3}))

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["arr"].help_text = f"Annual recurring revenue in {currency}, such as 12000."


class CustomerEditForm(CustomerForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "edit_%s")
        super().__init__(*args, **kwargs)


class ContactForm(forms.Form):
    name = forms.CharField(required=False, max_length=300, widget=forms.TextInput(attrs=_INPUT))
    email = forms.CharField(required=False, max_length=300, widget=forms.EmailInput(attrs=_INPUT))
    title = forms.CharField(
        required=False,
        max_length=200,
        label="Job title",
        widget=forms.TextInput(attrs=_INPUT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "contact_%s")
        super().__init__(*args, **kwargs)


class MergeForm(forms.Form):
    target = forms.CharField(
        max_length=200,
        label="Merge into",
        help_text="The customer that keeps everything; this one goes to the trash.",
        widget=forms.TextInput(attrs={**_INPUT, "list": "merge-options", "autocomplete": "off"}),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "merge_%s")
        super().__init__(*args, **kwargs)
