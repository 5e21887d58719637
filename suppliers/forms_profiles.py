"""Forms of the supplier profile editor and of the public directory's search. They validate what a person
typed and say what is wrong at the field; suppliers/services/profiles.py does the writing."""

import re
from dataclasses import asdict, dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries as all_countries

from challenges.forms import CPVCodesField, RowFormSet, cpv_picker_attrs
from challenges.models import CPVCode
from challenges.search import clean_query
from portal.accounts.enums import SMESize

from .logos import check_logo, max_logo_bytes, max_logo_dimension
from .models import CapabilityTag, SupplierProfile, SupplierReference

MAX_CAPABILITY_TAGS = 15
MAX_REFERENCES = 20
# Letters slugify() would drop rather than spell in ASCII (the organisation slugs do the same).
_SLUG_LETTERS = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ß": "ss", "þ": "th", "ð": "d"})
_TAG_SEPARATORS = re.compile(r"[,;\n]+")


def tag_slug(name: str) -> str:
    return slugify(name.translate(_SLUG_LETTERS))[:60].strip("-")


def normalise_tag(name: str) -> str:
    """A tag as it is stored: whitespace collapsed, stray punctuation at the ends trimmed."""
    return " ".join(name.split()).strip(" .-_#")


class CapabilityTagsField(forms.CharField):
    """Capability tags typed as text, separated by commas ("computer vision, route optimisation"). Cleans
    to a list of normalised names, without duplicates (compared by their short names, so "IoT" and "iot"
    are one tag)."""

    widget = forms.TextInput(attrs={"autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list | tuple):
            return [str(item) for item in value]
        names, slugs, unusable, too_long = [], set(), [], []
        for raw in _TAG_SEPARATORS.split(super().to_python(value)):
            name = normalise_tag(raw)
            if not name:
                continue
            slug = tag_slug(name)
            if len(name) > CapabilityTag._meta.get_field("name").max_length:
                too_long.append(name)
            elif not slug:
                unusable.append(name)
            elif slug not in slugs:
                slugs.add(slug)
                names.append(name)
        if too_long:
            raise ValidationError(
                _("A tag may be at most %(limit)s characters long: “%(tag)s…” is longer.")
                % {"limit": CapabilityTag._meta.get_field("name").max_length, "tag": too_long[0][:30]},
                code="too_long",
            )
        if unusable:
            raise ValidationError(
                _("“%(tag)s” is not a usable tag: use letters or digits.") % {"tag": unusable[0][:30]},
                code="unusable",
            )
        return names

    def validate(self, value: list[str]) -> None:
        if len(value) > MAX_CAPABILITY_TAGS:
            raise ValidationError(
                ngettext(
                    "Use at most %(limit)s tag; you typed %(count)s.",
                    "Use at most %(limit)s tags; you typed %(count)s.",
                    MAX_CAPABILITY_TAGS,
                )
                % {"limit": MAX_CAPABILITY_TAGS, "count": len(value)},
                code="too_many",
            )

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(initial or []) != self.to_python(data)
        except ValidationError:
            return True


class SupplierProfileForm(forms.ModelForm):
    """The profile and the two facts of the organisation it shows (size class and website)."""

    sme_size = forms.ChoiceField(
        label=_("Size class"), choices=SMESize.choices, help_text=_("The EU SME size class.")
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)
    cpv_codes = CPVCodesField(
        label=_("Sectors (CPV codes)"),
        help_text=_(
            "The Common Procurement Vocabulary codes of what you sell, separated by commas "
            "(for example 72000000, 48000000)."
        ),
    )
    capability_tags = CapabilityTagsField(label=_("Capability tags"))
    logo = forms.FileField(label=_("Logo"), required=False)
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    class Meta:
        model = SupplierProfile
        fields = [
            "description",
            "capabilities",
            "countries_served",
            "regions_served",
            "has_public_sector_sales",
            "is_listed",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "capabilities": forms.Textarea(attrs={"rows": 4}),
            "countries_served": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "description": _("Two or three paragraphs a procurer reads first."),
            "capabilities": _("What you are good at, in your own words."),
            "countries_served": _("Hold Ctrl (or Cmd) to choose several."),
            "regions_served": _("Regions or cities, for example “Trøndelag, Vestland”."),
        }

    field_order = [
        "description",
        "sme_size",
        "website",
        "cpv_codes",
        "capability_tags",
        "capabilities",
        "countries_served",
        "regions_served",
        "has_public_sector_sales",
        "logo",
        "remove_logo",
        "is_listed",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = self.instance.organisation
        if not self.is_bound:
            self.initial.setdefault("sme_size", organisation.sme_size)
            self.initial.setdefault("website", organisation.website)
        initial_codes = [code for code in self.initial.get("cpv_codes") or [] if isinstance(code, CPVCode)]
        self.fields["cpv_codes"].widget.attrs.update(
            cpv_picker_attrs(initial_codes, placeholder=_("Search by number or words, e.g. “software”"))
        )
        # Formatted here, not at import: a lazy text formatted at import is frozen in the default language.
        self.fields["capability_tags"].help_text = _(
            "Short keywords, separated by commas, for example “computer vision, route optimisation”. "
            "At most %(limit)s."
        ) % {"limit": MAX_CAPABILITY_TAGS}
        self.fields["logo"].help_text = _(
            "A PNG or JPEG image of at most %(size)s MB and %(pixels)s × %(pixels)s pixels."
        ) % {"size": max_logo_bytes() // (1024 * 1024), "pixels": max_logo_dimension()}
        self.fields["logo"].widget.attrs["accept"] = "image/png,image/jpeg"
        if not self.instance.logo:
            del self.fields["remove_logo"]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo:
            check_logo(logo)
        return logo

    def clean_regions_served(self) -> str:
        return " ".join((self.cleaned_data.get("regions_served") or "").split())


def profile_initial(profile: SupplierProfile) -> dict[str, Any]:
    """The editor's initial values of a saved profile's relations (unsaved profiles have none)."""
    if profile.pk is None:
        return {"cpv_codes": [], "capability_tags": []}
    return {
        "cpv_codes": list(profile.cpv_codes.all()),
        "capability_tags": [tag.name for tag in profile.capability_tags.all()],
    }


# References, as a formset of rows


class ReferenceForm(forms.ModelForm):
    # The row's primary key, for references that already exist; checked against the profile's own.
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SupplierReference
        fields = ["title", "client", "year", "is_public_sector", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update({"min": 1950, "max": 2100})


class BaseReferenceFormSet(RowFormSet):
    row_label = _("Reference %(number)s")
    delete_label = _("Remove this reference")
    stale_message = _("Some references no longer exist. Reload the page and try again.")

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # An untouched empty row is not a reference; the rest must be complete.
        form.empty_permitted = i >= self.initial_form_count()
        return form

    def kept_rows(self) -> list[dict]:
        """The references to keep, in the order shown, as dicts for the service."""
        rows = []
        for index, form in enumerate(self.forms):
            if self._should_delete_form(form):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            data = {name: form.cleaned_data.get(name) for name in ReferenceForm._meta.fields}
            rows.append({**data, "pk": form.cleaned_data.get("id")})
        return rows


ReferenceFormSet = forms.formset_factory(
    ReferenceForm,
    formset=BaseReferenceFormSet,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
    max_num=MAX_REFERENCES,
    validate_max=True,
)


def reference_initial(profile: SupplierProfile) -> list[dict]:
    if profile.pk is None:
        return []
    return [
        {
            "id": reference.pk,
            "title": reference.title,
            "client": reference.client,
            "year": reference.year,
            "is_public_sector": reference.is_public_sector,
            "description": reference.description,
        }
        for reference in profile.references.all()
    ]


def error_summary(form: forms.BaseForm, formset: forms.BaseFormSet) -> list[dict]:
    """[{"anchor", "label", "message"}] for the form's and the formset's errors, each linked to its field."""
    entries = []

    def add_form(one: forms.BaseForm, row_label: str = "") -> None:
        for message in one.non_field_errors():
            entries.append({"anchor": "", "label": row_label, "message": message})
        for field in one:
            for message in field.errors:
                label = f"{row_label}: {field.label}" if row_label else str(field.label)
                entries.append({"anchor": field.auto_id, "label": label, "message": message})

    if form.is_bound:
        add_form(form)
    if formset.is_bound:
        for message in formset.non_form_errors():
            entries.append({"anchor": "", "label": str(_("References")), "message": message})
        for index, row in enumerate(formset.forms):
            add_form(row, str(formset.row_label % {"number": index + 1}))
    return entries


# The public directory's search


@dataclass(frozen=True)
class DirectoryFilters:
    country: str = ""
    size: str = ""
    cpv: str = ""
    tag: str = ""
    public_references: bool = False
    first_time: bool = False

    def as_query(self) -> dict[str, str]:
        return {
            name: ("1" if value is True else value)
            for name, value in asdict(self).items()
            if value not in ("", False, None)
        }


class DirectorySearchForm(forms.Form):
    """The directory's search (GET). A filter that does not validate is shown with its error and left out
    of the search; the rest still applies, and the page never fails."""

    q = forms.CharField(label=_("Search words"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country served"), required=False)
    size = forms.ChoiceField(
        label=_("Size class"), required=False, choices=[("", _("Any size")), *SMESize.choices]
    )
    cpv = forms.CharField(
        label=_("Sector (CPV)"),
        required=False,
        max_length=10,
        help_text=_("The first two digits of a CPV code (48 for software), or a whole code."),
    )
    tag = forms.ChoiceField(label=_("Capability"), required=False)
    public_references = forms.BooleanField(label=_("Has public-sector references"), required=False)
    first_time = forms.BooleanField(
        label=_("First-time public-sector supplier"),
        required=False,
        help_text=_("Has not sold to the public sector before."),
    )

    def __init__(self, *args, tags: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country")), *all_countries]
        self.fields["tag"].choices = [("", _("Any capability")), *tags]

    def clean_q(self) -> str:
        return clean_query(self.cleaned_data.get("q"))

    def clean_cpv(self) -> str:
        value = (self.cleaned_data.get("cpv") or "").strip()
        if not value:
            return ""
        match = re.fullmatch(r"(\d{2})|(\d{8})(?:-\d)?", value)
        if match is None:
            raise ValidationError(
                _("Enter the first two digits of a CPV code (for example 48) or a whole code (48000000)."),
                code="invalid",
            )
        return match.group(1) or match.group(2)

    @property
    def valid_data(self) -> dict[str, Any]:
        return getattr(self, "cleaned_data", {})

    @property
    def search_words(self) -> str:
        return self.valid_data.get("q", "")

    @property
    def filters(self) -> DirectoryFilters:
        data = self.valid_data
        return DirectoryFilters(
            country=data.get("country") or "",
            size=data.get("size") or "",
            cpv=data.get("cpv") or "",
            tag=data.get("tag") or "",
            public_references=bool(data.get("public_references")),
            first_time=bool(data.get("first_time")),
        )
