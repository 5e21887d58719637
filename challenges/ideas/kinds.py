"""The notification kinds of citizen ideas."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

IDEA_MODERATED = register_kind("ideas.moderated", _("A decision on an idea you submitted"), mandatory=True)
IDEA_SUBMITTED = register_kind("ideas.submitted", _("New citizen ideas for your city to moderate"))
IDEA_BECAME_CHALLENGE = register_kind(
    "ideas.challenge_published", _("An idea you submitted or supported became a published challenge")
)
