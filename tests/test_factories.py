"""Every model has a factory that builds a valid row."""

import pytest

from tests.factories import accounts, audit, challenges, notifications

FACTORIES = [
    accounts.UserFactory,
    accounts.OrganisationFactory,
    accounts.SupplierFactory,
    accounts.MembershipFactory,
    accounts.InvitationFactory,
    audit.AuditEventFactory,
    notifications.NotificationFactory,
    notifications.OutboxMailFactory,
    notifications.EmailPreferenceFactory,
    notifications.ReminderRecordFactory,
    challenges.ThemeFactory,
    challenges.CPVCodeFactory,
    challenges.ChallengeFactory,
    challenges.OutcomeFactory,
    challenges.CriterionFactory,
    challenges.ChallengeDocumentFactory,
    challenges.ReviewFactory,
    challenges.AmendmentFactory,
    challenges.ClarificationFactory,
    challenges.FollowFactory,
    challenges.SavedSearchFactory,
    challenges.CoachRuleFactory,
]


@pytest.mark.django_db
@pytest.mark.parametrize("factory", FACTORIES, ids=lambda factory: factory.__name__)
def test_factory_builds_a_valid_row(factory):
    instance = factory()

    instance.full_clean(exclude=["password", "file"])
    assert type(instance)._default_manager.filter(pk=instance.pk).exists()
