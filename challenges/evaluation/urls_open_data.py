from django.urls import path
from django.views.decorators.cache import cache_control, cache_page

from .feeds import OpenDataFeed
from .views import open_data as views

app_name = "open_data"

urlpatterns = [
    path("", views.open_data_index, name="index"),
    # Public data that already says "max-age=300": the server keeps each page as long.
    path("releases.json", cache_page(300)(views.bulk_releases), name="releases"),
    path("challenges/<int:pk>/releases.json", views.challenge_releases, name="challenge-releases"),
    path("feed.atom", cache_control(public=True, max_age=300)(OpenDataFeed()), name="feed"),
]
