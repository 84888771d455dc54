"""The decision pages' forms. They check shape only (a date is a date); the services decide
the rest, and their errors land on the fields they name."""

from __future__ import annotations

from typing import Any

from django import forms

from lodestar.core.errors import Invalid

_INPUT = {"class": "input"}
STATUSES = [("proposed", "Proposed: still open"), ("decided", "Decided")]
OPTION_ROWS = 3


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class DecisionForm(forms.Form):
    """A decision's words, its status at birth, who decided and when, and its options (as
    rows ``option-N-title``, ``-pros``, ``-cons``, with ``chosen`` naming the one taken)."""

    title = forms.CharField(
        max_length=400, widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off"})
    )
    # Only asked when recording (a decision's status then changes by deciding or superseding).
    status = forms.ChoiceField(
        required=False,
        choices=STATUSES,
        initial="proposed",
        widget=forms.Select(attrs={"class": "input"}),
    )
    context = forms.CharField(
        required=False,
        label="Context",
        help_text="The situation and the forces at play. Markdown.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 4}),
    )
    decision = forms.CharField(
        required=False,
        label="The decision",
        help_text="What was (or is proposed to be) decided. Markdown.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 3}),
    )
    rationale = forms.CharField(
        required=False,
        label="Rationale",
        help_text="Why this option over the others. Markdown.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 3}),
    )
    deciders = forms.CharField(
        required=False,
        label="Who decided",
        help_text="Email addresses, separated by commas (default: you). Decided only.",
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off"}),
    )
    decided_at = forms.DateField(
        required=False,
        label="Decided on",
        help_text="Default: today. Decided only.",
        widget=forms.DateInput(attrs={**_INPUT, "type": "date"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, option_rows: int = OPTION_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_rows = option_rows
        self.option_errors: dict[int, list[str]] = {}

    def clean_status(self) -> str:
        return self.cleaned_data["status"] or "proposed"

    def clean_context(self) -> str:
        return _lines(self.cleaned_data["context"])

    def clean_decision(self) -> str:
        return _lines(self.cleaned_data["decision"])

    def clean_rationale(self) -> str:
        return _lines(self.cleaned_data["rationale"])

    def emails(self) -> list[str] | None:
        text = self.cleaned_data.get("deciders") or ""
        found = [part.strip() for part in text.split(",") if part.strip()]
        return found or None

    def options(self) -> list[dict[str, Any]]:
        """The option rows with a title or words, in order (empty rows are left out)."""
        data = self.data
        chosen = str(data.get("chosen", ""))
        rows: list[dict[str, Any]] = []
        for index in range(self.option_rows + 10):
            title = str(data.get(f"option-{index}-title", "")).strip()
            pros = _lines(str(data.get(f"option-{index}-pros", ""))).strip()
            cons = _lines(str(data.get(f"option-{index}-cons", ""))).strip()
            if title or pros or cons:
                rows.append(
                    {"title": title, "pros": pros, "cons": cons, "chosen": chosen == str(index)}
                )
        return rows

    def option_rows_shown(self, initial: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows the page shows: what was sent (or the decision's), then empty ones."""
        rows = self.options() if self.is_bound else list(initial)
        rows += [{"title": "", "pros": "", "cons": "", "chosen": False}] * max(
            1, self.option_rows - len(rows)
        )
        return [
            {**row, "index": index, "errors": self.option_errors.get(index, [])}
            for index, row in enumerate(rows)
        ]

    def apply(self, error: Invalid) -> None:
        """A service's field errors on the fields they name (``options[1].title`` on its row,
        ``deciders[0]`` on the deciders)."""
        if not error.errors:
            self.add_error(None, error.detail)
            return
        for field_error in error.errors:
            message = field_error.message[:1].upper() + field_error.message[1:]
            message = message.rstrip(".") + "."
            name = field_error.field.split("[")[0].split(".")[0]
            if name == "options" and "[" in field_error.field:
                index = int(field_error.field.split("[")[1].split("]")[0])
                part = field_error.field.rsplit(".", 1)[-1]
                self.option_errors.setdefault(index, []).append(f"{part.title()}: {message}")
                self.add_error(None, f"Option {index + 1}: {field_error.message}.")
            elif name in self.fields and name != "status":  # status is not on the edit form
                self.add_error(name, message)
            else:
                self.add_error(None, message)


class CaptureForm(forms.Form):
    """Record a decision from an object's page: a title, the decision, proposed or decided."""

    target = forms.CharField(max_length=300, widget=forms.HiddenInput)
    product = forms.CharField(required=False, max_length=20)
    title = forms.CharField(max_length=400, widget=forms.TextInput(attrs=_INPUT))
    decision = forms.CharField(
        required=False, label="The decision", widget=forms.Textarea(attrs={**_INPUT, "rows": 2})
    )
    status = forms.ChoiceField(
        choices=STATUSES, initial="decided", widget=forms.Select(attrs={"class": "input"})
    )
