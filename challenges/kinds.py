"""The notification kinds challenges send."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

REVIEW_REQUESTED = register_kind("challenges.review_requested", _("A challenge is waiting for your review"))
REVIEW_RETURNED = register_kind("challenges.review_returned", _("A challenge was returned with comments"))
REVIEW_APPROVED = register_kind("challenges.review_approved", _("A challenge was approved and published"))
PUBLISHED = register_kind("challenges.published", _("New challenges from organisations you follow"))
SAVED_SEARCH_MATCH = register_kind(
    "challenges.saved_search_match", _("New challenges matching your saved searches")
)
CLARIFICATION_PUBLISHED = register_kind(
    "challenges.clarification_published", _("Answers to clarification questions")
)
QUESTION_ASKED = register_kind("challenges.question_asked", _("Questions about your challenges"))
QUESTION_ANSWERED = register_kind("challenges.question_answered", _("Answers to your questions"))
AMENDED = register_kind("challenges.amended", _("Changes to challenges you follow"))
DEADLINE_REMINDER = register_kind("challenges.deadline_reminder", _("Reminders before a deadline"))
CLOSED = register_kind("challenges.closed", _("A challenge you follow has closed"))
CANCELLED = register_kind("challenges.cancelled", _("A challenge you follow was cancelled"))
