from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import MembershipRole, OrganisationKind
from .models import Invitation, Organisation, User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form. The account adapter fills them in (fill()) before the account
    is first saved, so signing up writes the account once: a new account is on no public page, and a
    second save would expire the public pages (portal/web/pagecache.py)."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )

    field_order = ["full_name", "email", "password1", "password2"]

    def fill(self, request, user: User) -> None:
        """The name typed and the language the page was in, on the account before it is saved."""
        user.full_name = self.cleaned_data["full_name"]
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        user.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

    def signup(self, request, user: User) -> None:
        """allauth calls this once the account is saved: fill() has put everything on it already."""


def _formfield(model_field: models.Field, **kwargs) -> forms.Field | None:
    # A website typed without a scheme is taken to be https (Django 6's default, chosen now).
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "sme_size", "country", "region", "city", "identifier", "website"]
        formfield_callback = _formfield

    def clean(self):
        cleaned = super().clean()
        self._clean_size_class(cleaned, kind=cleaned.get("kind"))
        return cleaned

    def _clean_size_class(self, cleaned: dict, *, kind: str | None) -> None:
        if kind == OrganisationKind.SUPPLIER:
            if not cleaned.get("sme_size"):
                self.add_error("sme_size", _("Choose the size class of a supplier."))
        elif "sme_size" in cleaned:
            # Only suppliers have a size class (a database constraint says so): one chosen before the kind
            # was changed is dropped here, or the model validation would refuse the form with a cryptic
            # constraint message.
            cleaned["sme_size"] = ""


class OrganisationChangeForm(OrganisationForm):
    """Once created, an organisation keeps its kind: what it has done (challenges, proposals) depends on it.
    Only a supplier's form asks for the size class."""

    class Meta(OrganisationForm.Meta):
        fields = ["name", "sme_size", "country", "region", "city", "identifier", "website"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind != OrganisationKind.SUPPLIER:
            del self.fields["sme_size"]

    def clean(self):
        cleaned = forms.ModelForm.clean(self)
        self._clean_size_class(cleaned, kind=self.instance.kind)
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=Invitation._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class SwitchOrganisationForm(forms.Form):
    organisation = forms.IntegerField(min_value=1)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language"]
