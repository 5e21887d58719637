"""Forms of the consortium pages. They check what was typed; the services decide what the proposal's
state, the clock and the one-bid rule allow, and their refusals come back as form errors."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Organisation

from .models import PERCENT, Proposal

ROLE_HELP = _("What the partner does in the project, e.g. “hardware and installation”.")


class _PartnerTermsForm(forms.Form):
    role = forms.CharField(label=_("Role in the consortium"), max_length=200, help_text=ROLE_HELP)
    work_share = forms.DecimalField(
        label=_("Share of the work (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        validators=PERCENT,
    )
    message = forms.CharField(
        label=_("Message to the partner"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Sent with the invitation."),
    )

    def clean_role(self):
        role = self.cleaned_data["role"].strip()
        if not role:
            raise forms.ValidationError(_("State the partner's role in the consortium."))
        return role


class PartnerOrganisationInviteForm(_PartnerTermsForm):
    """Invite one of the organisations a name search found (the page shows them as choices)."""

    q = forms.CharField(widget=forms.HiddenInput, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the organisations found.")},
    )

    field_order = ["q", "organisation", "role", "work_share", "message"]

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        # Two invitation forms share the page: their ids must not clash.
        kwargs.setdefault("auto_id", "id_org_%s")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
        self.fields["organisation"].choices = [
            (
                organisation.pk,
                ", ".join(
                    part for part in (organisation.name, organisation.city, organisation.country.name) if part
                ),
            )
            for organisation in organisations
        ]
        if len(organisations) == 1:  # one match: chosen already, one click fewer
            self.fields["organisation"].initial = organisations[0].pk


class PartnerEmailInviteForm(_PartnerTermsForm):
    """Invite someone by address: for a partner with no account yet."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_(
            "We send a link; they sign in or create an account and choose the organisation that joins."
        ),
    )

    field_order = ["email", "role", "work_share", "message"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_email_%s")
        super().__init__(*args, **kwargs)


class LeadShareForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["lead_role", "lead_share"]
        help_texts = {"lead_role": _("What your organisation does in the project.")}


class TokenResponseForm(forms.Form):
    """Answer an invitation sent to an address: choose which of your supplier organisations joins."""

    ACCEPT, DECLINE = "accept", "decline"

    organisation = forms.TypedChoiceField(label=_("Join as"), coerce=int, required=False)
    decision = forms.ChoiceField(choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))])

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.pk: organisation for organisation in organisations}
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        self.fields["organisation"].widget = forms.RadioSelect(choices=self.fields["organisation"].choices)
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.ACCEPT and not cleaned.get("organisation"):
            self.add_error("organisation", _("Choose the organisation that joins the consortium."))
        return cleaned

    @property
    def chosen_organisation(self) -> Organisation | None:
        return self.organisations.get(self.cleaned_data.get("organisation"))


class InvitationResponseForm(forms.Form):
    ACCEPT, DECLINE = "accept", "decline"

    decision = forms.ChoiceField(choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))])
