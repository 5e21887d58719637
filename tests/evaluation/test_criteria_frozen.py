"""Criteria, weights and the scoring scale are frozen at publication on every path (editor, amendment,
admin, the authoring service), except the criteria amendment, which reopens the submission period and
tells followers and everyone with a proposal."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from challenges import kinds
from challenges.models import Amendment, Criterion
from challenges.selectors.lifecycle import amendment_changes
from challenges.services.authoring import ChallengeNotEditable, save_criteria
from challenges.services.lifecycle import ChallengeStateError, amend_challenge, amend_criteria
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from tests.factories.accounts import AdminMembershipFactory, MembershipFactory, UserFactory
from tests.factories.challenges import FollowFactory, PublishedChallengeFactory
from tests.factories.suppliers import AcceptedPartnerFactory, ProposalFactory, SubmittedProposalFactory


@pytest.fixture
def published(db):
    challenge = PublishedChallengeFactory()
    return {
        "challenge": challenge,
        "member": MembershipFactory(organisation=challenge.owner).user,
        "admin": AdminMembershipFactory(organisation=challenge.owner).user,
    }


def _rows(challenge, weights, names=None):
    criteria = list(challenge.criteria.order_by("position", "pk"))
    names = names or [c.name for c in criteria]
    return [
        {"id": c.pk, "name": name, "description": c.description, "weight": weight}
        for c, name, weight in zip(criteria, names, weights, strict=True)
    ]


def _weights(challenge):
    return list(challenge.criteria.order_by("position", "pk").values_list("weight", flat=True))


def test_editor_refuses_criteria_after_publication(client, published):
    challenge = published["challenge"]
    client.force_login(published["member"])

    url = reverse("challenges:challenge-edit", args=[challenge.pk, "criteria"])

    # The editor refuses the published challenge's criteria outright, to read and to change.
    assert client.get(url).status_code == 403
    assert client.post(url, {"scoring_scale": "10"}).status_code == 403
    with pytest.raises(ChallengeNotEditable):
        save_criteria(
            challenge=challenge, by=published["member"], criteria=_rows(challenge, [50, 50]), scoring_scale=10
        )
    assert _weights(challenge) == [60, 40]


@pytest.mark.parametrize("field", ["criteria", "scoring_scale"])
def test_text_amendment_refuses_criteria_and_scale(published, field):
    with pytest.raises(ChallengeStateError, match="cannot be amended"):
        amend_challenge(
            challenge=published["challenge"], by=published["member"], changes={field: 10}, summary="x"
        )


def test_admin_shows_criteria_and_scale_read_only_after_publication(db):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    from challenges.admin import CriterionInline
    from challenges.models import Challenge

    challenge = PublishedChallengeFactory()
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = site._registry[Challenge]
    inline = CriterionInline(Challenge, site)

    assert "scoring_scale" in model_admin.get_readonly_fields(request, challenge)
    assert list(inline.get_readonly_fields(request, challenge)) == [
        "position",
        "name",
        "description",
        "weight",
    ]
    assert not inline.has_add_permission(request, challenge)
    assert not inline.has_delete_permission(request, challenge)
    draft = PublishedChallengeFactory(status="draft", published_at=None)
    assert "scoring_scale" not in model_admin.get_readonly_fields(request, draft)
    assert inline.has_add_permission(request, draft)


def test_admin_post_cannot_change_published_weights(client, db):
    challenge = PublishedChallengeFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:challenges_challenge_change", args=[challenge.pk])

    page = client.get(url)

    assert page.status_code == 200
    assert 'name="criteria-0-weight"' not in page.content.decode()


def test_amend_criteria_reopens_the_period_and_tells_followers_and_bidders(
    published, django_capture_on_commit_callbacks
):
    challenge = published["challenge"]
    follower = FollowFactory(challenge=challenge).user
    submitted = SubmittedProposalFactory(challenge=challenge)
    draft = ProposalFactory(challenge=challenge)
    partner = AcceptedPartnerFactory(proposal=submitted)
    bidders = [
        MembershipFactory(organisation=org).user
        for org in [submitted.supplier, draft.supplier, partner.organisation]
    ]
    stranger = MembershipFactory(organisation=ProposalFactory().supplier).user
    deadline = timezone.now() + timedelta(days=40)

    with django_capture_on_commit_callbacks(execute=True):
        amendment = amend_criteria(
            challenge=challenge,
            by=published["member"],
            criteria=_rows(challenge, [50, 50], ["Impact", "Cost"]),
            scoring_scale=10,
            submission_deadline=deadline,
            summary="Cost matters more than we thought.",
        )

    challenge.refresh_from_db()
    assert (challenge.scoring_scale, challenge.submission_deadline, _weights(challenge)) == (
        10,
        deadline,
        [50, 50],
    )
    assert set(amendment.changes) == {"criteria", "scoring_scale", "submission_deadline"}
    assert amendment.changes["criteria"]["to"] == "Impact (50 %); Cost (50 %)"
    assert amendment.changes["scoring_scale"] == {"from": 5, "to": 10}
    labels = {change.label for change in amendment_changes(amendment)}
    assert {"evaluation criteria", "scoring scale"} <= labels
    for user in [follower, *bidders]:
        assert list(Notification.objects.filter(recipient=user).values_list("kind", flat=True)) == [
            kinds.AMENDED.key
        ]
    assert not Notification.objects.filter(recipient=stranger).exists()
    assert any("Cost matters more" in message.body for message in mail.outbox)
    audit = AuditEvent.objects.get(action="challenge.criteria_amended")
    assert audit.data["criteria"][1] == {
        "name": "Cost",
        "description": audit.data["criteria"][1]["description"],
        "weight": 50,
    }
    submitted.refresh_from_db()
    assert submitted.status == "submitted"  # bidders are told; they may withdraw and resubmit


@pytest.mark.parametrize(
    ("weights", "days", "message"),
    [
        ([50, 40], 40, "add up to 100"),
        ([50, 50], 5, "at least 10 days"),
        ([60, 40], 40, "Nothing has changed"),
    ],
)
def test_amend_criteria_bad_input(published, weights, days, message):
    challenge = published["challenge"]
    with pytest.raises(ChallengeStateError, match=message):
        amend_criteria(
            challenge=challenge,
            by=published["member"],
            criteria=_rows(challenge, weights),
            scoring_scale=5,
            submission_deadline=timezone.now() + timedelta(days=days),
            summary="Why.",
        )
    assert not Amendment.objects.exists()
    assert _weights(challenge) == [60, 40]


def test_amend_criteria_only_while_open_and_by_the_owner(published):
    challenge = published["challenge"]
    other = MembershipFactory().user
    arguments = {
        "criteria": _rows(challenge, [50, 50]),
        "scoring_scale": 5,
        "submission_deadline": timezone.now() + timedelta(days=40),
        "summary": "Why.",
    }
    with pytest.raises(ChallengeStateError, match="members of the buying organisation"):
        amend_criteria(challenge=challenge, by=other, **arguments)
    challenge.submission_deadline = timezone.now() - timedelta(seconds=1)
    challenge.questions_deadline = None
    challenge.save()
    with pytest.raises(ChallengeStateError, match="open for proposals"):
        amend_criteria(challenge=challenge, by=published["member"], **arguments)
    assert list(Criterion.objects.filter(challenge=challenge).values_list("weight", flat=True)) == [60, 40]


def _post_data(challenge, weights, days, summary="Weights rebalanced."):
    data = {"scoring_scale": "5", "amendment_summary": summary}
    for criterion, weight in zip(challenge.criteria.order_by("position", "pk"), weights, strict=True):
        data[f"criterion_{criterion.pk}_name"] = criterion.name
        data[f"criterion_{criterion.pk}_description"] = criterion.description
        data[f"criterion_{criterion.pk}_weight"] = str(weight)
    with timezone.override(challenge.deadline_zone):
        data["submission_deadline"] = timezone.localtime(timezone.now() + timedelta(days=days)).strftime(
            "%Y-%m-%dT%H:%M"
        )
    return data


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 302), ("member", 200), ("admin", 200), ("other_buyer", 404), ("superuser", 404)],
)
def test_criteria_amend_page_access(client, published, actor, status):
    users = {
        "anonymous": None,
        "other_buyer": AdminMembershipFactory().user,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    user = published.get(actor) or users[actor]
    if user:
        client.force_login(user)
    assert (
        client.get(reverse("evaluation:criteria-amend", args=[published["challenge"].pk])).status_code
        == status
    )


def test_criteria_amend_page_bad_input_at_the_fields(client, published):
    challenge = published["challenge"]
    client.force_login(published["member"])
    url = reverse("evaluation:criteria-amend", args=[challenge.pk])

    response = client.post(url, _post_data(challenge, [70, 40], 3, summary="My typed reason."))

    form = response.context["form"]
    assert response.status_code == 200
    assert "add up to 100" in " ".join(form.errors[f"criterion_{challenge.criteria.first().pk}_weight"])
    assert "at least 10 days" in " ".join(form.errors["submission_deadline"])
    assert "My typed reason." in response.content.decode()
    assert not Amendment.objects.exists()


def test_criteria_amend_page_publishes_the_amendment(client, published):
    challenge = published["challenge"]
    client.force_login(published["member"])

    response = client.post(
        reverse("evaluation:criteria-amend", args=[challenge.pk]), _post_data(challenge, [30, 70], 40)
    )

    assert response.status_code == 302
    assert _weights(challenge) == [30, 70]
    assert Amendment.objects.get().summary == "Weights rebalanced."
    assert "Impact on the outcomes (30 %)" in client.get(challenge.get_absolute_url()).content.decode()
