"""Every idea notification kind has its three mail templates, and they render in every language with the
context its sender passes."""

import pytest
from django.conf import settings

from challenges.ideas import kinds
from challenges.ideas.enums import IdeaStatus
from portal.notifications.kinds import all_kinds
from portal.notifications.models import Notification, OutboxMail
from portal.notifications.services import notify
from tests.factories.accounts import UserFactory
from tests.factories.challenges import PublishedChallengeFactory
from tests.factories.ideas import PublishedIdeaFactory

pytestmark = pytest.mark.django_db


def _contexts() -> dict:
    idea = PublishedIdeaFactory(title="Icy pavements & dark paths")
    other = PublishedIdeaFactory(city=idea.city, title="Slippery streets")
    challenge = PublishedChallengeFactory(owner=idea.city, title="Safer winter walking")
    return {
        kinds.IDEA_SUBMITTED: [{"idea": idea, "city": idea.city}],
        kinds.IDEA_MODERATED: [
            {"idea": idea, "decision": IdeaStatus.PUBLISHED},
            {"idea": idea, "decision": IdeaStatus.MERGED, "merged_into": other, "counted": True},
            {"idea": idea, "decision": IdeaStatus.REJECTED, "reason": "We already clear this path."},
            # Taken down with the idea it had been merged into.
            {
                "idea": idea,
                "decision": IdeaStatus.REJECTED,
                "reason": "It names a person.",
                "merged_into": other,
            },
        ],
        kinds.IDEA_BECAME_CHALLENGE: [
            {"idea": idea, "challenge": challenge},
            # Merged into an idea whose challenge its supporters had heard of already.
            {"idea": other, "challenge": challenge, "merged_idea": idea},
        ],
    }


def test_every_idea_kind_is_covered():
    idea_kinds = {kind.key for kind in all_kinds() if kind.key.startswith("ideas.")}

    assert idea_kinds == {kinds.IDEA_SUBMITTED.key, kinds.IDEA_MODERATED.key, kinds.IDEA_BECAME_CHALLENGE.key}


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_idea_mails_render(language):
    for kind, contexts in _contexts().items():
        for context in contexts:
            recipient = UserFactory(language=language)
            notify(recipients=[recipient], kind=kind, context=context, target=context["idea"])
            notification = Notification.objects.get(recipient=recipient)
            outbox = OutboxMail.objects.get(recipient=recipient)
            assert notification.title
            # Plain text is not escaped; the HTML part is.
            assert "&amp;" not in notification.title
            assert "{%" not in outbox.body_text and "{{" not in outbox.body_text
            if context.get("reason"):
                assert context["reason"] in outbox.body_text
            if context.get("merged_into"):
                assert "Slippery streets" in outbox.body_text
            if context.get("merged_idea"):
                assert "Icy pavements & dark paths" in outbox.body_text
                assert "Slippery streets" in outbox.body_text
