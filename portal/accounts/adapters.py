from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.core.validators import MaxLengthValidator
from django.urls import reverse

from portal.notifications.services import queue_mail

from . import kinds
from .forms import SignupForm

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

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's account mails (confirmation, password reset, "account exists") go through the outbox
        like every other mail: a mail server that is down does not fail the sign-up, and the mail is sent
        once it is back."""
        request = allauth_context.request
        site = get_current_site(request)
        message = self.render_mail(
            template_prefix, email, {"request": request, "email": email, "current_site": site, **context}
        )
        html = next(
            (body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
        )
        text = message.body if message.content_subtype == "plain" else ""
        queue_mail(
            to_email=email,
            kind=kinds.ACCOUNT,
            subject=message.subject,
            body_text=text,
            body_html=html or ("" if text else message.body),
        )

    def get_signup_redirect_url(self, request) -> str:
        return self.get_login_redirect_url(request)

    def clean_email(self, email: str) -> str:
        # allauth's email fields accept 320 characters, and would cut a longer address down to the
        # 254 the account can hold, then send the confirmation to that other address. Say so instead.
        email = super().clean_email(email)
        MaxLengthValidator(get_user_model()._meta.get_field("email").max_length)(email)
        return email

    def save_user(self, request, user, form, commit: bool = True):
        if isinstance(form, SignupForm):
            form.fill(request, user)  # before the first save, which then writes the whole account once
        user = super().save_user(request, user, form, commit)
        # Opening an invitation link stashes the invited address as verified, so signing up with it needs
        # no confirmation mail. allauth would also attach that address (verified, as the primary one) to an
        # account signed up with a different address; the person would find themselves registered under
        # an address they did not type. Only the address typed counts: any other must be confirmed.
        stashed = request.session.get(VERIFIED_EMAIL_SESSION_KEY)
        if stashed and stashed.lower() != (user.email or "").lower():
            request.session[VERIFIED_EMAIL_SESSION_KEY] = None
        return user
