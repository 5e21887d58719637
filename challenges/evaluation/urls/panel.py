from django.urls import path

from ..views import panel

urlpatterns = [
    path("challenges/<int:pk>/panel/", panel.panel_detail, name="panel"),
    path("challenges/<int:pk>/panel/settings/", panel.panel_settings, name="panel-settings"),
    path("challenges/<int:pk>/panel/appoint/", panel.panel_appoint, name="panel-appoint"),
    path("challenges/<int:pk>/panel/invite/", panel.panel_invite, name="panel-invite"),
    path("challenges/<int:pk>/panel/open/", panel.panel_open, name="panel-open"),
    path("evaluators/<int:pk>/chair/", panel.evaluator_chair, name="evaluator-chair"),
    path("evaluators/<int:pk>/remove/", panel.evaluator_remove, name="evaluator-remove"),
    path("invitation/<str:token>/", panel.evaluator_invitation, name="evaluator-invitation"),
    path("challenges/<int:pk>/declarations/", panel.declarations, name="declarations"),
]
