"""The notification kinds suppliers send and receive."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

# A receipt is proof of a legal act (a bid): always mailed, whatever the preferences say.
PROPOSAL_SUBMITTED = register_kind(
    "suppliers.proposal_submitted", _("Receipts for submitted proposals"), mandatory=True
)
PROPOSAL_WITHDRAWN = register_kind(
    "suppliers.proposal_withdrawn", _("A proposal was withdrawn"), mandatory=True
)
DRAFT_REMINDER = register_kind(
    "suppliers.draft_reminder", _("Reminders about unsubmitted proposals before the deadline")
)
PARTNER_INVITED = register_kind(
    "suppliers.partner_invited", _("Invitations to join a consortium"), mandatory=True
)
PARTNER_ACCEPTED = register_kind("suppliers.partner_accepted", _("A partner accepted your invitation"))
PARTNER_DECLINED = register_kind("suppliers.partner_declined", _("A partner declined your invitation"))
PARTNER_BOARD_MESSAGE = register_kind(
    "suppliers.partner_board_message", _("Messages on the looking-for-partners board")
)

# Mails about one bid: the Django admin's outbox never lists them (see portal/notifications/admin.py), since
# their subjects and addresses would tell an operator who is bidding before the deadline.
BID_KINDS = frozenset(
    {
        PROPOSAL_SUBMITTED,
        PROPOSAL_WITHDRAWN,
        DRAFT_REMINDER,
        PARTNER_INVITED,
        PARTNER_ACCEPTED,
        PARTNER_DECLINED,
    }
)
