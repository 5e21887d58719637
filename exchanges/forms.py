"""Forms of staff exchanges. Dates and times are typed as the host's clock reads them (the event's time
zone) and stored in UTC; the services decide what the event's state allows, and their refusals come back
as field errors."""

import datetime
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.casestudies.models import CaseStudy
from challenges.forms import WallClockDateTimeField, timezone_choices
from challenges.models import Challenge
from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation

from .enums import ExchangeRole, TargetGroup
from .models import AgendaSession, ExchangeEvent, ExchangeProgramme, ReflectionReport, Registration
from .services.events import EVENT_FIELDS, MAX_CAPACITY

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EVENT_TIMES = (
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "cancellation_cutoff",
)


def in_zone(wall_clock: datetime.datetime, zone) -> datetime.datetime | None:
    """The moment a wall-clock time stands for in a zone, or None if the clocks skip it (spring forward)."""
    aware = wall_clock.replace(tzinfo=zone)
    round_trip = aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    return aware.astimezone(datetime.UTC) if round_trip == wall_clock else None


def show_in_zone(initial: dict, names, zone) -> None:
    for name in names:
        value = initial.get(name)
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            initial[name] = value.astimezone(zone).replace(tzinfo=None)


class ExchangeDateTimeField(WallClockDateTimeField):
    """A wall-clock date and time of an exchange, in the years challenges.forms.EARLIEST_YEAR to LATEST_YEAR
    (the field refuses others, with what was typed kept in it)."""


