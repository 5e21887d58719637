from django.urls import path

from ..views import lifecycle

urlpatterns = [
    path("<int:pk>/submit/", lifecycle.challenge_submit, name="challenge-submit"),
    path("<int:pk>/review/", lifecycle.challenge_review, name="challenge-review"),
    path("<int:pk>/amend/", lifecycle.challenge_amend, name="challenge-amend"),
    path("<int:pk>/amend/document/", lifecycle.challenge_amend_document, name="challenge-amend-document"),
    path("<int:pk>/deadline/", lifecycle.challenge_deadline, name="challenge-deadline"),
    path("<int:pk>/cancel/", lifecycle.challenge_cancel, name="challenge-cancel"),
]
