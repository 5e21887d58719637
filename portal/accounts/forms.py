from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .enums import MembershipRole, OrganisationKind
from .models import Organisation, User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls signup() after creating the user)."""

    full_name = forms.CharField(label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))

    field_order = ["full_name", "email", "password1", "password2"]

    def signup(self, request, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"]
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        user.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        user.save(update_fields=["full_name", "language"])


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "sme_size", "country", "region", "city", "identifier", "website"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == OrganisationKind.SUPPLIER and not cleaned.get("sme_size"):
            self.add_error("sme_size", _("Choose the size class of a supplier."))
        return cleaned


class OrganisationChangeForm(OrganisationForm):
    """Once created, an organisation keeps its kind: what it has done (challenges, proposals) depends on it."""

    class Meta(OrganisationForm.Meta):
        fields = ["name", "sme_size", "country", "region", "city", "identifier", "website"]

    def clean(self):
        cleaned = forms.ModelForm.clean(self)
        if self.instance.kind == OrganisationKind.SUPPLIER and not cleaned.get("sme_size"):
            self.add_error("sme_size", _("Choose the size class of a supplier."))
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class SwitchOrganisationForm(forms.Form):
    organisation = forms.IntegerField(min_value=1)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language"]
