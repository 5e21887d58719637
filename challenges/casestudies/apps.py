from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseStudiesConfig(AppConfig):
    """The case-study library: what a buyer learnt from a challenge, and what an exchange's participants
    learnt (a published reflection report). Exchanges build on it; it knows nothing of exchanges."""

    name = "challenges.casestudies"
    label = "casestudies"
    verbose_name = _("Case studies")
