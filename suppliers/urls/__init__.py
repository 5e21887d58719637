from . import board, consortia, profiles, proposals, submission

app_name = "suppliers"

# Profiles live at /suppliers/<organisation slug>/: they come last, after every fixed first segment.
urlpatterns = [
    *proposals.urlpatterns,
    *submission.urlpatterns,
    *consortia.urlpatterns,
    *board.urlpatterns,
    *profiles.urlpatterns,
]
