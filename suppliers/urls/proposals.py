from django.urls import path

from ..views import proposals as views

urlpatterns = [
    path("proposals/", views.proposal_list, name="proposal-list"),
    path("challenges/<int:challenge_pk>/proposal/", views.proposal_start, name="proposal-start"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal-edit"),
    path("proposals/<int:pk>/autosave/", views.proposal_autosave, name="proposal-autosave"),
    path("proposals/<int:pk>/documents/", views.proposal_document_add, name="proposal-document-add"),
    path(
        "proposals/<int:pk>/documents/<int:document_pk>/",
        views.proposal_document_download,
        name="proposal-document",
    ),
    path(
        "proposals/<int:pk>/documents/<int:document_pk>/remove/",
        views.proposal_document_remove,
        name="proposal-document-remove",
    ),
]
