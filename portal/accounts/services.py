"""Writes for accounts and organisations: one function per action, each with its guard, its audit entry
and its notifications."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import record_audit
from portal.notifications.services import absolute_url, mail_address, notify

from . import kinds
from .enums import MembershipRole, OrganisationKind
from .models import Invitation, Membership, Organisation, User, invitation_lifetime


class MembershipError(Exception):
    """A membership change that would break a rule (e.g. leave an organisation without an admin)."""


class InvitationError(Exception):
    pass


def create_organisation(*, by: User, name: str, kind: str, country: str, **fields) -> Organisation:
    """Create an organisation with its creator as its first admin."""
    with transaction.atomic():
        if kind != OrganisationKind.SUPPLIER:
            fields["sme_size"] = ""
        organisation = Organisation.objects.create(
            name=name, kind=kind, country=country, slug=Organisation.unique_slug_for(name), **fields
        )
        Membership.objects.create(user=by, organisation=organisation, role=MembershipRole.ADMIN)
        by.forget_organisation_roles()
        record_audit(actor=by, action="organisation.created", target=organisation, organisation=organisation)
    return organisation


def update_organisation(*, organisation: Organisation, by: User, **fields) -> Organisation:
    with transaction.atomic():
        changed = [name for name, value in fields.items() if getattr(organisation, name) != value]
        for name in changed:
            setattr(organisation, name, fields[name])
        if organisation.kind != OrganisationKind.SUPPLIER and organisation.sme_size:
            organisation.sme_size = ""
            changed.append("sme_size")
        if changed:
            organisation.save(update_fields=[*set(changed), "updated_at"])
            record_audit(
                actor=by,
                action="organisation.updated",
                target=organisation,
                organisation=organisation,
                data={"fields": sorted(set(changed))},
            )
    return organisation


def _invitation_url(token: str) -> str:
    return absolute_url(reverse("accounts:invitation-accept", kwargs={"token": token}))


def invite_member(*, organisation: Organisation, by: User, email: str, role: str) -> Invitation:
    """Invite an email address to the organisation in a role and mail the link. An earlier open
    invitation to the same address is replaced (its link stops working)."""
    email = email.strip()
    if role not in MembershipRole.values:
        raise InvitationError(_("Choose a valid role."))
    token, digest = Invitation.new_token()
    with transaction.atomic():
        # Invitations to one organisation are written one at a time, so two admins inviting the same
        # address at once replace each other's link instead of tripping the one-open-invitation rule.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
            raise InvitationError(
                _("%(email)s is already a member of %(organisation)s.")
                % {"email": email, "organisation": organisation.name}
            )
        Invitation.objects.filter(
            organisation=organisation, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_digest=digest,
            invited_by=by,
            expires_at=timezone.now() + invitation_lifetime(),
        )
        existing_user = User.objects.filter(email__iexact=email).only("language").first()
        mail_address(
            to_email=email,
            kind=kinds.INVITATION,
            context={
                "organisation": organisation,
                "invited_by": by,
                "role": MembershipRole(invitation.role).label,
                "accept_url": _invitation_url(token),
                "expires_at": invitation.expires_at,
            },
            language=existing_user.language if existing_user else by.language,
        )
        record_audit(
            actor=by,
            action="invitation.created",
            target=invitation,
            organisation=organisation,
            data={"email": email, "role": role},
        )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_digest=Invitation.digest(token))
        .first()
    )


def revoke_invitation(*, invitation: Invitation, by: User) -> None:
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if not updated:
            raise InvitationError(_("This invitation has already been used or withdrawn."))
        record_audit(
            actor=by,
            action="invitation.revoked",
            target=invitation,
            organisation=invitation.organisation,
            data={"email": invitation.email},
        )


def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """Make the user a member in the invited role. The invitation must be open and addressed to one of the
    user's verified email addresses."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
        )
        if not invitation.is_pending:
            raise InvitationError(_("This invitation has expired or has already been used."))
        verified = EmailAddress.objects.filter(
            user=user, email__iexact=invitation.email, verified=True
        ).exists()
        if not verified:
            raise InvitationError(
                _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
                % {"email": invitation.email}
            )
        organisation = invitation.organisation
        membership = Membership.objects.filter(user=user, organisation=organisation).first()
        joined = membership is None
        if joined:
            try:
                with transaction.atomic():
                    membership = Membership.objects.create(
                        user=user, organisation=organisation, role=invitation.role
                    )
            except IntegrityError:
                membership, joined = Membership.objects.get(user=user, organisation=organisation), False
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        user.forget_organisation_roles()
        record_audit(
            actor=user,
            action="invitation.accepted",
            target=invitation,
            organisation=organisation,
            data={"role": membership.role},
        )
        if joined:
            # Someone who was a member already (e.g. invited twice) has not joined: nothing to tell.
            admins = [
                m.user
                for m in organisation.memberships.filter(role=MembershipRole.ADMIN).select_related("user")
                if m.user_id != user.pk
            ]
            notify(
                recipients=admins,
                kind=kinds.MEMBER_JOINED,
                context={"member": user, "organisation": organisation},
                target=organisation,
            )
    return membership


