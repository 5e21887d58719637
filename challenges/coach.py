"""The needs-not-solutions coach: finds wording in a challenge statement that prescribes a solution (a
brand, a technology, "we want a system that …") and says how to restate it as a need.

The rules are data (``CoachRule`` rows, per language, edited by programme staff through
``challenges.services.coach``); this module only matches them. Two entry points:

``find_issues(text, language=..., rules=None) -> list[Finding]``
    The findings in one piece of text, in the order they occur. Without ``rules`` it uses the active
    rules of the language, cached (``challenges.selectors.coach.active_coach_rules``: no query once the
    cache is warm; the services forget the cache whenever a rule changes).

``findings_for_challenge(challenge) -> dict[str, list[Finding]]``
    The pre-review checklist: the findings of every problem field (title, summary, today's situation,
    who is affected, why now) and of every outcome (description, indicator, target), keyed by the
    field's label in the current language, in the order the fields appear in the statement. Only fields
    with findings are present, so an empty dict means "nothing found". Reads ``challenge.outcomes.all()``
    (one query, or none when the caller prefetched ``outcomes``) and the cached rules. Render it with
    ``{% include "challenges/coach/_checklist.html" %}`` (context variable ``coach_findings``); the
    lifecycle's "submit for review" page does so.

How a rule's phrase matches:

- whole words only, ignoring case, Unicode-aware: "app" matches "App" and "app-based", but neither
  "application", "happy" nor "apps" (plurals are rules of their own where they should be flagged);
  "platform" does not match "platformer";
- a trailing ``*`` matches any ending of the last word: "sensor*" matches "sensor", "sensors",
  "sensorer", "sensorbasert"; a ``*`` anywhere else is not allowed (``normalise_phrase`` refuses it);
- the words of a phrase match across any run of whitespace, line breaks included: "supply and install"
  matches "supply  and\\ninstall";
- text in decomposed Unicode (an "å" typed as "a" + ring, as some systems paste it) matches the composed
  rule; offsets always refer to the text as given;
- overlapping matches: the longest wins ("we need a solution that" rather than "solution"); at equal
  length the earlier one, then a rule without a wildcard, then the older rule.

Known limits (the coach reads words, not meaning; its findings are advice the procurer may overrule):

- a word with a non-technical sense is flagged in that sense too: "the platform edge at the station",
  "pupils excel", "tablets" (pills). The rules' explanations say when a flag can safely be ignored;
- it cannot tell a description of today ("staff use Excel today") from a prescription ("we want Excel");
- Norwegian compounds are matched only where a rule has a wildcard at the end of the first part
  ("sensor*" finds "sensorbasert"), never at the end of the compound ("helseapp" is not "app").
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .enums import CoachCategory, StatementLanguage

if TYPE_CHECKING:
    from .models import Challenge

WILDCARD = "*"
# Long enough for any real rule (the model allows 100 characters), short enough to bound the regex.
MAX_PHRASE_WORDS = 12
# The problem fields of a challenge the coach reads, in the order the statement shows them.
CHALLENGE_FIELDS = ("title", "summary", "current_situation", "affected", "why_now")
OUTCOME_FIELDS = ("description", "indicator", "target")
OUTCOME_FIELD_LABELS = {
    "description": gettext_lazy("description"),
    "indicator": gettext_lazy("indicator"),
    "target": gettext_lazy("target"),
}


class RuleLike(Protocol):
    """What the engine needs of a rule: a CoachRule row or a ``Rule``."""

    phrase: str
    category: str
    explanation: str
    suggestion: str


@dataclass(frozen=True)
class Rule:
    """A coach rule as plain data (what the cache holds)."""

    id: int | None
    phrase: str
    category: str
    explanation: str
    suggestion: str


@dataclass(frozen=True)
class Finding:
    """One flagged phrase: the words as written (``text[start:end]``), and the rule's advice."""

    phrase: str
    start: int
    end: int
    category: str
    explanation: str
    suggestion: str
    rule_id: int | None
    rule_phrase: str = ""
    # The language of the rule's explanation and suggestion (for lang="" on the page).
    language: str = ""

    @property
    def category_label(self) -> str:
        try:
            return str(CoachCategory(self.category).label)
        except ValueError:
            return self.category

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "category_label": self.category_label}


class InvalidPhrase(ValueError):
    """A rule phrase the engine cannot match; the message says why, for a form field."""


def normalise_phrase(phrase: str) -> str:
    """The phrase as stored: NFC, words separated by single spaces. Raises InvalidPhrase for a phrase
    that is empty, too long, has a wildcard anywhere but at the very end, or no letter or digit to
    anchor a whole-word match."""
    words = unicodedata.normalize("NFC", phrase or "").split()
    if not words:
        raise InvalidPhrase(_("Enter a word or phrase."))
    if len(words) > MAX_PHRASE_WORDS:
        raise InvalidPhrase(_("A phrase may have at most %(count)d words.") % {"count": MAX_PHRASE_WORDS})
    normalised = " ".join(words)
    if WILDCARD in normalised[:-1] or normalised == WILDCARD:
        raise InvalidPhrase(_("Use * only at the very end of the phrase, after at least one letter."))
    if normalised.endswith(" " + WILDCARD):
        raise InvalidPhrase(_("Put the * directly after a word, without a space (e.g. sensor*)."))
    first, last = words[0], words[-1].rstrip(WILDCARD)
    if not (_has_word_character(first) and _has_word_character(last)):
        raise InvalidPhrase(_("A phrase must begin and end with a word (letters or digits)."))
    return normalised


