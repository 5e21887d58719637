from django.urls import path

from .views import participant, public, staff, surveys

app_name = "exchanges"

urlpatterns = [
    path("", public.programme_list, name="programme-list"),
    path("case-studies/", public.case_study_list, name="case-study-list"),
    path("programmes/new/", staff.programme_create, name="programme-create"),
    path("my/", participant.my_registrations, name="my-registrations"),
    path("my/calendar/", participant.feed_regenerate, name="feed-regenerate"),
    path("calendar/<str:token>.ics", participant.calendar_feed, name="calendar-feed"),
    path("events/<int:pk>/", public.event_detail, name="event-detail"),
    path("events/<int:pk>/agenda/", public.event_agenda, name="event-agenda"),
    path("events/<int:pk>/calendar.ics", public.event_calendar, name="event-calendar"),
    path("events/<int:pk>/report/", public.report_detail, name="report-detail"),
    path("events/<int:pk>/register/", participant.event_register, name="event-register"),
    path("events/<int:pk>/participants/", participant.participant_list, name="participant-list"),
    path("events/<int:pk>/survey/<str:which>/", surveys.survey_answer, name="event-survey"),
    path("registrations/<int:pk>/edit/", participant.registration_edit, name="registration-edit"),
    path("registrations/<int:pk>/cancel/", participant.registration_cancel, name="registration-cancel"),
    # Programme staff
    path("events/<int:pk>/edit/", staff.event_edit, name="event-edit"),
    path("events/<int:pk>/status/", staff.event_status, name="event-status"),
    path("events/<int:pk>/planning/", staff.event_planning, name="event-planning"),
    path("events/<int:pk>/participants.csv", staff.participants_csv, name="participants-csv"),
    path("events/<int:pk>/agenda/edit/", staff.agenda_edit, name="agenda-edit"),
    path("events/<int:pk>/agenda/generate/", staff.agenda_generate, name="agenda-generate"),
    path("events/<int:pk>/agenda/publish/", staff.agenda_publish, name="agenda-publish"),
    path(
        "events/<int:pk>/agenda/proposals/<str:key>/dismiss/",
        staff.proposal_dismiss,
        name="proposal-dismiss",
    ),
    path("sessions/<int:pk>/edit/", staff.session_edit, name="session-edit"),
    path("sessions/<int:pk>/delete/", staff.session_delete, name="session-delete"),
    path("events/<int:pk>/surveys/<str:which>/create/", surveys.survey_create, name="survey-create"),
    path("events/<int:pk>/surveys/<str:which>/attach/", surveys.survey_attach, name="survey-attach"),
    path("events/<int:pk>/surveys/<str:which>/state/", surveys.survey_state, name="survey-state"),
    path("events/<int:pk>/surveys/<str:which>/remind/", surveys.survey_remind, name="survey-remind"),
    path("events/<int:pk>/surveys/<str:which>/results/", surveys.survey_results_page, name="survey-results"),
    path("events/<int:pk>/report/edit/", staff.report_edit, name="report-edit"),
    path("events/<int:pk>/report/action/", staff.report_action, name="report-action"),
    path("<slug:slug>/", public.programme_detail, name="programme-detail"),
    path("<slug:slug>/reports/", public.programme_reports, name="programme-reports"),
    path("<slug:slug>/events/new/", staff.event_create, name="event-create"),
]
