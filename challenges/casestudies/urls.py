from django.urls import path

from . import views

app_name = "casestudies"

urlpatterns = [
    path("", views.case_study_list, name="case-study-list"),
    path("<int:pk>/", views.case_study_detail, name="case-study-detail"),
    path("<int:pk>/edit/", views.case_study_edit, name="case-study-edit"),
    path("<int:pk>/publish/", views.case_study_publish, name="case-study-publish"),
    path("<int:pk>/unpublish/", views.case_study_unpublish, name="case-study-unpublish"),
    path("from-challenge/<int:challenge_pk>/", views.case_study_create, name="case-study-create"),
]
