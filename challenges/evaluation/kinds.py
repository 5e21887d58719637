"""The notification kinds of evaluation and award."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

APPOINTED = register_kind("evaluation.appointed", _("Appointed to an evaluation panel"), mandatory=True)
CONFLICTS_TO_DECLARE = register_kind(
    "evaluation.conflicts_to_declare", _("Conflicts of interest to declare before scoring")
)
SCORING_DEADLINE = register_kind("evaluation.scoring_deadline", _("Reminders before a scoring deadline"))
ALL_SCORES_IN = register_kind("evaluation.all_scores_in", _("All scores are in (to the panel's chair)"))
AWARD_DECIDED = register_kind(
    "evaluation.award_decided", _("Award decisions and your feedback"), mandatory=True
)
AWARD_FINAL = register_kind("evaluation.award_final", _("An award became final after the standstill period"))
SHEET_REOPENED = register_kind(
    "evaluation.sheet_reopened", _("The panel's chair reopened one of your score sheets")
)
