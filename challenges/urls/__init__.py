from . import authoring, coach, discovery, lifecycle, qa

app_name = "challenges"

urlpatterns = [
    *discovery.urlpatterns,
    *authoring.urlpatterns,
    *coach.urlpatterns,
    *lifecycle.urlpatterns,
    *qa.urlpatterns,
]
