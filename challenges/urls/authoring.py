from django.urls import path

from ..views import authoring as views

urlpatterns = [
    path("new/", views.challenge_create, name="challenge-create"),
    path("organisation/", views.organisation_challenges, name="organisation-challenges"),
    path("<int:pk>/edit/<slug:step>/", views.challenge_edit, name="challenge-edit"),
    path("<int:pk>/preview/", views.challenge_preview, name="challenge-preview"),
    path("<int:pk>/documents/<int:document_pk>/delete/", views.document_delete, name="document-delete"),
    path("documents/<int:pk>/", views.document_download, name="document-download"),
    path("cpv-codes/", views.cpv_search, name="cpv-search"),
]
