"""Search and filters of the case-study library.

On PostgreSQL the search is full-text: each case study's text is read as a weighted tsvector in every
dictionary the challenges' search uses (English, Norwegian and "simple"), computed in the query (the
library is small: hundreds of rows, not the challenges' thousands, so no stored vector is kept), and
matched with the challenges' own websearch query (challenges.search.search_query), so "schools" finds
"school" and "skolene" finds "skole". On SQLite every word must appear somewhere in the text, ignoring
case (ASCII letters only: SQLite's limitation), and a word with a leading "-" must not.

With any_word=True (a new challenge's title and summary, looking for "others who faced this need") the
words are the text's significant words, and a case study matching any of them is found, best match first on
PostgreSQL.
"""

import re
from dataclasses import asdict, dataclass
from typing import Any

from django import forms
from django.contrib.postgres.search import SearchRank, SearchVector
from django.core.validators import RegexValidator
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Value
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from challenges.enums import ProcurementRoute
from challenges.search import (
    FALLBACK_CONFIG,
    SEARCH_CONFIGS,
    SearchFormMixin,
    clean_query,
    search_query,
    uses_postgres,
)

from .enums import Capability, CaseOutcome, CaseSource
from .models import CaseStudy

# The text the search reads, by weight (A ranks highest).
WEIGHTED_FIELDS = {
    "A": ("title",),
    "B": ("need", "lessons", "result"),
    "C": ("market_engagement", "outcome_against_indicators", "would_do_differently"),
}
TEXT_FIELDS = tuple(name for names in WEIGHTED_FIELDS.values() for name in names)
MAX_FALLBACK_WORDS = 8
# any_word: the words that carry a text's meaning. Short words, numbers and the common function words of
# English and Norwegian would match nearly every case study (the "simple" dictionary keeps them all).
MAX_SIGNIFICANT_WORDS = 12
MIN_SIGNIFICANT_LENGTH = 4
STOP_WORDS = frozenset(
    (
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "among",
        "another",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "either",
        "every",
        "from",
        "further",
        "have",
        "having",
        "here",
        "into",
        "itself",
        "just",
        "many",
        "more",
        "most",
        "much",
        "must",
        "need",
        "needs",
        "only",
        "other",
        "ours",
        "over",
        "same",
        "should",
        "since",
        "some",
        "such",
        "than",
        "that",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "until",
        "very",
        "want",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "within",
        "without",
        "would",
        "your",
        "yours",
        "alle",
        "andre",
        "bare",
        "blir",
        "både",
        "denne",
        "dere",
        "dette",
        "disse",
        "eller",
        "fordi",
        "hadde",
        "hans",
        "hennes",
        "hvor",
        "hvordan",
        "hvorfor",
        "ikke",
        "kunne",
        "lage",
        "mange",
        "mellom",
        "også",
        "over",
        "skal",
        "skulle",
        "slik",
        "store",
        "uten",
        "vårt",
        "våre",
        "vært",
        "være",
        "ville",
    )
)


def _vector() -> SearchVector:
    vector = None
    for config in [*SEARCH_CONFIGS.values(), FALLBACK_CONFIG]:
        for weight, names in WEIGHTED_FIELDS.items():
            part = SearchVector(*names, weight=weight, config=config)
            vector = part if vector is None else vector + part
    return vector


def _fallback_words(text: str) -> list[tuple[str, bool]]:
    pairs = []
    for raw in clean_query(text).split()[:MAX_FALLBACK_WORDS]:
        word = raw.strip('"')
        wanted = not word.startswith("-")
        word = word.lstrip("-")
        if word:
            pairs.append((word, wanted))
    return pairs


def significant_words(text: str) -> list[str]:
    """The text's words worth matching, lower-cased, in order, once each: letters only, at least
    MIN_SIGNIFICANT_LENGTH long, no common function word; at most MAX_SIGNIFICANT_WORDS."""
    words: list[str] = []
    for word in re.findall(r"[^\W\d_]+", (text or "").lower()):
        if len(word) >= MIN_SIGNIFICANT_LENGTH and word not in STOP_WORDS and word not in words:
            words.append(word)
            if len(words) == MAX_SIGNIFICANT_WORDS:
                break
    return words


