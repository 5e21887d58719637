"""Forms of the statement editor, one per step. They validate what a person typed and say what is wrong
at the field; the services in challenges/services/authoring.py do the writing."""

import datetime
import json
import re
import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .enums import StatementLanguage
from .models import Challenge, ChallengeDocument, CPVCode, Criterion, Outcome, Theme, known_zone
from .uploads import ALLOWED_DESCRIPTION, check_document, max_document_bytes

MAX_CPV_CODES = 20
_CPV_PATTERN = re.compile(r"^(\d{8})(?:-\d)?$")
_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def cpv_picker_attrs(
    initial_codes: list[CPVCode], *, placeholder: str = _("Search by number or words, e.g. “home care”")
) -> dict[str, str]:
    """The data attributes of the CPV picker (static/js/challenges/cpv-picker.js): the chosen codes'
    labels and the picker's texts. Without the script, the field takes typed codes."""
    return {
        "data-cpv-picker": "",
        "data-cpv-search-url": reverse("challenges:cpv-search"),
        "data-cpv-labels": json.dumps({code.code: code.label for code in initial_codes}),
        "data-cpv-text-placeholder": placeholder,
        "data-cpv-text-selected": _("Chosen CPV codes"),
        "data-cpv-text-remove": _("Remove {code}"),
        "data-cpv-text-removed": _("{code} removed."),
        "data-cpv-text-added": _("{code} added."),
        "data-cpv-text-results": _("{count} codes found. Use the up and down arrows to choose."),
        "data-cpv-text-none": _("No CPV code matches."),
        "data-cpv-text-more": _("Show more codes"),
        "data-cpv-text-error": _("The search is not available just now; type the codes instead."),
        "autocomplete": "off",
    }


