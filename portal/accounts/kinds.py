"""The notification kinds this app sends."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

INVITATION = register_kind(
    "accounts.invitation",
    _("Invitations to join an organisation"),
    mandatory=True,
)
ACCOUNT = register_kind("accounts.account", _("Sign-in and security messages"), mandatory=True)
MEMBER_JOINED = register_kind("accounts.member_joined", _("Someone joined an organisation you administer"))
ROLE_CHANGED = register_kind("accounts.role_changed", _("Your role in an organisation changed"))
MEMBERSHIP_REMOVED = register_kind("accounts.membership_removed", _("You were removed from an organisation"))
