"""The forms of the risk and experiment pages. They check shape only (a date is a date); the
services decide the rest, and their errors land on the fields they name."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from lodestar.discovery.risk_models import (
    ExperimentMethod,
    ExperimentResult,
    ExperimentStatus,
    RiskStatus,
)
from lodestar.strategy.models import Product

_INPUT = {"class": "input"}


class ExperimentForm(forms.Form):
    """Plan an experiment, or change one (with its ``version``)."""

    product = forms.ChoiceField(choices=[], widget=forms.Select(attrs=_INPUT))
    title = forms.CharField(max_length=300, widget=forms.TextInput(attrs=_INPUT))
    hypothesis = forms.CharField(
        required=False,
        help_text="What you believe, so it can be shown wrong: “Admins will pay for SSO”.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 3}),
    )
    method = forms.ChoiceField(choices=ExperimentMethod.choices, widget=forms.Select(attrs=_INPUT))
    success_signal = forms.CharField(
        required=False,
        label="Success signal",
        help_text="What would count as success, decided before it runs: “5 of 8 say yes”.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 2}),
    )
    status = forms.ChoiceField(choices=ExperimentStatus.choices, widget=forms.Select(attrs=_INPUT))
    result = forms.ChoiceField(
        required=False,
        choices=[("", "—"), *ExperimentResult.choices],
        help_text="Only when concluded.",
        widget=forms.Select(attrs=_INPUT),
    )
    result_text = forms.CharField(
        required=False,
        label="What was seen",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 3}),
    )
    started_on = forms.DateField(
        required=False, label="Started", widget=forms.DateInput(attrs={**_INPUT, "type": "date"})
    )
    ended_on = forms.DateField(
        required=False, label="Ended", widget=forms.DateInput(attrs={**_INPUT, "type": "date"})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, products: list[Product] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "experiment_%s")
        super().__init__(*args, **kwargs)
        if products is None:  # editing: the product stays
            del self.fields["product"]
        else:
            cast(forms.ChoiceField, self.fields["product"]).choices = [
                (p.key, f"{p.key} · {p.name}") for p in products
            ]


class ExperimentLinkForm(forms.Form):
    """Link a problem (by id) or a backlog item (by key) to an experiment."""

    problem = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    item = forms.CharField(
        required=False,
        max_length=30,
        label="Item key",
        widget=forms.TextInput(
            attrs={**_INPUT, "placeholder": "ACME-42", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


class RiskForm(forms.Form):
    status = forms.ChoiceField(choices=RiskStatus.choices)
    note = forms.CharField(required=False, max_length=50_000)
    experiment = forms.IntegerField(required=False, min_value=1)
    version = forms.IntegerField(required=False, min_value=0)
