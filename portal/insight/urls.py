from .views import assessment, dashboard

app_name = "insight"

urlpatterns = [*dashboard.urlpatterns, *assessment.urlpatterns]
