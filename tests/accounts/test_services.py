import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from portal.accounts.enums import MembershipRole, OrganisationKind, SMESize
from portal.accounts.models import Invitation, Membership
from portal.accounts.services import (
    InvitationError,
    MembershipError,
    accept_invitation,
    change_member_role,
    create_organisation,
    invitation_for_token,
    invite_member,
    remove_member,
    revoke_invitation,
    set_programme_staff,
    update_organisation,
    update_profile,
)
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification, OutboxMail
from tests.factories.accounts import (
    AdminMembershipFactory,
    InvitationFactory,
    ProgrammeStaffFactory,
    UserFactory,
    invitation_with_token,
)

pytestmark = pytest.mark.django_db


def test_create_organisation_makes_creator_admin():
    user = UserFactory()

    organisation = create_organisation(
        by=user, name="Trondheim kommune", kind=OrganisationKind.BUYER, country="NO"
    )

    assert organisation.slug == "trondheim-kommune"
    assert Membership.objects.get(organisation=organisation).user == user
    assert Membership.objects.get(organisation=organisation).role == MembershipRole.ADMIN
    assert user.organisation_roles == {organisation.pk: MembershipRole.ADMIN}


def test_create_organisation_records_audit_entry():
    user = UserFactory()

    organisation = create_organisation(
        by=user, name="Acme AS", kind=OrganisationKind.SUPPLIER, country="NO", sme_size=SMESize.MICRO
    )

    event = AuditEvent.objects.get(action="organisation.created")
    assert event.actor == user
    assert event.organisation == organisation
    assert event.target_label == "Acme AS"


def test_create_organisation_drops_size_class_of_non_supplier():
    organisation = create_organisation(
        by=UserFactory(),
        name="Oslo kommune",
        kind=OrganisationKind.BUYER,
        country="NO",
        sme_size=SMESize.SMALL,
    )

    assert organisation.sme_size == ""


def test_update_organisation_saves_changes_and_records_changed_fields(actors):
    organisation = actors["organisation"]

    update_organisation(
        organisation=organisation,
        by=actors["admin"],
        name="New name",
        city="Bergen",
        country="NO",
        region=organisation.region,
    )

    organisation.refresh_from_db()
    assert (organisation.name, organisation.city) == ("New name", "Bergen")
    event = AuditEvent.objects.get(action="organisation.updated")
    assert event.data == {"fields": ["city", "name"]}
    assert event.organisation == organisation


def test_update_organisation_without_changes_records_nothing(actors):
    organisation = actors["organisation"]

    update_organisation(organisation=organisation, by=actors["admin"], name=organisation.name, country="NO")

    assert not AuditEvent.objects.filter(action="organisation.updated").exists()


