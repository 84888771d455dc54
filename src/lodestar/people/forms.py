"""Forms of the people pages. They check shape; the services decide and validate for real."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import validate_password

from lodestar.people.models import Membership, Role, TeamRole, User
from lodestar.people.policy import addable_hats

_INPUT = {"class": "input"}

JOB_TITLE_DATALIST = "job-title-suggestions"


class SignInForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(
            attrs={**_INPUT, "autocomplete": "username", "autofocus": True, "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "current-password"}),
    )


class StyledPasswordChangeForm(PasswordChangeForm):
    """Django's password change (checks the old password and the password rules)."""

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        autocomplete = {
            "old_password": "current-password",
            "new_password1": "new-password",
            "new_password2": "new-password",
        }
        for name, field in self.fields.items():
            field.widget.attrs.update({**_INPUT, "autocomplete": autocomplete[name]})
            field.widget.attrs.pop("autofocus", None)
        self.fields["old_password"].widget.attrs["autofocus"] = True


class NewAccountForm(forms.Form):
    """The account a newly invited person creates; the email is the invited one."""

    full_name = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "name", "autofocus": True}),
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password.",
    )
    password_again = forms.CharField(
        strip=False,
        label="Repeat the password",
        widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password and data.get("password_again") != password:
            self.add_error("password_again", "The two passwords differ.")
        elif password:
            probe = User(email=self.email, full_name=data.get("full_name", ""))
            try:
                validate_password(password, user=probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def role_choices(roles: Sequence[Role]) -> list[tuple[str, str]]:
    """Choices of ``roles`` (``policy.offered_roles`` decides which the actor sees)."""
    return [(role.value, role.label) for role in roles]


class InviteForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(
            attrs={**_INPUT, "placeholder": "name@company.com", "spellcheck": "false"}
        ),
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    job_title = forms.CharField(
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={**_INPUT, "list": JOB_TITLE_DATALIST, "placeholder": "e.g. Product Manager"}
        ),
    )

    def __init__(self, *args: Any, roles: Sequence[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = _choice(self, "role")
        role.choices = role_choices(roles)
        role.widget.attrs.update(_INPUT)


class MemberForm(forms.Form):
    """A member's workspace role and job title, as an admin edits them in the members table."""

    role = forms.ChoiceField(choices=Role.choices)
    job_title = forms.CharField(
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={**_INPUT, "list": JOB_TITLE_DATALIST}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args: Any, member: Membership, roles: Sequence[Role], **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "initial",
            {"role": member.role, "job_title": member.job_title, "version": member.version},
        )
        super().__init__(*args, **kwargs)
        self.member = member
        role = _choice(self, "role")
        role.choices = role_choices(roles)
        for name in ("role", "job_title"):
            self.fields[name].widget.attrs.update({**_INPUT, "class": "input input-sm"})
            self.fields[name].widget.attrs["aria-label"] = (
                f"{self.fields[name].label} of {member.user.display_name}"
            )


class HandleForm(forms.Form):
    """A member's own handle (``@quinn``); the service checks the rule and that it is free."""

    handle = forms.CharField(
        max_length=64, widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class TeamForm(forms.Form):
    name = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={**_INPUT, "placeholder": "e.g. Checkout"})
    )
    description = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.TextInput(
            attrs={**_INPUT, "placeholder": "What the team works on (optional)"}
        ),
    )


HAT_CHOICES = [(hat.value, hat.label) for hat in addable_hats()]


class HatForm(forms.Form):
    """Give a member a hat in a team (the product owner hat moves with ``ProductOwnerForm``)."""

    member = forms.ChoiceField(choices=[])
    role = forms.ChoiceField(choices=HAT_CHOICES, initial=TeamRole.DEVELOPER)

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "hat_%s")
        super().__init__(*args, **kwargs)
        member = _choice(self, "member")
        member.choices = [("", "Choose a member…")] + [
            (m.user.email, f"{m.user.display_name} ({m.job_title or m.get_role_display()})")
            for m in members
        ]
        for field in self.fields.values():
            field.widget.attrs.update(_INPUT)


class WorkspaceSettingsForm(forms.Form):
    """The workspace's settings page; ``version`` is the one the page showed."""

    allow_external_images = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2_147_483_647)


class PasswordResetRequestForm(forms.Form):
    """The address to send a reset link to (its shape only: the answer never says more)."""

    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(
            attrs={**_INPUT, "autocomplete": "email", "autofocus": True, "spellcheck": "false"}
        ),
    )


class NewPasswordForm(forms.Form):
    """A new password, typed twice; the password rules are checked by the service."""

    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(
            attrs={**_INPUT, "autocomplete": "new-password", "autofocus": True}
        ),
        help_text="At least 10 characters; not a common password.",
    )
    password_again = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password and data.get("password_again") != password:
            self.add_error("password_again", "The two passwords differ.")
        return data


class EmailChangeForm(forms.Form):
    """A new email address, with the current password as proof."""

    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={**_INPUT, "autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "current-password"}),
    )


# How long a new token may last, as the page offers it ("" is no end).
TOKEN_LIVES = [
    ("7", "7 days"),
    ("30", "30 days"),
    ("90", "90 days"),
    ("366", "A year"),
    ("", "No end"),
]


class TokenForm(forms.Form):
    """The name of a new API token (what it is for) and how long it works."""

    name = forms.CharField(
        max_length=100,
        widget=forms.TextInput(attrs={**_INPUT, "placeholder": "e.g. Roadmap script"}),
    )
    expires_in_days = forms.TypedChoiceField(
        choices=TOKEN_LIVES,
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
        label="Works for",
        help_text="After that it stops working by itself. A token with no end works until revoked.",
        widget=forms.Select(attrs=_INPUT),
    )
