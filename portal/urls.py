from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from suppliers.admin import view_on_site as sealed_view_on_site

# The admin signs in through allauth, so its rate limits and two-factor sign-in apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Innovation Procurement Portal"

urlpatterns = [
    path("", include("portal.web.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("portal.accounts.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("challenges/", include("challenges.urls")),
    path("evaluation/", include("challenges.evaluation.urls")),
    path("open-data/", include("challenges.evaluation.urls_open_data")),
    path("suppliers/", include("suppliers.urls")),
    path("exchanges/", include("exchanges.urls")),
    path("surveys/", include("exchanges.surveys.urls")),
    path("ideas/", include("challenges.ideas.urls")),
    path("case-studies/", include("challenges.casestudies.urls")),
    path("insight/", include("portal.insight.urls")),
    path("audit/", include("portal.audit.urls")),
    # Choosing a language needs no CSRF token, so that public pages carry none and can be cached for
    # anonymous visitors (portal/web/pagecache.py). A forged post could at worst change someone's language;
    # set_language itself only redirects to a safe `next`.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # The admin's "view on site" shortcut, except that it cannot tell anyone a sealed bid exists.
    path(
        f"{settings.ADMIN_URL}r/<path:content_type_id>/<path:object_id>/",
        admin.site.admin_view(sealed_view_on_site),
    ),
    path(settings.ADMIN_URL, admin.site.urls),
]

# A database that is down answers 503 with a plain message (no template, no database) instead of a 500.
handler500 = "portal.web.errors.server_error"
