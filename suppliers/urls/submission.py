from django.urls import path

from ..views import submission

urlpatterns = [
    path("proposals/<int:pk>/", submission.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/submit/", submission.proposal_submit, name="proposal-submit"),
    path("proposals/<int:pk>/withdraw/", submission.proposal_withdraw, name="proposal-withdraw"),
    path("receipts/<int:pk>/", submission.receipt_detail, name="receipt-detail"),
    path("receipts/<int:pk>/verify/", submission.receipt_verify, name="receipt-verify"),
    path("receipts/<int:pk>/download/", submission.receipt_download, name="receipt-download"),
]
