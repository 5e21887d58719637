from django.urls import path

from ..views import scoring

urlpatterns = [
    path("challenges/<int:pk>/scoring/", scoring.scoring, name="scoring"),
    path("proposals/<int:pk>/sheet/", scoring.sheet, name="sheet"),
    path("sheets/<int:pk>/reopen/", scoring.sheet_reopen, name="sheet-reopen"),
    path("challenges/<int:pk>/moderation/", scoring.moderation, name="moderation"),
    path("proposals/<int:pk>/consensus/", scoring.consensus, name="consensus"),
    path("challenges/<int:pk>/report/", scoring.report, name="report"),
]
