from django.urls import path
from django.views.decorators.cache import cache_control

from .feeds import OpenDataFeed
from .views import open_data as views

app_name = "open_data"

urlpatterns = [
    path("", views.open_data_index, name="index"),
    path("releases.json", views.bulk_releases, name="releases"),
    path("challenges/<int:pk>/releases.json", views.challenge_releases, name="challenge-releases"),
    path("feed.atom", cache_control(public=True, max_age=300)(OpenDataFeed()), name="feed"),
]
