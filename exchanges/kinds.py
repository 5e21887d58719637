"""The notification kinds staff exchanges send."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

REGISTRATION_OPEN = register_kind("exchanges.registration_open", _("Registration opens for a staff exchange"))
REGISTERED = register_kind("exchanges.registered", _("Your registration for a staff exchange"))
PROMOTED = register_kind("exchanges.promoted", _("You got a place from the waiting list of an exchange"))
SURVEY_REMINDER = register_kind("exchanges.survey_reminder", _("Reminders to answer an exchange's survey"))
AGENDA_PUBLISHED = register_kind("exchanges.agenda_published", _("The agenda of an exchange is published"))
DAY_BEFORE = register_kind("exchanges.day_before", _("A reminder the day before an exchange"))
REPORT_PUBLISHED = register_kind("exchanges.report_published", _("The reflection report of an exchange"))
