"""Programme staff's writes to the coach's rules: guards, audit entries, the cache."""

import pytest
from django.core.cache import cache

from challenges.models import CoachRule
from challenges.selectors.coach import active_coach_rules, coach_rules_cache_key
from challenges.services.coach import (
    CoachRuleError,
    activate_coach_rule,
    create_coach_rule,
    deactivate_coach_rule,
    update_coach_rule,
)
from portal.audit.models import AuditEvent
from tests.factories.accounts import ProgrammeStaffFactory
from tests.factories.challenges import CoachRuleFactory

pytestmark = pytest.mark.django_db

RULE = {
    "language": "en",
    "category": "technology",
    "phrase": "gizmo*",
    "explanation": "Names a gadget.",
    "suggestion": "Say what should change.",
}


@pytest.fixture
def staff():
    return ProgrammeStaffFactory()


def _update(rule, staff, **changes):
    values = {name: getattr(rule, name) for name in RULE} | changes
    return update_coach_rule(rule=rule, by=staff, **values)


def test_create_coach_rule_saves_normalised_rule_and_audits(staff):
    rule = create_coach_rule(by=staff, **(RULE | {"phrase": "  Gizmo   Pro* ", "explanation": " Why. "}))

    rule.refresh_from_db()
    assert (rule.phrase, rule.explanation, rule.is_active) == ("Gizmo Pro*", "Why.", True)
    event = AuditEvent.objects.get(action="coach_rule.created")
    assert (event.actor, event.target_id) == (staff, str(rule.pk))
    assert event.data == {"language": "en", "category": "technology", "phrase": "Gizmo Pro*"}


def test_create_coach_rule_refuses_duplicate_phrase_ignoring_case(staff):
    CoachRuleFactory(language="en", phrase="Gizmo")

    with pytest.raises(CoachRuleError) as error:
        create_coach_rule(by=staff, **(RULE | {"phrase": "gizmo"}))

    assert error.value.field == "phrase"
    assert str(error.value) == "There is already a rule for “gizmo” in this language."
    assert CoachRule.objects.filter(phrase__iexact="gizmo").count() == 1
    assert not AuditEvent.objects.filter(action="coach_rule.created").exists()


def test_create_coach_rule_allows_same_phrase_in_other_language(staff):
    CoachRuleFactory(language="en", phrase="gizmo")

    rule = create_coach_rule(by=staff, **(RULE | {"language": "nb", "phrase": "gizmo"}))

    assert rule.language == "nb"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phrase": "*gizmo"}, "phrase"),
        ({"phrase": "  "}, "phrase"),
        ({"language": "de"}, "language"),
        ({"category": "colour"}, "category"),
        ({"explanation": "  "}, "explanation"),
        ({"suggestion": ""}, "suggestion"),
    ],
)
def test_create_coach_rule_refuses_invalid_values(staff, changes, field):
    with pytest.raises(CoachRuleError) as error:
        create_coach_rule(by=staff, **(RULE | changes))

    assert error.value.field == field
    assert not CoachRule.objects.filter(phrase__icontains="gizmo").exists()


def test_create_coach_rule_forgets_cached_rules_of_its_language(staff):
    active_coach_rules(language="en")
    active_coach_rules(language="nb")

    create_coach_rule(by=staff, **RULE)

    assert cache.get(coach_rules_cache_key("en")) is None
    assert cache.get(coach_rules_cache_key("nb")) is not None


def test_update_coach_rule_saves_and_audits_changed_fields(staff):
    rule = CoachRuleFactory(**RULE)

    _update(rule, staff, phrase="gadget*", suggestion="Describe the need.")

    rule.refresh_from_db()
    assert (rule.phrase, rule.suggestion) == ("gadget*", "Describe the need.")
    event = AuditEvent.objects.get(action="coach_rule.updated")
    assert event.data == {"changed": ["phrase", "suggestion"], "language": "en", "phrase": "gadget*"}


def test_update_coach_rule_without_changes_records_nothing(staff):
    rule = CoachRuleFactory(**RULE)

    _update(rule, staff, phrase=" gizmo* ")

    assert not AuditEvent.objects.filter(action="coach_rule.updated").exists()


def test_update_coach_rule_may_change_only_the_case_of_its_phrase(staff):
    rule = CoachRuleFactory(**RULE)

    _update(rule, staff, phrase="GIZMO*")

    rule.refresh_from_db()
    assert rule.phrase == "GIZMO*"


def test_update_coach_rule_refuses_phrase_of_another_rule(staff):
    CoachRuleFactory(language="en", phrase="gadget")
    rule = CoachRuleFactory(**RULE)

    with pytest.raises(CoachRuleError) as error:
        _update(rule, staff, phrase="Gadget")

    assert error.value.field == "phrase"
    rule.refresh_from_db()
    assert rule.phrase == "gizmo*"


def test_update_coach_rule_forgets_cached_rules_of_old_and_new_language(staff):
    rule = CoachRuleFactory(**RULE)
    active_coach_rules(language="en")
    active_coach_rules(language="nb")

    _update(rule, staff, language="nb")

    assert cache.get(coach_rules_cache_key("en")) is None
    assert cache.get(coach_rules_cache_key("nb")) is None


def test_deactivate_coach_rule_keeps_rule_and_audits_once(staff):
    rule = CoachRuleFactory(**RULE)

    deactivate_coach_rule(rule=rule, by=staff)
    deactivate_coach_rule(rule=rule, by=staff)

    rule.refresh_from_db()
    assert rule.is_active is False
    assert AuditEvent.objects.filter(action="coach_rule.deactivated", target_id=str(rule.pk)).count() == 1
    assert rule.pk not in [active.id for active in active_coach_rules(language="en")]


def test_activate_coach_rule_restores_rule_and_audits_once(staff):
    rule = CoachRuleFactory(**RULE, is_active=False)

    activate_coach_rule(rule=rule, by=staff)
    activate_coach_rule(rule=rule, by=staff)

    rule.refresh_from_db()
    assert rule.is_active is True
    assert AuditEvent.objects.filter(action="coach_rule.activated", target_id=str(rule.pk)).count() == 1
    assert rule.pk in [active.id for active in active_coach_rules(language="en")]


def test_active_coach_rules_leaves_out_inactive_and_other_languages():
    active = CoachRuleFactory(language="nb", phrase="dings")
    CoachRuleFactory(language="nb", phrase="duppeditt", is_active=False)
    CoachRuleFactory(language="en", phrase="thingamajig")

    phrases = {rule.phrase for rule in active_coach_rules(language="nb")}

    assert "dings" in phrases
    assert "duppeditt" not in phrases
    assert "thingamajig" not in phrases
    assert active.pk in {rule.id for rule in active_coach_rules(language="nb")}