def _needs_an_admin() -> MembershipError:
    return MembershipError(
        _("An organisation needs at least one administrator. Make someone else an administrator first.")
    )


def _lock_memberships(organisation: Organisation) -> list[Membership]:
    # Lock every membership of the organisation, in primary-key order, so two admins cannot demote each
    # other at the same moment and leave the organisation without one.
    return list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation)
        .order_by("pk")
        .select_related("user")
    )


def change_member_role(*, membership: Membership, by: User, role: str) -> Membership:
    if role not in MembershipRole.values:
        raise MembershipError(_("Choose a valid role."))
    with transaction.atomic():
        memberships = _lock_memberships(membership.organisation)
        current = next((m for m in memberships if m.pk == membership.pk), None)
        if current is None:
            raise MembershipError(_("This person is no longer a member."))
        if current.role == role:
            return current
        admins = [m for m in memberships if m.role == MembershipRole.ADMIN]
        if current.role == MembershipRole.ADMIN and len(admins) == 1:
            raise _needs_an_admin()
        previous, current.role = current.role, role
        current.save(update_fields=["role", "updated_at"])
        current.user.forget_organisation_roles()
        record_audit(
            actor=by,
            action="membership.role_changed",
            target=current,
            organisation=current.organisation,
            data={"user": current.user.email, "from": previous, "to": role},
        )
        if current.user_id != by.pk:
            notify(
                recipients=[current.user],
                kind=kinds.ROLE_CHANGED,
                context={"organisation": current.organisation, "role": MembershipRole(current.role).label},
                target=current.organisation,
            )
    return current


def remove_member(*, membership: Membership, by: User) -> None:
    """Remove a member (an admin removing someone, or a member leaving)."""
    with transaction.atomic():
        memberships = _lock_memberships(membership.organisation)
        current = next((m for m in memberships if m.pk == membership.pk), None)
        if current is None:
            return
        admins = [m for m in memberships if m.role == MembershipRole.ADMIN]
        if current.role == MembershipRole.ADMIN and len(admins) == 1:
            raise _needs_an_admin()
        organisation, member = current.organisation, current.user
        current.delete()
        member.forget_organisation_roles()
        record_audit(
            actor=by,
            action="membership.left" if member.pk == by.pk else "membership.removed",
            target=organisation,
            organisation=organisation,
            data={"user": member.email},
        )
        if member.pk != by.pk:
            notify(
                recipients=[member],
                kind=kinds.MEMBERSHIP_REMOVED,
                context={"organisation": organisation},
                url=reverse("web:home"),
            )


def update_profile(*, user: User, full_name: str, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    user.full_name, user.language = full_name, language
    user.save(update_fields=["full_name", "language"])
    return user


def set_programme_staff(*, user: User, by: User, value: bool) -> User:
    """Grant or withdraw the site-wide programme staff role."""
    with transaction.atomic():
        if user.is_programme_staff != value:
            user.is_programme_staff = value
            user.save(update_fields=["is_programme_staff"])
            record_audit(
                actor=by,
                action="user.programme_staff_granted" if value else "user.programme_staff_withdrawn",
                target=user,
            )
    return user