def _has_word_character(word: str) -> bool:
    return any(character.isalnum() for character in word)


@functools.lru_cache(maxsize=4096)
def compile_phrase(phrase: str) -> re.Pattern[str] | None:
    """The pattern of a phrase: whole words, any whitespace between them, a trailing * for any ending.
    None for a phrase normalise_phrase refuses (one stored around the services, say "*", would
    otherwise match everywhere)."""
    try:
        phrase = normalise_phrase(phrase)
    except InvalidPhrase:
        return None
    wildcard = phrase.endswith(WILDCARD)
    words = phrase.rstrip(WILDCARD).split()
    body = r"\s+".join(re.escape(word) for word in words)
    if wildcard:
        body += r"\w*"
    # (?<!\w) / (?!\w) rather than \b: a phrase may begin or end with a non-word character ("C#").
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _composed(text: str) -> tuple[str, list[int] | None]:
    """The text in NFC and, when that changed it, the offset in ``text`` of each composed character
    (plus one past the end), so matches can be reported against the text as given."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    pieces: list[str] = []
    offsets: list[int] = []
    cluster_start = 0
    # Compose one base character with the combining marks that follow it at a time.
    for index in range(1, len(text) + 1):
        if index < len(text) and unicodedata.combining(text[index]):
            continue
        composed = unicodedata.normalize("NFC", text[cluster_start:index])
        pieces.append(composed)
        offsets.extend([cluster_start] * len(composed))
        cluster_start = index
    offsets.append(len(text))
    return "".join(pieces), offsets


def _as_rule(rule: RuleLike) -> Rule:
    if isinstance(rule, Rule):
        return rule
    return Rule(
        id=getattr(rule, "pk", getattr(rule, "id", None)),
        phrase=rule.phrase,
        category=rule.category,
        explanation=rule.explanation,
        suggestion=rule.suggestion,
    )


def language_or_none(value: str | None) -> str | None:
    """A statement language for a language tag ("nb", "nb-NO", "no", "en-GB"), or None."""
    tag = (value or "").strip().lower().replace("_", "-")
    primary = tag.split("-", 1)[0]
    if primary in {"no", "nob"}:
        primary = "nb"
    return primary if primary in StatementLanguage.values else None


def find_issues(text: str, *, language: str, rules: Iterable[RuleLike] | None = None) -> list[Finding]:
    """The solution-prescriptive phrases in ``text``, in order, without overlaps (see the module's
    docstring for how phrases match). ``rules`` defaults to the active rules of ``language`` (cached);
    rules given explicitly are used as they are, whatever their language or state."""
    if not text or not text.strip():
        return []
    language = language_or_none(language) or language
    if rules is None:
        from .selectors.coach import active_coach_rules

        rule_list = active_coach_rules(language=language)
    else:
        rule_list = [_as_rule(rule) for rule in rules]
    if not rule_list:
        return []
    haystack, offsets = _composed(text)
    candidates: list[tuple[int, int, Rule]] = []
    for rule in rule_list:
        if (pattern := compile_phrase(rule.phrase)) is None:
            continue
        candidates.extend((match.start(), match.end(), rule) for match in pattern.finditer(haystack))
    # Longest first; then earliest; then an exact rule before a wildcard one; then the older rule.
    candidates.sort(
        key=lambda item: (
            -(item[1] - item[0]),
            item[0],
            item[2].phrase.endswith(WILDCARD),
            item[2].id if item[2].id is not None else 0,
        )
    )
    # The matches kept never overlap, so they stay sorted by start and by end alike: a candidate
    # overlaps a kept match only if it overlaps its neighbour on either side (O(n log n), not O(n²)).
    starts: list[int] = []
    taken: list[tuple[int, int, Rule]] = []
    for start, end, rule in candidates:
        index = bisect.bisect_right(starts, start)
        if index > 0 and taken[index - 1][1] > start:
            continue
        if index < len(taken) and taken[index][0] < end:
            continue
        starts.insert(index, start)
        taken.insert(index, (start, end, rule))
    findings = []
    for start, end, rule in taken:
        if offsets is not None:
            start, end = offsets[start], offsets[end]
        findings.append(
            Finding(
                phrase=text[start:end],
                start=start,
                end=end,
                category=rule.category,
                explanation=rule.explanation,
                suggestion=rule.suggestion,
                rule_id=rule.id,
                rule_phrase=rule.phrase,
                language=language,
            )
        )
    return findings


def findings_for_challenge(challenge: Challenge) -> dict[str, list[Finding]]:
    """The pre-review checklist of a challenge: {field label: findings}, only fields with findings, in
    the statement's order (see the module's docstring)."""
    from .models import Challenge

    language = challenge.language
    result: dict[str, list[Finding]] = {}
    for name in CHALLENGE_FIELDS:
        if found := find_issues(getattr(challenge, name) or "", language=language):
            result[str(capfirst(Challenge._meta.get_field(name).verbose_name))] = found
    for number, outcome in enumerate(challenge.outcomes.all(), start=1):
        for name in OUTCOME_FIELDS:
            if found := find_issues(getattr(outcome, name) or "", language=language):
                label = _("Outcome %(number)d: %(field)s") % {
                    "number": number,
                    "field": OUTCOME_FIELD_LABELS[name],
                }
                result[label] = found
    return result
