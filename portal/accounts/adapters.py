from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

INVITATION_SESSION_KEY = "pending_invitation_token"


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        # A person who came through an invitation link lands back on it, to see that they have joined.
        token = request.session.get(INVITATION_SESSION_KEY)
        if token:
            return reverse("accounts:invitation-accept", kwargs={"token": token})
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request) -> str:
        return self.get_login_redirect_url(request)
