from django import forms

from .kinds import optional_kinds


class EmailPreferencesForm(forms.Form):
    """One checkbox per kind of notification that may be switched off."""

    def __init__(self, *args, current: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in optional_kinds():
            self.fields[kind.key] = forms.BooleanField(
                label=kind.label, required=False, initial=current.get(kind.key, True)
            )