class WallClockMixin:
    """Turns the wall-clock fields named in `wall_clock_fields` into UTC moments in `zone`."""

    wall_clock_fields: tuple[str, ...] = ()

    def convert_wall_clocks(self, cleaned: dict, zone) -> None:
        for name in self.wall_clock_fields:
            value = cleaned.get(name)
            if not isinstance(value, datetime.datetime) or timezone.is_aware(value):
                continue
            moment = in_zone(value, zone)
            if moment is None:
                self.add_error(
                    name, _("The clocks skip this time (summer time starts). Choose another time.")
                )
            else:
                cleaned[name] = moment


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = ExchangeProgramme
        fields = ["name", "slug", "organiser", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = Organisation.objects.filter(kind=OrganisationKind.PROGRAMME)


class EventForm(WallClockMixin, forms.ModelForm):
    timezone = forms.ChoiceField(
        label=_("Time zone of the host"),
        choices=timezone_choices,
        initial="Europe/Oslo",
        help_text=_("All dates and times below are the time on the clock in this time zone."),
    )
    starts_at = ExchangeDateTimeField(label=_("Starts"))
    ends_at = ExchangeDateTimeField(label=_("Ends"))
    registration_opens_at = ExchangeDateTimeField(label=_("Registration opens"), required=False)
    registration_closes_at = ExchangeDateTimeField(label=_("Registration closes"), required=False)
    cancellation_cutoff = ExchangeDateTimeField(
        label=_("Cancellation possible until"),
        required=False,
        help_text=_("After this, participants cannot cancel themselves. Empty: until the exchange starts."),
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The people told when registration opens. None ticked: all procurement and programme staff."
        ),
    )
    wall_clock_fields = EVENT_TIMES

    class Meta:
        model = ExchangeEvent
        fields = list(EVENT_FIELDS)  # what the events service accepts
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = Organisation.objects.filter(kind=OrganisationKind.BUYER)
        self.fields["capacity"].widget.attrs.update({"min": 1, "max": MAX_CAPACITY})
        self.fields["capacity"].help_text = _("At most %(max)s.") % {"max": MAX_CAPACITY}
        if self.instance.pk:
            show_in_zone(self.initial, EVENT_TIMES, self.instance.zone)

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity < 1:
            raise forms.ValidationError(_("An exchange needs at least one place."))
        if capacity > MAX_CAPACITY:
            raise forms.ValidationError(_("An exchange has at most %(max)s places.") % {"max": MAX_CAPACITY})
        return capacity

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("timezone")
        if not zone_name:
            for name in EVENT_TIMES:
                cleaned.pop(name, None)
            return cleaned
        self.convert_wall_clocks(cleaned, zoneinfo.ZoneInfo(zone_name))
        return cleaned

    def _post_clean(self):
        # The service validates and saves; the model's own checks would run on half-converted values.
        pass

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class EventCreateForm(EventForm):
    from_template = forms.BooleanField(
        label=_("Use the BUILD exchange template"),
        required=False,
        initial=True,
        help_text=_(
            "One and a half working days, 09:00 on the day the exchange starts to 12:30 the next working "
            "day: welcome, the host's presentation, a real case, lunch, a site visit and a closing "
            "discussion, with room left for what the pre-exchange survey asks for. Only the date of "
            "“Starts” counts; “Ends” is set for you."
        ),
    )

    field_order = ["from_template"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ends_at"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("from_template") and not cleaned.get("ends_at") and "ends_at" not in self.errors:
            self.add_error("ends_at", _("Give the end, or use the template."))
        return cleaned

    def values(self) -> dict:
        values = super().values()
        if self.cleaned_data.get("from_template") and values.get("starts_at"):
            values["ends_at"] = values["starts_at"] + datetime.timedelta(hours=1)  # replaced by the template
        return values


class RegistrationForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(label=_("I come from"), queryset=Organisation.objects.none())

    class Meta:
        model = Registration
        fields = [
            "organisation",
            "role",
            "dietary",
            "accessibility",
            "arrival",
            "departure",
            "consent_to_list",
        ]
        widgets = {"arrival": DATE_INPUT, "departure": DATE_INPUT}
        help_texts = {
            "role": _("Presenters and case owners share their work; hosts belong to the host organisation."),
            "dietary": _("Allergies, vegetarian, halal …"),
            "accessibility": _("Step-free access, hearing loop, anything that helps you take part."),
            "consent_to_list": _("Other participants see only your name and organisation."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        eligible = [pk for pk, _role, kind in user.organisation_memberships if kind in {"buyer", "programme"}]
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=eligible)
        if len(eligible) == 1 and not self.is_bound:
            self.initial.setdefault("organisation", eligible[0])
        self.fields["role"].choices = ExchangeRole.choices

    def clean(self):
        cleaned = super().clean()
        arrival, departure = cleaned.get("arrival"), cleaned.get("departure")
        if arrival and departure and departure < arrival:
            self.add_error("departure", _("Departure cannot be before arrival."))
        return cleaned

    def _post_clean(self):
        pass

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "organisation"}


class RegistrationDetailsForm(RegistrationForm):
    class Meta(RegistrationForm.Meta):
        fields = ["role", "dietary", "accessibility", "arrival", "departure", "consent_to_list"]

    def __init__(self, *args, user, **kwargs):
        forms.ModelForm.__init__(self, *args, **kwargs)
        self.fields["role"].choices = ExchangeRole.choices

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SessionForm(WallClockMixin, forms.ModelForm):
    starts_at = ExchangeDateTimeField(label=_("Starts"))
    ends_at = ExchangeDateTimeField(label=_("Ends"))
    # The unplaced proposal of the draft agenda this session places, if any (it then leaves the list).
    from_proposal = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    wall_clock_fields = ("starts_at", "ends_at")

    class Meta:
        model = AgendaSession
        fields = [
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "description",
            "speakers",
            "speaker_names",
            "challenges",
            "case_studies",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, event: ExchangeEvent, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["speakers"].queryset = (
            Registration.objects.live().filter(event=event).select_related("user", "organisation")
        )
        self.fields["speakers"].label_from_instance = lambda r: f"{r.user} ({r.organisation})"
        self.fields["speakers"].required = False
        self.fields["challenges"].queryset = Challenge.objects.public().order_by("title")
        self.fields["challenges"].required = False
        self.fields["challenges"].help_text = _("Published challenges the session is about.")
        self.fields["case_studies"].queryset = (
            CaseStudy.objects.published().select_related("owner").order_by("title", "pk")
        )
        self.fields["case_studies"].label_from_instance = lambda case_study: (
            f"{case_study.title} ({case_study.owner.name})"
        )
        self.fields["case_studies"].required = False
        self.fields["case_studies"].help_text = _(
            "Published case studies the session builds on: from challenges or from earlier exchanges."
        )
        if self.instance.pk:
            show_in_zone(self.initial, self.wall_clock_fields, event.zone)
        else:
            first = event.starts_at.astimezone(event.zone).replace(tzinfo=None, second=0, microsecond=0)
            self.initial.setdefault("starts_at", first)
            self.initial.setdefault("ends_at", first + datetime.timedelta(hours=1))

    def clean(self):
        cleaned = super().clean()
        self.convert_wall_clocks(cleaned, self.event.zone)
        return cleaned

    def _post_clean(self):
        pass

    def values(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in ("kind", "title", "description", "starts_at", "ends_at", "place", "speaker_names")
        }


class ReportForm(forms.ModelForm):
    class Meta:
        model = ReflectionReport
        fields = ["summary", "learnings", "quotes", "commitments"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "learnings": forms.Textarea(attrs={"rows": 6}),
            "quotes": forms.Textarea(attrs={"rows": 6}),
            "commitments": forms.Textarea(attrs={"rows": 6}),
        }

    def _post_clean(self):
        pass


class SurveyCreateForm(forms.Form):
    is_anonymous = forms.BooleanField(
        label=_("Anonymous answers"),
        required=False,
        help_text=_(
            "Staff cannot see through the portal who gave which answer; they still see who has answered. "
            "Volunteers in the pre-exchange survey cannot then be suggested as speakers. Someone with "
            "direct access to the database could still match answers to people by the order they were "
            "stored."
        ),
    )


class SurveyAttachForm(forms.Form):
    survey = forms.ModelChoiceField(label=_("Survey"), queryset=None)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = queryset
