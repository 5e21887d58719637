from django.urls import path

from ..views import award

urlpatterns = [
    path("challenges/<int:pk>/award/", award.award_page, name="award"),
    path("proposals/<int:pk>/feedback/", award.award_feedback, name="award-feedback"),
    path("challenges/<int:pk>/criteria/amend/", award.criteria_amend, name="criteria-amend"),
]
