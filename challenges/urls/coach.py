from django.urls import path

from ..views import coach as views

urlpatterns = [
    path("coach/check/", views.coach_check, name="coach-check"),
    path("coach/try/", views.coach_try, name="coach-try"),
    path("coach/rules/", views.coach_rule_list, name="coach-rule-list"),
    path("coach/rules/new/", views.coach_rule_create, name="coach-rule-create"),
    path("coach/rules/<int:pk>/edit/", views.coach_rule_update, name="coach-rule-update"),
    path("coach/rules/<int:pk>/deactivate/", views.coach_rule_deactivate, name="coach-rule-deactivate"),
    path("coach/rules/<int:pk>/activate/", views.coach_rule_activate, name="coach-rule-activate"),
]
