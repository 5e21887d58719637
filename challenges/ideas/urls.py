app_name = "ideas"

urlpatterns = []
