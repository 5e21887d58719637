"""Forms of the proposal editor: the proposal's text, answers and price; its price breakdown as rows; a
document upload. They validate what a person typed and say what is wrong at the field; nothing here
requires completeness (suppliers/selectors/completeness.py says what is still needed before submitting).
The writing is suppliers/services/proposals.py."""

import json
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from challenges.uploads import ALLOWED_DESCRIPTION, check_document, max_document_bytes

from .models import Proposal
from .selectors.completeness import criterion_field, outcome_field
from .selectors.proposals import PRICE_LINES, has_partners, value_text

_SPACES = re.compile(r"[\s\u00a0\u202f_'’]")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d{1,2}$")
_THOUSANDS_DOTS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
LINES_PREFIX = "lines"


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class AmountField(forms.DecimalField):
    """A sum of money as typed: "125000", "125 000", "125,000.50" and "125 000,50" all read as numbers;
    anything else is refused with a message at the field (the text input keeps what was typed, where a
    number input would silently drop it)."""

    default_error_messages = {
        "invalid": _("Enter an amount as a number, for example 125000 or 125000.50."),
        "min_value": _("An amount cannot be negative."),
        "max_decimal_places": _("Give at most two decimals."),
        "max_digits": _("This amount is too large."),
        "max_whole_digits": _("This amount is too large."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        # A text input: no browser-side min/step (they belong to number inputs).
        return {
            key: value for key, value in super().widget_attrs(widget).items() if key not in {"min", "step"}
        }

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_amount(value)
        return super().to_python(value)


class PercentField(AmountField):
    default_error_messages = {
        "invalid": _("Enter a percentage as a number from 0 to 100, for example 60."),
        "min_value": _("Enter a percentage as a number from 0 to 100, for example 60."),
        "max_value": _("Enter a percentage as a number from 0 to 100, for example 60."),
        "max_digits": _("Enter a percentage as a number from 0 to 100, for example 60."),
        "max_whole_digits": _("Enter a percentage as a number from 0 to 100, for example 60."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("max_value", Decimal("100"))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {key: value for key, value in super().widget_attrs(widget).items() if key != "max"}


def normalise_amount(text: str, *, dot_thousands: bool = False) -> str:
    """Digits with a dot for decimals: spaces and thousands separators dropped; a lone comma with one or
    two digits after it is a decimal comma; with both, the last separator is the decimal one. With
    dot_thousands, dots with exactly three digits after each ("1.250", "1.250.000") separate thousands, as
    Norwegians write large totals; a price keeps "1.234" as a number with too many decimals."""
    text = _SPACES.sub("", text.strip())
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".") if _DECIMAL_COMMA.match(text) else text.replace(",", "")
    elif dot_thousands and _THOUSANDS_DOTS.match(text):
        text = text.replace(".", "")
    return text


class ProposalForm(forms.Form):
    """The editor's fields. Answers to the challenge's outcomes and criteria are fields named as the
    completeness selector names them (outcome-<id>, criterion-<id>), so gaps show at their fields. The
    lead's role and share appear only when the proposal has partners. `revision` and `base` carry what the
    page was loaded with, for merging co-editors' saves."""

    title = forms.CharField(
        label=_("Title of your proposal"),
        max_length=200,
        required=False,
        help_text=_("A short name evaluators will know it by."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=_textarea(3),
        help_text=_("What you propose, in a few sentences; evaluators read it first."),
    )
    approach = forms.CharField(
        label=_("Approach"),
        required=False,
        widget=_textarea(8),
        help_text=_("How you will work with the buyer and the people affected, from start to finish."),
    )
    price = AmountField(label=_("Total price"), required=False)
    team = forms.CharField(
        label=_("Team"),
        required=False,
        widget=_textarea(4),
        help_text=_("Who will do the work, and their experience."),
    )
    timeline = forms.CharField(
        label=_("Timeline"),
        required=False,
        widget=_textarea(4),
        help_text=_("The main steps and when they happen."),
    )
    lead_role = forms.CharField(label=_("Your role in the consortium"), max_length=200, required=False)
    lead_share = PercentField(
        label=_("Your share of the work (%)"),
        required=False,
        help_text=_("Your share and your partners' shares add up to 100."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    base = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        challenge = proposal.challenge
        self.fields["price"].help_text = _("In %(currency)s, everything included.") % {
            "currency": proposal.currency
        }
        self.fields["price"].label = _("Total price (%(currency)s)") % {"currency": proposal.currency}
        self.show_lead = has_partners(proposal)
        if not self.show_lead:
            del self.fields["lead_role"], self.fields["lead_share"]
        self.outcomes, self.criteria = list(challenge.outcomes.all()), list(challenge.criteria.all())
        for number, outcome in enumerate(self.outcomes, start=1):
            self.fields[outcome_field(outcome.pk)] = forms.CharField(
                label=_("How you reach outcome %(number)s") % {"number": number},
                required=False,
                widget=_textarea(5),
            )
        for criterion in self.criteria:
            self.fields[criterion_field(criterion.pk)] = forms.CharField(
                label=_("Your answer to “%(criterion)s”") % {"criterion": criterion.name},
                required=False,
                widget=_textarea(5),
            )
        self.order_fields(
            ["title", "summary", "approach"]
            + [outcome_field(outcome.pk) for outcome in self.outcomes]
            + [criterion_field(criterion.pk) for criterion in self.criteria]
            + ["price", "team", "timeline", "lead_role", "lead_share", "revision", "base"]
        )

    @property
    def value_fields(self) -> list[str]:
        return [name for name in self.fields if name not in ("revision", "base")]

    def outcome_rows(self) -> list[tuple[Any, forms.BoundField]]:
        return [(outcome, self[outcome_field(outcome.pk)]) for outcome in self.outcomes]

    def criterion_rows(self) -> list[tuple[Any, forms.BoundField]]:
        return [(criterion, self[criterion_field(criterion.pk)]) for criterion in self.criteria]

    def clean_base(self) -> dict[str, str]:
        # Digests the page was loaded with; a damaged value only costs the merge its precision.
        try:
            base = json.loads(self.cleaned_data.get("base") or "{}")
        except ValueError:
            return {}
        if not isinstance(base, dict):
            return {}
        return {str(key): str(value) for key, value in base.items()}

    def mark_gaps(self, gaps: dict[str, str]) -> None:
        """Show what submission still needs at each field, in its help text (which the input is described
        by, so screen readers announce it with the field)."""
        for name, message in gaps.items():
            if name not in self.fields:
                continue
            field = self.fields[name]
            field.help_text = format_html(
                '<span class="proposal-gap d-block text-warning-emphasis"><strong>{}</strong> {}</span>{}',
                _("Still needed before you can submit:"),
                message,
                field.help_text or "",
            )

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.value_fields}

    def make_read_only(self) -> None:
        """Show what was typed, to be read and copied, not changed: inputs read-only (the posted text
        stays in them; a disabled field would show the stored value instead)."""
        make_read_only(self)


def make_read_only(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs["disabled"] = True
        else:
            field.widget.attrs["readonly"] = True


def gap_checklist(form: ProposalForm, gaps: dict[str, str]) -> list[dict]:
    """The gaps in the order of the editor, each with its field's label and the id of the place on the
    editor page it is at (its field, or the price breakdown or consortium section): the editor's
    checklist, and the submit page and submission panel, which link to `<editor>#<anchor>`."""
    places = {
        PRICE_LINES: (_("Price breakdown"), "price-lines"),
        "partners": (_("Consortium"), "consortium"),
    }
    checklist = []
    for name, message in gaps.items():
        if name in form.fields:
            label, anchor = form[name].label, form[name].auto_id
        else:
            label, anchor = places.get(name, (name, ""))
        checklist.append({"name": name, "label": label, "anchor": anchor, "message": message})
    return checklist


def gap_checklist_for(proposal: Proposal, gaps: dict[str, str]) -> list[dict]:
    """gap_checklist with the editor's fields as the editor would build them (no queries when the
    proposal's challenge outcomes, criteria and partners are prefetched)."""
    if not gaps:
        return []
    return gap_checklist(ProposalForm(proposal=proposal), gaps)


def form_data(values: dict[str, Any]) -> dict[str, str]:
    """The values as a bound form's data (text as the inputs hold it)."""
    return {
        name: ("" if value is None else value_text(value) if isinstance(value, Decimal) else value)
        for name, value in values.items()
        if name != PRICE_LINES
    }


# The price breakdown


class PriceLineForm(forms.Form):
    description = forms.CharField(label=_("Item"), max_length=200, required=False)
    amount = AmountField(label=_("Amount"), required=False)

    def clean(self):
        cleaned = super().clean()
        description, amount = (cleaned.get("description") or "").strip(), cleaned.get("amount")
        if "amount" in self.errors:
            return cleaned
        if description and amount is None:
            self.add_error("amount", _("Give the amount of this item."))
        elif amount is not None and not description:
            self.add_error("description", _("Say what this amount is for."))
        return cleaned


class BasePriceLineFormSet(forms.BaseFormSet):
    row_label = _("Line %(number)s")

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.legend = self.row_label % {"number": i + 1}
        return form

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this line")

    def lines(self) -> list[tuple[str, Decimal]]:
        """The lines to keep, in order, as (description, amount); empty and removed rows are left out."""
        lines = []
        for form in self.forms:
            if self._should_delete_form(form) or not form.cleaned_data:
                continue
            description, amount = (
                (form.cleaned_data.get("description") or "").strip(),
                form.cleaned_data.get("amount"),
            )
            if description and amount is not None:
                lines.append((description, amount))
        return lines


PriceLineFormSet = forms.formset_factory(
    PriceLineForm,
    formset=BasePriceLineFormSet,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
    max_num=50,
    validate_max=True,
)


def price_line_initial(lines) -> list[dict]:
    return [{"description": description, "amount": amount} for description, amount in lines]


def price_line_data(lines) -> dict[str, str]:
    """Price lines as a bound formset's data (for re-showing the page after a merge)."""
    data = {
        f"{LINES_PREFIX}-TOTAL_FORMS": str(len(lines) + 1),
        f"{LINES_PREFIX}-INITIAL_FORMS": str(len(lines)),
        f"{LINES_PREFIX}-MIN_NUM_FORMS": "0",
        f"{LINES_PREFIX}-MAX_NUM_FORMS": "50",
    }
    for index, (description, amount) in enumerate(lines):
        data[f"{LINES_PREFIX}-{index}-description"] = description
        data[f"{LINES_PREFIX}-{index}-amount"] = value_text(amount)
    return data


# Documents


class ProposalDocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("What the document is, e.g. “Technical annex”. Leave empty to use the file's name."),
    )
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "document")
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(allowed)s; at most %(limit)s MB.") % {
            "allowed": ALLOWED_DESCRIPTION,
            "limit": max_document_bytes() // (1024 * 1024),
        }
        self.fields["file"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.odt,.txt,.csv"

    def clean_file(self):
        file = self.cleaned_data["file"]
        checked = check_document(file)
        self.checked = checked
        return file

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("title") or "").strip() and getattr(self, "checked", None):
            cleaned["title"] = self.checked.original_name[:200]
        return cleaned
