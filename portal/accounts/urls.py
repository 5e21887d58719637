from django.urls import path

from . import sessions, views

app_name = "accounts"

urlpatterns = [
    path("account/profile/", views.profile, name="profile"),
    path("account/session/keep-alive/", sessions.keep_alive, name="session-keep-alive"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/switch/", views.organisation_switch, name="organisation-switch"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_update, name="organisation-update"),
    path("organisations/<slug:slug>/invite/", views.invitation_create, name="invitation-create"),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("organisations/<slug:slug>/members/<int:pk>/role/", views.membership_role, name="membership-role"),
    path(
        "organisations/<slug:slug>/members/<int:pk>/remove/",
        views.membership_remove,
        name="membership-remove",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
