from django.urls import path

from ..views import consortia

urlpatterns = [
    path("proposals/<int:pk>/consortium/", consortia.consortium_detail, name="consortium"),
    path("proposals/<int:pk>/consortium/invite/", consortia.consortium_invite, name="consortium-invite"),
    path(
        "proposals/<int:pk>/consortium/invite-by-email/",
        consortia.consortium_invite_email,
        name="consortium-invite-email",
    ),
    path("proposals/<int:pk>/consortium/lead/", consortia.consortium_lead, name="consortium-lead"),
    path(
        "proposals/<int:pk>/consortium/partners/<int:partner_pk>/withdraw/",
        consortia.consortium_partner_withdraw,
        name="consortium-partner-withdraw",
    ),
    path(
        "proposals/<int:pk>/consortium/partners/<int:partner_pk>/remove/",
        consortia.consortium_partner_remove,
        name="consortium-partner-remove",
    ),
    path("consortium-invitations/", consortia.invitation_list, name="partner-invitation-list"),
    path("consortium-invitations/<int:pk>/", consortia.invitation_detail, name="partner-invitation-detail"),
    path(
        "consortium-invitations/link/<str:token>/",
        consortia.invitation_token,
        name="partner-invitation-token",
    ),
]
