"""Every challenge notification kind has its three mail templates, and they render in every language with
the context its sender passes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from challenges import kinds
from challenges.models import Amendment
from challenges.selectors.lifecycle import amendment_changes
from portal.notifications.kinds import all_kinds
from portal.notifications.services import notify
from tests.factories.accounts import UserFactory
from tests.factories.challenges import ClarificationFactory, PublishedChallengeFactory, SavedSearchFactory

pytestmark = pytest.mark.django_db


def _contexts() -> dict:
    challenge = PublishedChallengeFactory(title="Fewer lonely evenings & more visits")
    clarification = ClarificationFactory(
        challenge=challenge,
        question="Raw question",
        public_question="Published question",
        answer="The answer",
    )
    amendment = Amendment.objects.create(
        challenge=challenge,
        summary="More time for suppliers.",
        changes={
            "submission_deadline": {
                "from": challenge.submission_deadline.isoformat(),
                "to": (challenge.submission_deadline + timedelta(days=7)).isoformat(),
            },
            "summary": {"from": "Old", "to": "New"},
        },
    )
    person = UserFactory(full_name="Reviewer Person")
    return {
        kinds.REVIEW_REQUESTED: {"challenge": challenge, "submitted_by": person},
        kinds.REVIEW_RETURNED: {"challenge": challenge, "reviewer": person, "comment": "Add a baseline."},
        kinds.REVIEW_APPROVED: {"challenge": challenge, "reviewer": person, "comment": "Well done."},
        kinds.PUBLISHED: {"challenge": challenge},
        kinds.SAVED_SEARCH_MATCH: {
            "challenge": challenge,
            "saved_search": SavedSearchFactory(name="Elderly care"),
        },
        kinds.CLARIFICATION_PUBLISHED: {"challenge": challenge, "clarification": clarification},
        kinds.QUESTION_ASKED: {"challenge": challenge, "clarification": clarification},
        kinds.QUESTION_ANSWERED: {"challenge": challenge, "clarification": clarification, "public": False},
        kinds.AMENDED: {
            "challenge": challenge,
            "amendment": amendment,
            "changes": amendment_changes(amendment),
        },
        kinds.DEADLINE_REMINDER: {"challenge": challenge, "deadline": challenge.submission_deadline},
        kinds.CLOSED: {"challenge": challenge},
        kinds.CANCELLED: {"challenge": challenge, "reason": "The budget was withdrawn."},
    }


def test_every_challenge_kind_is_covered():
    challenge_kinds = {kind.key for kind in all_kinds() if kind.key.startswith("challenges.")}

    assert challenge_kinds == {
        kind.key
        for kind in [
            kinds.REVIEW_REQUESTED,
            kinds.REVIEW_RETURNED,
            kinds.REVIEW_APPROVED,
            kinds.PUBLISHED,
            kinds.SAVED_SEARCH_MATCH,
            kinds.CLARIFICATION_PUBLISHED,
            kinds.QUESTION_ASKED,
            kinds.QUESTION_ANSWERED,
            kinds.AMENDED,
            kinds.DEADLINE_REMINDER,
            kinds.CLOSED,
            kinds.CANCELLED,
        ]
    }


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_challenge_mails_render_in_every_language(django_capture_on_commit_callbacks, language):
    recipient = UserFactory(language=language)

    with django_capture_on_commit_callbacks(execute=True):
        for kind, context in _contexts().items():
            notify(recipients=[recipient], kind=kind, context=context, target=context["challenge"])

    assert len(mail.outbox) == 12
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert message.subject.strip()
        assert "{{" not in message.body and "{%" not in message.body
        assert "http://testserver/challenges/" in message.body
        assert "&amp;" not in message.subject and "&amp;" not in message.body  # plain text is not escaped
        assert "Fewer lonely evenings &amp; more visits" in html  # HTML is escaped


def test_challenge_mails_show_deadlines_in_the_challenges_time_zone(django_capture_on_commit_callbacks):
    challenge = PublishedChallengeFactory(
        deadline_timezone="America/New_York",
        questions_deadline=None,
        submission_deadline=timezone.datetime(2099, 6, 1, 16, 0, tzinfo=timezone.get_fixed_timezone(0)),
    )

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[UserFactory()],
            kind=kinds.DEADLINE_REMINDER,
            context={"challenge": challenge, "deadline": challenge.submission_deadline},
            target=challenge,
        )

    assert "1 June 2099, 12:00 (America/New_York)" in mail.outbox[0].body


def test_public_answer_mail_shows_the_published_question_not_the_raw_one(django_capture_on_commit_callbacks):
    context = _contexts()[kinds.CLARIFICATION_PUBLISHED]

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[UserFactory()],
            kind=kinds.CLARIFICATION_PUBLISHED,
            context=context,
            target=context["challenge"],
        )

    assert "Published question" in mail.outbox[0].body
    assert "Raw question" not in mail.outbox[0].body
    assert "Raw question" not in mail.outbox[0].alternatives[0][0]
