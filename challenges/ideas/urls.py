from django.urls import path

from . import views

app_name = "ideas"

urlpatterns = [
    path("", views.idea_list, name="idea-list"),
    path("new/", views.idea_create, name="idea-create"),
    path("mine/", views.my_ideas, name="my-ideas"),
    path("moderation/", views.moderation_list, name="moderation-list"),
    path("<int:pk>/", views.idea_detail, name="idea-detail"),
    path("<int:pk>/support/", views.idea_support, name="idea-support"),
    path("<int:pk>/withdraw-support/", views.idea_withdraw_support, name="idea-withdraw-support"),
    path("<int:pk>/withdraw/", views.idea_withdraw, name="idea-withdraw"),
    path("<int:pk>/moderate/", views.idea_moderate, name="idea-moderate"),
    path("<int:pk>/convert/", views.idea_convert, name="idea-convert"),
]