def _textarea(rows: int = 5, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


def _coach_attrs(form: forms.BaseForm, names: list[str], *, language: str, prefix: str = "") -> None:
    """Mark fields for the needs-not-solutions coach (static/js/challenges/coach.js)."""
    for name in names:
        form.fields[name].widget.attrs.update(
            {"data-coach": f"{prefix}{name}", "data-coach-language": language}
        )


# Step 1: the problem


class ProblemForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["title", "summary", "current_situation", "affected", "why_now", "language"]
        widgets = {
            "summary": _textarea(3),
            "current_situation": _textarea(),
            "affected": _textarea(),
            "why_now": _textarea(4),
        }
        help_texts = {
            "title": _(
                "Name the problem, not a solution: “Fewer lonely older residents”, not “A social app”."
            ),
            "summary": _("Two or three sentences a supplier reads first."),
            "current_situation": _("What happens today, with numbers where you have them."),
            "affected": _("The people who live with the problem, and how it touches them."),
            "why_now": _("What makes this worth solving now."),
            "language": _("The language the statement is written in."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The coach follows the language chosen in this form, as it changes.
        _coach_attrs(
            self,
            ["title", "summary", "current_situation", "affected", "why_now"],
            language=f"#{self['language'].auto_id}",
        )


# Step 3: constraints


class ConstraintsForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["constraints", "out_of_scope"]
        widgets = {"constraints": _textarea(8), "out_of_scope": _textarea(4)}
        help_texts = {"out_of_scope": _("What proposals need not, or must not, cover.")}


# Step 4: practicalities


class CPVCodesField(forms.CharField):
    """CPV codes typed as text, separated by commas or spaces ("72000000, 48000000-8"); cleans to the list
    of CPVCode objects, in the order typed, and names any code that does not exist."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 1000)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(item.code if isinstance(item, CPVCode) else str(item) for item in value)
        return value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list | tuple):
            return [item.code if isinstance(item, CPVCode) else str(item) for item in value]
        text = super().to_python(value)
        codes, malformed = [], []
        for token in re.split(r"[\s,;]+", text):
            if not token:
                continue
            match = _CPV_PATTERN.match(token)
            if match is None:
                malformed.append(token)
            elif match.group(1) not in codes:
                codes.append(match.group(1))
        if malformed:
            raise ValidationError(
                ngettext(
                    "%(values)s is not a CPV code: a CPV code has 8 digits, for example 72000000.",
                    "%(values)s are not CPV codes: a CPV code has 8 digits, for example 72000000.",
                    len(malformed),
                )
                % {"values": ", ".join(f"“{token[:20]}”" for token in malformed[:5])},
                code="malformed",
            )
        return codes

    def validate(self, value: list[str]) -> None:
        if len(value) > MAX_CPV_CODES:
            raise ValidationError(
                _("Choose at most %(limit)s CPV codes.") % {"limit": MAX_CPV_CODES}, code="too_many"
            )
        if not value and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def clean(self, value) -> list[CPVCode]:
        codes = super().clean(value)
        found = {code.code: code for code in CPVCode.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(
                ngettext(
                    "Unknown CPV code: %(codes)s. Check the number, or search for the right code.",
                    "Unknown CPV codes: %(codes)s. Check the numbers, or search for the right codes.",
                    len(unknown),
                )
                % {"codes": ", ".join(unknown)},
                code="unknown",
            )
        return [found[code] for code in codes]

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(initial or []) != self.to_python(data)
        except ValidationError:
            return True


# The years a date and time typed into a form may fall in: a year like 9999 or 0001 is a typo, and would
# overflow (a 500) when moved between time zones, as every deadline is (into UTC).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def within_years(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is not None and not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValidationError(
            _("Give a date between the years %(first)s and %(last)s."),
            code="out_of_range",
            params={"first": EARLIEST_YEAR, "last": LATEST_YEAR},
        )
    return moment


class DeadlineField(forms.DateTimeField):
    """A date and time in the current time zone (the challenge's, with timezone.override), in the years
    EARLIEST_YEAR to LATEST_YEAR; refused at the field otherwise, with what was typed kept in it."""

    def to_python(self, value) -> datetime.datetime | None:
        return within_years(super().to_python(value))


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as read on a clock, without a time zone: the form puts it in the time zone the
    person chose (not the server's or the browser's). In the years EARLIEST_YEAR to LATEST_YEAR."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME_FORMAT)

    def prepare_value(self, value):
        return value

    def to_python(self, value) -> datetime.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=None)
        try:
            result = parse_datetime(str(value).strip())
        except ValueError:
            result = None
        if result is None:
            result = super().to_python(value)  # the configured input formats, or a field error
        if result is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return within_years(result.replace(tzinfo=None))


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def _in_zone(wall_clock: datetime.datetime, zone: zoneinfo.ZoneInfo) -> datetime.datetime | None:
    """The moment a wall-clock time stands for in a zone, or None if the clocks skip it (spring forward)."""
    aware = wall_clock.replace(tzinfo=zone)
    round_trip = aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    return aware.astimezone(datetime.UTC) if round_trip == wall_clock else None


class PracticalitiesForm(forms.ModelForm):
    deadline_timezone = forms.ChoiceField(
        label=_("Time zone of the deadlines"),
        choices=timezone_choices,
        help_text=_("The deadlines below are the time on the clock in this time zone."),
    )
    questions_deadline = WallClockDateTimeField(label=_("Deadline for questions"), required=False)
    submission_deadline = WallClockDateTimeField(label=_("Deadline for proposals"), required=False)
    cpv_codes = CPVCodesField(
        label=_("CPV codes"),
        help_text=_(
            "The Common Procurement Vocabulary codes of what you buy, separated by commas "
            "(for example 85300000, 72000000)."
        ),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Challenge
        fields = [
            "budget_min",
            "budget_max",
            "currency",
            "deadline_timezone",
            "questions_deadline",
            "submission_deadline",
            "decision_date",
            "pilot_start",
            "pilot_end",
            "route",
            "cpv_codes",
            "themes",
            "contact_name",
            "contact_email",
            "is_innovative",
        ]
        widgets = {
            "decision_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "pilot_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "pilot_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("budget_min", "budget_max"):
            self.fields[name].validators.append(_not_negative)
            self.fields[name].widget.attrs["min"] = 0
        # Stored in UTC; shown as the clock reads in the challenge's own time zone.
        zone = known_zone(self.initial.get("deadline_timezone"))
        for name in ("questions_deadline", "submission_deadline"):
            value = self.initial.get(name)
            if isinstance(value, datetime.datetime) and timezone.is_aware(value):
                self.initial[name] = value.astimezone(zone).replace(tzinfo=None)
        initial_codes = [code for code in self.initial.get("cpv_codes") or [] if isinstance(code, CPVCode)]
        self.fields["cpv_codes"].widget.attrs.update(cpv_picker_attrs(initial_codes))

    def clean(self):
        cleaned = super().clean()
        budget_min, budget_max = cleaned.get("budget_min"), cleaned.get("budget_max")
        if budget_min is not None and budget_max is not None and budget_min > budget_max:
            self.add_error(
                "budget_min",
                _("The lowest budget is above the highest budget (%(max)s).") % {"max": budget_max},
            )
        self._clean_deadlines(cleaned)
        pilot_start, pilot_end = cleaned.get("pilot_start"), cleaned.get("pilot_end")
        if pilot_start and pilot_end and pilot_end < pilot_start:
            self.add_error("pilot_end", _("The pilot cannot end before it starts."))
        return cleaned

    def _clean_deadlines(self, cleaned: dict) -> None:
        zone_name = cleaned.get("deadline_timezone")
        if not zone_name:
            # The time zone is wrong, so the deadlines cannot be read; keep them out of the save.
            cleaned.pop("questions_deadline", None)
            cleaned.pop("submission_deadline", None)
            return
        zone = zoneinfo.ZoneInfo(zone_name)
        now = timezone.now()
        for name in ("questions_deadline", "submission_deadline"):
            wall_clock = cleaned.get(name)
            if wall_clock is None:
                continue
            moment = _in_zone(wall_clock, zone)
            if moment is None:
                self.add_error(
                    name,
                    _("The clocks skip this time in %(zone)s (summer time starts). Choose another time.")
                    % {"zone": zone_name},
                )
            elif moment <= now:
                self.add_error(name, _("This deadline has already passed. Choose a date in the future."))
            else:
                cleaned[name] = moment
        questions, submission = cleaned.get("questions_deadline"), cleaned.get("submission_deadline")
        if (
            isinstance(questions, datetime.datetime)
            and isinstance(submission, datetime.datetime)
            and timezone.is_aware(questions)
            and timezone.is_aware(submission)
            and questions > submission
        ):
            self.add_error(
                "questions_deadline",
                _("The deadline for questions must be before the deadline for proposals."),
            )
        decision = cleaned.get("decision_date")
        if (
            decision
            and isinstance(submission, datetime.datetime)
            and timezone.is_aware(submission)
            and decision < submission.astimezone(zone).date()
        ):
            self.add_error("decision_date", _("The decision cannot come before the deadline for proposals."))


def _not_negative(value) -> None:
    if value is not None and value < 0:
        raise ValidationError(_("A budget cannot be negative."), code="negative")


# Steps 2 and 5: outcomes and criteria, as formsets of rows


class _RowForm(forms.ModelForm):
    # The row's primary key, for rows that already exist; checked against the challenge's own rows.
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OutcomeForm(_RowForm):
    class Meta:
        model = Outcome
        fields = ["description", "indicator", "baseline", "target"]
        widgets = {"description": _textarea(3)}
        help_texts = {
            "description": _("What should be different for the people affected."),
            "indicator": _("How you will measure it."),
            "baseline": _("Where the indicator stands today."),
            "target": _("Where it should be, and by when."),
        }

    def __init__(self, *args, language: str = StatementLanguage.EN, **kwargs):
        super().__init__(*args, **kwargs)
        # A draft may lack an indicator or a target for now; the review step lists what is missing.
        self.fields["indicator"].required = False
        self.fields["target"].required = False
        _coach_attrs(self, ["description", "indicator", "target"], language=language, prefix="outcome_")


class CriterionForm(_RowForm):
    weight = forms.IntegerField(
        label=_("Weight (points out of 100)"), min_value=1, max_value=100, widget=forms.NumberInput
    )

    class Meta:
        model = Criterion
        fields = ["name", "description", "weight"]
        widgets = {"description": _textarea(3)}


class RowFormSet(forms.BaseFormSet):
    """Rows of one object (a challenge's outcomes or criteria, a supplier's references): add with the empty
    row, remove with the tick box, reorder with the position numbers where the formset orders. Only the
    object's own rows (allowed_ids) may be named."""

    row_label = _("Row %(number)s")
    new_label = _("New row")
    add_label = _("Add another row")
    delete_label = _("Remove this row")
    stale_message = _("Some of the rows no longer exist. Reload the page and try again.")
    # The field the error summary links to for a message about all the rows.
    anchor_field = ""

    def __init__(self, *args, allowed_ids=(), **kwargs):
        self.allowed_ids = set(allowed_ids)
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.legend = self.row_label % {"number": i + 1}
        return form

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("Position")
            form.fields["ORDER"].widget.attrs.update({"min": 1, "class": "row-position"})
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = self.delete_label

    def clean(self):
        if any(self.errors):
            return
        for form in self.forms:
            row_id = form.cleaned_data.get("id")
            if row_id and row_id not in self.allowed_ids:
                raise ValidationError(self.stale_message)

    def kept_rows(self) -> list[dict]:
        """The rows to keep, in the order of their positions, as dicts for the service."""
        rows = []
        for form in self.ordered_forms:
            data = {name: form.cleaned_data.get(name) for name in form._meta.fields}
            rows.append({**data, "pk": form.cleaned_data.get("id")})
        return rows

    def kept_forms(self) -> list[forms.BaseForm]:
        return [
            form
            for index, form in enumerate(self.forms)
            if not self._should_delete_form(form)
            and (index < self.initial_form_count() or form.has_changed())
        ]


class BaseOutcomeFormSet(RowFormSet):
    row_label = _("Outcome %(number)s")
    new_label = _("New outcome")
    add_label = _("Add another outcome")
    delete_label = _("Remove this outcome")
    anchor_field = "description"

    def clean(self):
        super().clean()
        if not any(self.errors) and not self.non_form_errors() and not self.kept_forms():
            raise ValidationError(_("Add at least one outcome: describe it in the empty row."), code="min")


class BaseCriterionFormSet(RowFormSet):
    row_label = _("Criterion %(number)s")
    new_label = _("New criterion")
    add_label = _("Add another criterion")
    delete_label = _("Remove this criterion")
    anchor_field = "weight"

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = self.kept_forms()
        total = sum(form.cleaned_data.get("weight") or 0 for form in kept)
        if kept and total != 100:
            message = _("The weights add up to %(total)s; they must add up to 100.") % {"total": total}
            for form in kept:
                form.add_error("weight", message)
            raise ValidationError(message, code="weights")


OutcomeFormSet = forms.formset_factory(
    OutcomeForm,
    formset=BaseOutcomeFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    can_delete_extra=False,
    max_num=30,
    validate_max=True,
)
CriterionFormSet = forms.formset_factory(
    CriterionForm,
    formset=BaseCriterionFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    can_delete_extra=False,
    max_num=20,
    validate_max=True,
)


def outcome_initial(challenge: Challenge) -> list[dict]:
    return [
        {
            "id": outcome.pk,
            "description": outcome.description,
            "indicator": outcome.indicator,
            "baseline": outcome.baseline,
            "target": outcome.target,
        }
        for outcome in challenge.outcomes.all()
    ]


def criterion_initial(challenge: Challenge) -> list[dict]:
    return [
        {
            "id": criterion.pk,
            "name": criterion.name,
            "description": criterion.description,
            "weight": criterion.weight,
        }
        for criterion in challenge.criteria.all()
    ]


class ScoringScaleForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["scoring_scale"]
        widgets = {"scoring_scale": forms.RadioSelect}
        help_texts = {"scoring_scale": _("Evaluators score each criterion on this scale.")}


# Step 6: documents


class DocumentForm(forms.ModelForm):
    file = forms.FileField(label=_("File"))

    class Meta:
        model = ChallengeDocument
        fields = ["title", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(allowed)s; at most %(limit)s MB.") % {
            "allowed": ALLOWED_DESCRIPTION,
            "limit": max_document_bytes() // (1024 * 1024),
        }
        self.fields["file"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.odt,.txt,.csv"

    def clean_file(self):
        file = self.cleaned_data["file"]
        check_document(file)
        return file


# The error summary of a step with rows: every message once, each linked to its field.


def error_summary(form: forms.BaseForm | None = None, *formsets: forms.BaseFormSet) -> list[dict]:
    """[{"anchor", "label", "message"}] for the form's and the formsets' errors, each message once."""
    entries, seen = [], set()

    def add(anchor: str, label: str, message: str) -> None:
        if message not in seen:
            seen.add(message)
            entries.append({"anchor": anchor, "label": label, "message": message})

    def add_form(one: forms.BaseForm, row_label: str = "") -> None:
        for message in one.non_field_errors():
            add("", row_label, message)
        for field in one:
            for message in field.errors:
                label = f"{row_label}: {field.label}" if row_label else str(field.label)
                add(field.auto_id, label, message)

    if form is not None and form.is_bound:
        add_form(form)
    for formset in formsets:
        if not formset.is_bound:
            continue
        first = ""
        if formset.forms and formset.anchor_field in formset.forms[0].fields:
            first = formset.forms[0][formset.anchor_field].auto_id
        for message in formset.non_form_errors():
            add(first, "", message)
        for index, row in enumerate(formset.forms):
            add_form(row, str(formset.row_label % {"number": index + 1}))
    return entries