def test_invite_member_creates_invitation_and_mails_the_link(actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_member(
            organisation=actors["organisation"],
            by=actors["admin"],
            email="new@example.org",
            role=MembershipRole.MEMBER,
        )

    assert invitation.is_pending
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    assert actors["organisation"].name in mail.outbox[0].body
    assert "/invitations/" in mail.outbox[0].body
    assert OutboxMail.objects.get(to_email="new@example.org").kind == "accounts.invitation"


def test_invite_member_mail_link_finds_the_invitation(actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_member(
            organisation=actors["organisation"],
            by=actors["admin"],
            email="new@example.org",
            role=MembershipRole.ADMIN,
        )

    token = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
    assert invitation_for_token(token) == invitation


def test_invite_member_records_audit_entry(actors):
    invitation = invite_member(
        organisation=actors["organisation"],
        by=actors["admin"],
        email="new@example.org",
        role=MembershipRole.ADMIN,
    )

    event = AuditEvent.objects.get(action="invitation.created")
    assert event.actor == actors["admin"]
    assert event.organisation == actors["organisation"]
    assert event.target_id == str(invitation.pk)
    assert event.data == {"email": "new@example.org", "role": "admin"}


def test_invite_member_refuses_existing_member(actors):
    with pytest.raises(InvitationError, match="already a member"):
        invite_member(
            organisation=actors["organisation"],
            by=actors["admin"],
            email=actors["member"].email.upper(),
            role=MembershipRole.MEMBER,
        )


def test_invite_member_again_replaces_the_open_invitation(actors):
    first = invite_member(
        organisation=actors["organisation"],
        by=actors["admin"],
        email="new@example.org",
        role=MembershipRole.MEMBER,
    )

    second = invite_member(
        organisation=actors["organisation"],
        by=actors["admin"],
        email="NEW@example.org",
        role=MembershipRole.ADMIN,
    )

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert list(Invitation.objects.pending()) == [second]


def test_invitation_for_token_unknown_or_oversized_is_none():
    InvitationFactory()

    assert invitation_for_token("nope") is None
    assert invitation_for_token("") is None
    assert invitation_for_token("x" * 5000) is None


def test_revoke_invitation_closes_it_and_records_audit_entry(actors):
    invitation = InvitationFactory(organisation=actors["organisation"])

    revoke_invitation(invitation=invitation, by=actors["admin"])

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    event = AuditEvent.objects.get(action="invitation.revoked")
    assert event.data == {"email": invitation.email}
    assert event.organisation == actors["organisation"]


def test_revoke_invitation_twice_refused(actors):
    invitation = InvitationFactory(organisation=actors["organisation"])
    revoke_invitation(invitation=invitation, by=actors["admin"])

    with pytest.raises(InvitationError):
        revoke_invitation(invitation=invitation, by=actors["admin"])


def test_revoke_invitation_already_accepted_refused(actors):
    invitation = InvitationFactory(organisation=actors["organisation"], accepted_at=timezone.now())

    with pytest.raises(InvitationError):
        revoke_invitation(invitation=invitation, by=actors["admin"])


def test_accept_invitation_makes_member_in_invited_role(actors):
    user = UserFactory()
    invitation = InvitationFactory(
        organisation=actors["organisation"], email=user.email, role=MembershipRole.ADMIN
    )

    membership = accept_invitation(invitation=invitation, user=user)

    assert membership.role == MembershipRole.ADMIN
    assert user.organisation_roles == {actors["organisation"].pk: MembershipRole.ADMIN}
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None


def test_accept_invitation_records_audit_entry(actors):
    user = UserFactory()
    invitation = InvitationFactory(organisation=actors["organisation"], email=user.email)

    accept_invitation(invitation=invitation, user=user)

    event = AuditEvent.objects.get(action="invitation.accepted")
    assert event.actor == user
    assert event.organisation == actors["organisation"]
    assert event.data == {"role": "member"}


def test_accept_invitation_notifies_the_admins(actors, django_capture_on_commit_callbacks):
    second_admin = AdminMembershipFactory(organisation=actors["organisation"]).user
    user = UserFactory(full_name="Nina Ny")
    invitation = InvitationFactory(organisation=actors["organisation"], email=user.email)

    with django_capture_on_commit_callbacks(execute=True):
        accept_invitation(invitation=invitation, user=user)

    notified = set(
        Notification.objects.filter(kind="accounts.member_joined").values_list("recipient", flat=True)
    )
    assert notified == {actors["admin"].pk, second_admin.pk}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [actors["admin"].email, second_admin.email]
    )
    assert "Nina Ny" in mail.outbox[0].body


def test_accept_invitation_with_unmatched_address_refused(actors):
    user = UserFactory()
    invitation = InvitationFactory(organisation=actors["organisation"], email="someone-else@example.org")

    with pytest.raises(InvitationError, match=re.escape("someone-else@example.org")):
        accept_invitation(invitation=invitation, user=user)

    assert user.organisation_roles == {}
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_accept_invitation_with_unverified_address_refused(actors):
    user = UserFactory(verified=False)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    invitation = InvitationFactory(organisation=actors["organisation"], email=user.email)

    with pytest.raises(InvitationError):
        accept_invitation(invitation=invitation, user=user)


def test_accept_invitation_matches_a_verified_secondary_address(actors):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email="work@example.org", primary=False, verified=True)
    invitation = InvitationFactory(organisation=actors["organisation"], email="Work@Example.org")

    membership = accept_invitation(invitation=invitation, user=user)

    assert membership.organisation == actors["organisation"]


