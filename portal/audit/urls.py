from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("organisations/<slug:slug>/", views.organisation_event_list, name="organisation-event-list"),
]
