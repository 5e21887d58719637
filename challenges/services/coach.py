"""Writes of the needs-not-solutions coach: programme staff create, change, deactivate and reactivate the
rules. Each write is audited and forgets the cached rules of the languages it touched, so the next check
uses the change. No notifications: rules are the programme's own reference data."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.audit.services import record_audit

from ..coach import InvalidPhrase, normalise_phrase
from ..enums import CoachCategory, StatementLanguage
from ..models import CoachRule
from ..selectors.coach import forget_cached_coach_rules

EDITABLE_FIELDS = ("language", "category", "phrase", "explanation", "suggestion")


class CoachRuleError(Exception):
    """A rule that cannot be saved; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _checked(*, language: str, category: str, phrase: str, explanation: str, suggestion: str) -> dict:
    if language not in StatementLanguage.values:
        raise CoachRuleError(_("Choose a language."), field="language")
    if category not in CoachCategory.values:
        raise CoachRuleError(_("Choose a category."), field="category")
    try:
        phrase = normalise_phrase(phrase)
    except InvalidPhrase as error:
        raise CoachRuleError(str(error), field="phrase") from error
    explanation, suggestion = (explanation or "").strip(), (suggestion or "").strip()
    if not explanation:
        raise CoachRuleError(_("Say why the phrase is flagged."), field="explanation")
    if not suggestion:
        raise CoachRuleError(_("Say how to restate it as a need."), field="suggestion")
    return {
        "language": language,
        "category": category,
        "phrase": phrase,
        "explanation": explanation,
        "suggestion": suggestion,
    }


def _duplicate(phrase: str) -> CoachRuleError:
    return CoachRuleError(
        _("There is already a rule for “%(phrase)s” in this language.") % {"phrase": phrase}, field="phrase"
    )


def _refuse_duplicate(*, language: str, phrase: str, exclude_pk: int | None = None) -> None:
    # The database's constraint is case-sensitive; the engine ignores case, so "SAP" and "sap" are one.
    duplicates = CoachRule.objects.filter(language=language, phrase__iexact=phrase)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise _duplicate(phrase)


def _forget_after_change(*languages: str) -> None:
    # Now, so this request and the tests see the change at once; and again after commit, in case another
    # request filled the cache from the old rows in between.
    forget_cached_coach_rules(*languages)
    transaction.on_commit(lambda: forget_cached_coach_rules(*languages))


def create_coach_rule(
    *,
    by,
    language: str,
    category: str,
    phrase: str,
    explanation: str,
    suggestion: str,
    is_active: bool = True,
) -> CoachRule:
    """A new rule, used by the coach at once. Audited as coach_rule.created."""
    values = _checked(
        language=language, category=category, phrase=phrase, explanation=explanation, suggestion=suggestion
    )
    with transaction.atomic():
        _refuse_duplicate(language=values["language"], phrase=values["phrase"])
        try:
            with transaction.atomic():
                rule = CoachRule.objects.create(**values, is_active=is_active)
        except IntegrityError as error:  # created by someone else since the check
            raise _duplicate(values["phrase"]) from error
        record_audit(
            actor=by,
            action="coach_rule.created",
            target=rule,
            data={"language": rule.language, "category": rule.category, "phrase": rule.phrase},
        )
        _forget_after_change(rule.language)
    return rule


def update_coach_rule(
    *, rule: CoachRule, by, language: str, category: str, phrase: str, explanation: str, suggestion: str
) -> CoachRule:
    """Changes a rule's wording, language or category; the coach uses the change at once. Audited as
    coach_rule.updated with the names of the fields that changed (nothing is recorded when none did)."""
    values = _checked(
        language=language, category=category, phrase=phrase, explanation=explanation, suggestion=suggestion
    )
    with transaction.atomic():
        rule = CoachRule.objects.select_for_update().get(pk=rule.pk)
        changed = [name for name in EDITABLE_FIELDS if getattr(rule, name) != values[name]]
        if not changed:
            return rule
        _refuse_duplicate(language=values["language"], phrase=values["phrase"], exclude_pk=rule.pk)
        old_language = rule.language
        for name in changed:
            setattr(rule, name, values[name])
        try:
            with transaction.atomic():
                rule.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as error:
            raise _duplicate(rule.phrase) from error
        record_audit(
            actor=by,
            action="coach_rule.updated",
            target=rule,
            data={"changed": changed, "language": rule.language, "phrase": rule.phrase},
        )
        _forget_after_change(old_language, rule.language)
    return rule


def _set_active(*, rule: CoachRule, by, active: bool) -> CoachRule:
    with transaction.atomic():
        rule = CoachRule.objects.select_for_update().get(pk=rule.pk)
        if rule.is_active == active:  # a second click, or a stale page: nothing to do
            return rule
        rule.is_active = active
        rule.save(update_fields=["is_active", "updated_at"])
        record_audit(
            actor=by,
            action="coach_rule.activated" if active else "coach_rule.deactivated",
            target=rule,
            data={"language": rule.language, "phrase": rule.phrase},
        )
        _forget_after_change(rule.language)
    return rule


def deactivate_coach_rule(*, rule: CoachRule, by) -> CoachRule:
    """The coach stops flagging the phrase (the rule is kept, to reactivate). Audited as
    coach_rule.deactivated; deactivating an inactive rule changes and records nothing."""
    return _set_active(rule=rule, by=by, active=False)


def activate_coach_rule(*, rule: CoachRule, by) -> CoachRule:
    """The coach flags the phrase again. Audited as coach_rule.activated; idempotent."""
    return _set_active(rule=rule, by=by, active=True)