@pytest.mark.parametrize(
    "state",
    [
        {"accepted_at": timezone.now()},
        {"revoked_at": timezone.now()},
        {"expires_at": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["used", "revoked", "expired"],
)
def test_accept_invitation_closed_refused(actors, state):
    user = UserFactory()
    invitation = InvitationFactory(organisation=actors["organisation"], email=user.email, **state)

    with pytest.raises(InvitationError, match="expired or has already been used"):
        accept_invitation(invitation=invitation, user=user)

    assert user.organisation_roles == {}


def test_accept_invitation_by_existing_member_keeps_membership(actors):
    member = actors["member"]
    invitation, _token = invitation_with_token(
        organisation=actors["organisation"], email=member.email, role=MembershipRole.ADMIN
    )

    membership = accept_invitation(invitation=invitation, user=member)

    assert membership == actors["member_membership"]
    assert Membership.objects.filter(organisation=actors["organisation"], user=member).count() == 1


def test_accept_invitation_by_existing_member_tells_nobody(actors):
    invitation = InvitationFactory(organisation=actors["organisation"], email=actors["member"].email)

    accept_invitation(invitation=invitation, user=actors["member"])

    assert not Notification.objects.filter(kind="accounts.member_joined").exists()


def test_invite_member_unknown_role_refused(actors):
    with pytest.raises(InvitationError):
        invite_member(
            organisation=actors["organisation"], by=actors["admin"], email="new@example.org", role="owner"
        )

    assert not Invitation.objects.exists()


def test_change_member_role_unknown_role_refused(actors):
    with pytest.raises(MembershipError):
        change_member_role(membership=actors["colleague_membership"], by=actors["admin"], role="owner")

    actors["colleague_membership"].refresh_from_db()
    assert actors["colleague_membership"].role == MembershipRole.MEMBER


def test_change_member_role_promotes_and_notifies(actors, django_capture_on_commit_callbacks):
    colleague = actors["colleague_membership"]

    with django_capture_on_commit_callbacks(execute=True):
        change_member_role(membership=colleague, by=actors["admin"], role=MembershipRole.ADMIN)

    colleague.refresh_from_db()
    assert colleague.role == MembershipRole.ADMIN
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.data == {"user": colleague.user.email, "from": "member", "to": "admin"}
    assert event.organisation == actors["organisation"]
    assert Notification.objects.get(kind="accounts.role_changed").recipient == colleague.user
    assert mail.outbox[0].to == [colleague.user.email]


def test_change_member_role_to_same_role_records_nothing(actors):
    change_member_role(
        membership=actors["colleague_membership"], by=actors["admin"], role=MembershipRole.MEMBER
    )

    assert not AuditEvent.objects.filter(action="membership.role_changed").exists()


def test_change_member_role_last_admin_cannot_be_demoted(actors):
    with pytest.raises(MembershipError, match="at least one administrator"):
        change_member_role(
            membership=actors["admin_membership"], by=actors["admin"], role=MembershipRole.MEMBER
        )

    actors["admin_membership"].refresh_from_db()
    assert actors["admin_membership"].role == MembershipRole.ADMIN


def test_change_member_role_admin_may_step_down_when_another_admin_remains(actors):
    AdminMembershipFactory(organisation=actors["organisation"])

    change_member_role(membership=actors["admin_membership"], by=actors["admin"], role=MembershipRole.MEMBER)

    actors["admin_membership"].refresh_from_db()
    assert actors["admin_membership"].role == MembershipRole.MEMBER
    assert not Notification.objects.filter(kind="accounts.role_changed").exists()


def test_change_member_role_of_removed_member_refused(actors):
    colleague = actors["colleague_membership"]
    Membership.objects.filter(pk=colleague.pk).delete()

    with pytest.raises(MembershipError):
        change_member_role(membership=colleague, by=actors["admin"], role=MembershipRole.ADMIN)


def test_remove_member_deletes_membership_notifies_and_records(actors, django_capture_on_commit_callbacks):
    colleague = actors["colleague_membership"]

    with django_capture_on_commit_callbacks(execute=True):
        remove_member(membership=colleague, by=actors["admin"])

    assert not Membership.objects.filter(pk=colleague.pk).exists()
    event = AuditEvent.objects.get(action="membership.removed")
    assert event.data == {"user": colleague.user.email}
    assert event.organisation == actors["organisation"]
    assert Notification.objects.get(kind="accounts.membership_removed").recipient == colleague.user
    assert mail.outbox[0].to == [colleague.user.email]


def test_remove_member_leaving_records_left_and_notifies_nobody(actors):
    remove_member(membership=actors["member_membership"], by=actors["member"])

    assert AuditEvent.objects.get(action="membership.left").actor == actors["member"]
    assert not Notification.objects.exists()
    assert actors["member"].organisation_roles == {}


def test_remove_member_last_admin_refused(actors):
    with pytest.raises(MembershipError, match="at least one administrator"):
        remove_member(membership=actors["admin_membership"], by=actors["admin"])

    assert Membership.objects.filter(pk=actors["admin_membership"].pk).exists()


def test_remove_member_already_gone_is_quiet(actors):
    colleague = actors["colleague_membership"]
    remove_member(membership=colleague, by=actors["admin"])

    remove_member(membership=colleague, by=actors["admin"])

    assert AuditEvent.objects.filter(action="membership.removed").count() == 1


def test_update_profile_saves_name_and_language():
    user = UserFactory()

    update_profile(user=user, full_name="Kari Nordmann", language="nb")

    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Kari Nordmann", "nb")


def test_update_profile_unknown_language_refused():
    with pytest.raises(ValueError):
        update_profile(user=UserFactory(), full_name="Kari", language="xx")


def test_set_programme_staff_grants_and_records():
    user, by = UserFactory(), ProgrammeStaffFactory()

    set_programme_staff(user=user, by=by, value=True)

    user.refresh_from_db()
    assert user.is_programme_staff is True
    assert AuditEvent.objects.get(action="user.programme_staff_granted").actor == by


def test_set_programme_staff_unchanged_records_nothing():
    user = ProgrammeStaffFactory()

    set_programme_staff(user=user, by=user, value=True)

    assert not AuditEvent.objects.filter(action__startswith="user.programme_staff").exists()
