"""The import page's form: the source, the product, a team, the file and the reader's options
(the status mapping comes as repeated ``status_map`` fields, ``Raw=status``)."""

from __future__ import annotations

from typing import Any

from django import forms

from lodestar.people.models import Team
from lodestar.strategy.models import Product

SOURCE_CHOICES = [
    ("jira", "Jira (CSV with all fields, or XML)"),
    ("taiga", "Taiga (project export, JSON)"),
    ("trello", "Trello (board JSON)"),
    ("github", "GitHub Issues (JSON)"),
    ("linear", "Linear (CSV)"),
]


def _input(**attrs: str) -> dict[str, str]:
    return {"class": "input", **attrs}


class ImportForm(forms.Form):
    source = forms.ChoiceField(choices=SOURCE_CHOICES, widget=forms.Select(attrs=_input()))
    product = forms.ChoiceField(widget=forms.Select(attrs=_input()))
    team = forms.ChoiceField(
        required=False,
        widget=forms.Select(attrs=_input()),
        help_text="Its sprints are imported too: closed ones with their dates, and the active one.",
    )
    file = forms.FileField(
        error_messages={"required": "Choose the file your tool exported."},
        widget=forms.ClearableFileInput(attrs=_input()),
    )
    date_format = forms.CharField(
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs=_input(placeholder="detected, e.g. dd/MMM/yy h:mm a")),
    )
    points_field = forms.CharField(
        required=False,
        max_length=100,
        label="Story points column",
        widget=forms.TextInput(attrs=_input(placeholder="detected")),
    )
    timezone = forms.CharField(
        required=False,
        max_length=64,
        label="Time zone of the dates",
        widget=forms.TextInput(attrs=_input(placeholder="UTC, e.g. Europe/Paris")),
    )
    invite = forms.BooleanField(
        required=False,
        label="Email invitations to people who are not members yet",
    )

    def __init__(
        self, *args: Any, products: list[Product], teams: list[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.products = {product.key: product for product in products}
        self.teams = {team.slug: team for team in teams}
        product_field, team_field = self.fields["product"], self.fields["team"]
        assert isinstance(product_field, forms.ChoiceField)  # noqa: S101 - declared above
        assert isinstance(team_field, forms.ChoiceField)  # noqa: S101
        product_field.choices = [(p.key, f"{p.key} · {p.name}") for p in products]
        team_field.choices = [("", "No team (sprints are skipped)")] + [
            (team.slug, team.name) for team in teams
        ]
