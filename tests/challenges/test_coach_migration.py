"""The coach's starting rules (migration 0003): enough of them in each language, well formed, and loaded
and unloaded by the migration's own functions."""

import importlib

import pytest
from django.apps import apps as django_apps

from challenges.coach import normalise_phrase
from challenges.enums import CoachCategory, StatementLanguage
from challenges.models import CoachRule

MIGRATION = importlib.import_module("challenges.migrations.0003_coach_rules")

pytestmark = pytest.mark.django_db


def test_coach_rules_migration_follows_reference_data():
    assert MIGRATION.Migration.dependencies == [("challenges", "0002_reference_data")]


def test_coach_rules_migration_loads_at_least_25_rules_per_language():
    CoachRule.objects.all().delete()

    MIGRATION.load(django_apps, None)

    for language in StatementLanguage.values:
        assert CoachRule.objects.filter(language=language, is_active=True).count() >= 25


def test_coach_rules_migration_covers_every_category_in_every_language():
    MIGRATION.load(django_apps, None)

    for language in StatementLanguage.values:
        categories = set(CoachRule.objects.filter(language=language).values_list("category", flat=True))
        assert categories == set(CoachCategory.values)


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        (
            "en",
            [
                "Microsoft Teams",
                "Alexa",
                "iPad*",
                "Salesforce",
                "SAP",
                "Excel",
                "WhatsApp",
                "app",
                "platform",
                "portal*",
                "sensors",
                "chatbot*",
                "blockchain*",
                "AI",
                "drone*",
                "robot*",
                "RFID",
                "IoT",
                "dashboard*",
                "tablet*",
                "software",
                "we want a system that",
                "we need a solution that",
                "supply and install",
                "must use",
                "based on",
                "develop an app",
            ],
        ),
        (
            "nb",
            [
                "app",
                "plattform*",
                "sensor*",
                "chatbot*",
                "blokkjede*",
                "kunstig intelligens",
                "vi ønsker et system som",
                "levere og installere",
                "skal benytte",
                "må bruke",
                "basert på",
            ],
        ),
    ],
)
def test_coach_rules_migration_has_the_phrases_the_issue_names(language, phrases):
    MIGRATION.load(django_apps, None)

    stored = set(CoachRule.objects.filter(language=language).values_list("phrase", flat=True))

    assert sorted(set(phrases) - stored) == []


@pytest.mark.parametrize("language", list(MIGRATION.RULES))
def test_coach_rules_migration_data_is_well_formed(language):
    rules = MIGRATION.RULES[language]
    phrases = [phrase for _category, phrase, _explanation, _suggestion in rules]

    assert language in StatementLanguage.values
    assert len({phrase.casefold() for phrase in phrases}) == len(phrases)  # unique, ignoring case
    for category, phrase, explanation, suggestion in rules:
        assert category in CoachCategory.values
        assert normalise_phrase(phrase) == phrase
        assert len(phrase) <= CoachRule._meta.get_field("phrase").max_length
        assert explanation.strip() and suggestion.strip()


def test_coach_rules_migration_loading_again_keeps_staff_edits():
    MIGRATION.load(django_apps, None)
    rule = CoachRule.objects.get(language="en", phrase="app")
    rule.explanation = "Edited by staff."
    rule.save()
    count = CoachRule.objects.count()

    MIGRATION.load(django_apps, None)

    rule.refresh_from_db()
    assert rule.explanation == "Edited by staff."
    assert CoachRule.objects.count() == count


def test_coach_rules_migration_unloads_its_rules_only():
    MIGRATION.load(django_apps, None)
    CoachRule.objects.create(language="en", category="brand", phrase="Gizmo", explanation="W", suggestion="S")

    MIGRATION.unload(django_apps, None)

    assert list(CoachRule.objects.values_list("phrase", flat=True)) == ["Gizmo"]
