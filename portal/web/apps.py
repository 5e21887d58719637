from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "portal.web"
    label = "web"
    verbose_name = _("Web pages")

    def ready(self):
        from portal import lookups

        from . import pagecache

        pagecache.connect_signals()
        lookups.register()
