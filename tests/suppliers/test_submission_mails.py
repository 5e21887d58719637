"""The mails submission sends (receipt, withdrawal, draft reminder) render in every language, unescaped in
plain text and escaped in HTML, with the times in the challenge's zone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail

from challenges.models import Challenge
from suppliers.models import Proposal
from suppliers.services.submission import send_draft_reminders, submit_proposal, withdraw_proposal
from tests.factories.accounts import MembershipFactory

from .test_submission_services import make_complete

pytestmark = pytest.mark.django_db

TITLE = "Fewer lonely evenings & more visits"


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_submission_mails_render_in_every_language(actors, language, django_capture_on_commit_callbacks):
    Challenge.objects.filter(pk=actors["challenge"].pk).update(title=TITLE)
    lead = MembershipFactory(organisation=actors["proposal"].supplier, user__language=language).user
    proposal = make_complete(Proposal.objects.get(pk=actors["proposal"].pk))

    with django_capture_on_commit_callbacks(execute=True):
        receipt = submit_proposal(proposal=proposal, by=lead)
        withdraw_proposal(proposal=proposal, by=lead)
        Challenge.objects.filter(pk=proposal.challenge_id).update(
            submission_deadline=datetime.now(UTC) + timedelta(hours=3), questions_deadline=None
        )
        send_draft_reminders()

    mine = [message for message in mail.outbox if message.to == [lead.email]]
    assert len(mine) == 3
    for message in mine:
        html = message.alternatives[0][0]
        assert message.subject.strip()
        assert "{{" not in message.body and "{%" not in message.body
        assert "&amp;" not in message.subject and "&amp;" not in message.body
        assert "Fewer lonely evenings &amp; more visits" in html
        assert "http://testserver/suppliers/" in message.body
    assert receipt.digest in mine[0].body and receipt.digest in mine[0].alternatives[0][0]


def test_receipt_mail_shows_the_time_in_the_challenges_zone_and_in_utc(
    actors, django_capture_on_commit_callbacks
):
    Challenge.objects.filter(pk=actors["challenge"].pk).update(deadline_timezone="America/New_York")
    proposal = make_complete(Proposal.objects.select_related("challenge").get(pk=actors["proposal"].pk))

    with django_capture_on_commit_callbacks(execute=True):
        receipt = submit_proposal(proposal=proposal, by=actors["lead"])

    body = mail.outbox[0].body
    local = receipt.submitted_at.astimezone(proposal.challenge.deadline_zone)
    assert f"{local:%H:%M:%S} (America/New_York)" in body
    assert receipt.submitted_at.astimezone(UTC).isoformat(timespec="microseconds") in body
