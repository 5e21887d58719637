from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.urls import reverse

INVITATION_SESSION_KEY = "pending_invitation_token"
# Where allauth keeps an address it may treat as verified at sign-up (see stash_verified_email).
VERIFIED_EMAIL_SESSION_KEY = "account_verified_email"


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        # A person who came through an invitation link lands back on it, to see that they have joined.
        token = request.session.get(INVITATION_SESSION_KEY)
        if token:
            return reverse("accounts:invitation-accept", kwargs={"token": token})
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request) -> str:
        return self.get_login_redirect_url(request)

    def clean_email(self, email: str) -> str:
        # allauth's email fields accept 320 characters, and would cut a longer address down to the
        # 254 the account can hold, then send the confirmation to that other address. Say so instead.
        email = super().clean_email(email)
        MaxLengthValidator(get_user_model()._meta.get_field("email").max_length)(email)
        return email

    def save_user(self, request, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit)
        # Opening an invitation link stashes the invited address as verified, so signing up with it needs
        # no confirmation mail. allauth would also attach that address (verified, as the primary one) to an
        # account signed up with a different address; the person would find themselves registered under
        # an address they did not type. Only the address typed counts: any other must be confirmed.
        stashed = request.session.get(VERIFIED_EMAIL_SESSION_KEY)
        if stashed and stashed.lower() != (user.email or "").lower():
            request.session[VERIFIED_EMAIL_SESSION_KEY] = None
        return user
