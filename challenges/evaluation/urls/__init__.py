from . import award, panel, scoring, trials

app_name = "evaluation"

urlpatterns = [
    *panel.urlpatterns,
    *scoring.urlpatterns,
    *trials.urlpatterns,
    *award.urlpatterns,
]
