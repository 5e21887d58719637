from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="survey-list"),
    path("new/", views.survey_create, name="survey-create"),
    path("<int:pk>/", views.survey_detail, name="survey-detail"),
    path("<int:pk>/settings/", views.survey_update, name="survey-update"),
    path("<int:pk>/open/", views.survey_open, name="survey-open"),
    path("<int:pk>/close/", views.survey_close, name="survey-close"),
    path("<int:pk>/preview/", views.survey_preview, name="survey-preview"),
    path("<int:pk>/results/", views.survey_results_page, name="survey-results"),
    path("<int:pk>/responses.csv", views.survey_export, name="survey-export"),
    path("<int:pk>/questions/new/", views.question_create, name="question-create"),
    path("<int:pk>/questions/<int:question_pk>/edit/", views.question_update, name="question-update"),
    path("<int:pk>/questions/<int:question_pk>/delete/", views.question_delete, name="question-delete"),
    path("<int:pk>/questions/<int:question_pk>/move/", views.question_move, name="question-move"),
]