def _search_any_word(queryset: QuerySet[CaseStudy], text: str) -> QuerySet[CaseStudy]:
    words = significant_words(text)
    if not words:
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))
    if uses_postgres():
        query = search_query(" or ".join(words))  # websearch syntax: any of the words
        return (
            queryset.annotate(search=_vector())
            .filter(search=query)
            .annotate(rank=SearchRank(F("search"), query))
        )
    condition = Q()
    for word in words:
        for name in TEXT_FIELDS:
            condition |= Q(**{f"{name}__icontains": word})
    return queryset.filter(condition).annotate(rank=Value(0.0, output_field=FloatField()))


def search_case_studies(
    queryset: QuerySet[CaseStudy], text: str, *, any_word: bool = False
) -> QuerySet[CaseStudy]:
    """Narrow to the case studies matching the search words, annotated with `rank` (0 on SQLite and
    without words). No words: the queryset unchanged. any_word: the case studies matching any of the text's
    significant words (none when it has none)."""
    if any_word:
        return _search_any_word(queryset, text)
    text = clean_query(text)
    if not text:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if uses_postgres():
        query = search_query(text)
        return (
            queryset.annotate(search=_vector())
            .filter(search=query)
            .annotate(rank=SearchRank(F("search"), query))
        )
    for word, wanted in _fallback_words(text):
        condition = Q()
        for name in TEXT_FIELDS:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition if wanted else ~condition)
    return queryset.annotate(rank=Value(0.0, output_field=FloatField()))


@dataclass(frozen=True)
class CaseStudyFilters:
    theme: str = ""
    cpv: str = ""
    route: str = ""
    country: str = ""
    outcome: str = ""
    source: str = ""
    capability: str = ""

    def as_json(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value}


class CaseStudySearchForm(SearchFormMixin, forms.Form):
    """The library's search form (GET). A value that does not validate is shown with its error and left
    out; the rest still applies."""

    q = forms.CharField(label=_("Search words"), required=False, strip=True)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    cpv = forms.CharField(
        label=_("CPV code"),
        required=False,
        max_length=8,
        validators=[RegexValidator(r"^[0-9]{2,8}$", _("Enter 2 to 8 digits of a CPV code."))],
        help_text=_("A whole code or its beginning: 48 finds every software code, 4821 narrows it."),
    )
    route = forms.ChoiceField(
        label=_("Route chosen"), choices=[("", _("Any route")), *ProcurementRoute.choices], required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("Any outcome")), *CaseOutcome.choices], required=False
    )
    source = forms.ChoiceField(
        label=_("Written from"),
        choices=[("", _("Challenges and exchanges")), *CaseSource.choices],
        required=False,
    )
    capability = forms.ChoiceField(
        label=_("Capability it illustrates"),
        choices=[("", pgettext_lazy("procurement capability", "Any capability")), *Capability.choices],
        required=False,
    )

    def __init__(self, *args, themes=(), countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("Any theme")), *themes]
        self.fields["country"].choices = [("", _("Any country")), *countries]

    @property
    def filters(self) -> CaseStudyFilters:
        data = self.valid_data
        return CaseStudyFilters(
            **{name: data[name] for name in CaseStudyFilters.__dataclass_fields__ if data.get(name)}
        )


def apply_filters(queryset: QuerySet[CaseStudy], filters: CaseStudyFilters) -> QuerySet[CaseStudy]:
    """Narrow in SQL. Themes and CPV codes through EXISTS, not joins, so a case study appears once."""
    if filters.theme:
        queryset = queryset.filter(
            Exists(
                CaseStudy.themes.through.objects.filter(
                    casestudy_id=OuterRef("pk"), theme__slug=filters.theme
                )
            )
        )
    if filters.cpv:
        queryset = queryset.filter(
            Exists(
                CaseStudy.cpv_codes.through.objects.filter(
                    casestudy_id=OuterRef("pk"), cpvcode__code__startswith=filters.cpv
                )
            )
        )
    for name in ("route", "country", "outcome", "source", "capability"):
        if value := getattr(filters, name):
            queryset = queryset.filter(**{name: value})
    return queryset


def order_results(queryset: QuerySet[CaseStudy], *, text: str) -> QuerySet[CaseStudy]:
    """Best match first when searching on PostgreSQL; otherwise (and among equals) newest first, ending on
    the primary key so pages never overlap."""
    newest = (F("published_at").desc(nulls_last=True), "-pk")
    if clean_query(text) and uses_postgres():
        return queryset.order_by("-rank", *newest)
    return queryset.order_by(*newest)
