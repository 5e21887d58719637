from django.urls import path

from ..views import discovery as views

urlpatterns = [
    path("", views.challenge_list, name="challenge-list"),
    path("<int:pk>/", views.challenge_detail, name="challenge-detail"),
    path("<int:pk>/follow/", views.challenge_follow, name="challenge-follow"),
    path("<int:pk>/unfollow/", views.challenge_unfollow, name="challenge-unfollow"),
    path("buyers/<int:pk>/follow/", views.organisation_follow, name="organisation-follow"),
    path("buyers/<int:pk>/unfollow/", views.organisation_unfollow, name="organisation-unfollow"),
    path("following/", views.follow_list, name="follow-list"),
    path("saved-searches/", views.saved_search_list, name="saved-search-list"),
    path("saved-searches/new/", views.saved_search_create, name="saved-search-create"),
    path("saved-searches/<int:pk>/delete/", views.saved_search_delete, name="saved-search-delete"),
]
