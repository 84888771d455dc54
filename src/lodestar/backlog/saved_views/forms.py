"""The form that names a saved view on the backlog page (the filters come from the page's
filter form; the service checks everything)."""

from __future__ import annotations

from django import forms


class SavedViewForm(forms.Form):
    # No maxlength in the page: the browser would cut a pasted long name silently; the server
    # refuses it and says how long it may be.
    name = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"class": "input", "autocomplete": "off"}),
    )
    shared = forms.BooleanField(required=False)
