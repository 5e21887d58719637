from django.urls import path

from ..views import trials

urlpatterns = [
    path("challenges/<int:pk>/trials/", trials.trial_list, name="trial-list"),
    path("trials/<int:pk>/", trials.trial_detail, name="trial-detail"),
    path("trials/<int:pk>/decide/", trials.trial_decide, name="trial-decide"),
]
