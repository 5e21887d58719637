from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    """Programme dashboards, procurement volumes and capability self-assessments. Dashboards read
    everything; nothing reads them."""

    name = "portal.insight"
    label = "insight"
    verbose_name = _("Insight")
