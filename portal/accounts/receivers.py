"""Audit entries for sign-ins and account security events, which allauth reports by signal, and the
joining of an organisation that an invitation link started before the person signed in."""

from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.signals import (
    email_confirmed,
    password_changed,
    password_reset,
    user_logged_in,
    user_signed_up,
)
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib import messages
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext as _

from portal.audit.services import record_audit

from .adapters import INVITATION_SESSION_KEY
from .language import remember_language


@receiver(user_logged_in)
def audit_login(sender, request, user, response=None, **kwargs) -> None:
    methods = sorted({record.get("method", "") for record in get_authentication_records(request, user)})
    record_audit(
        actor=user, action="user.logged_in", target=user, data={"methods": methods, "mfa": "mfa" in methods}
    )
    if response is not None and user.language:
        remember_language(response, user.language)
    _accept_pending_invitation(request, user)


@receiver(user_signed_up)
def audit_signup(sender, request, user, **kwargs) -> None:
    record_audit(actor=user, action="user.signed_up", target=user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The address typed is kept for staff investigating attacks; no password ever is.
    record_audit(
        actor=None, action="user.login_failed", data={"email": str(credentials.get("email", ""))[:254]}
    )


@receiver(email_confirmed)
def audit_email_confirmed(sender, request, email_address, **kwargs) -> None:
    record_audit(actor=email_address.user, action="user.email_confirmed", target=email_address.user)


@receiver(password_changed)
def audit_password_changed(sender, request, user, **kwargs) -> None:
    record_audit(actor=user, action="user.password_changed", target=user)


@receiver(password_reset)
def audit_password_reset(sender, request, user, **kwargs) -> None:
    record_audit(actor=user, action="user.password_reset", target=user)


@receiver(authenticator_added)
def audit_mfa_added(sender, request, user, authenticator, **kwargs) -> None:
    record_audit(actor=user, action="user.mfa_added", target=user, data={"type": authenticator.type})


@receiver(authenticator_removed)
def audit_mfa_removed(sender, request, user, authenticator, **kwargs) -> None:
    record_audit(actor=user, action="user.mfa_removed", target=user, data={"type": authenticator.type})


def _accept_pending_invitation(request, user) -> None:
    from .services import InvitationError, accept_invitation, invitation_for_token

    token = request.session.get(INVITATION_SESSION_KEY)
    invitation = invitation_for_token(token) if token else None
    if invitation is None or not invitation.is_pending:
        return
    try:
        membership = accept_invitation(invitation=invitation, user=user)
    except InvitationError as error:
        messages.error(request, str(error))
        return
    request.session["active_organisation_id"] = membership.organisation_id
    messages.success(
        request, _("You have joined %(organisation)s.") % {"organisation": membership.organisation.name}
    )
