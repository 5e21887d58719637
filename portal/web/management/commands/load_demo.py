from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from challenges.demo import load_demo_challenges
from challenges.evaluation.demo import evaluation_demo_chair, load_evaluation_demo
from portal.web.demo import DEMO_PASSWORD, load_demo
from suppliers.demo import load_supplier_demo


class Command(BaseCommand):
    help = "Load the demo data set (idempotent) and print one login per role."

    def handle(self, *args, **options):
        logins = load_demo()
        challenges = load_demo_challenges()
        load_supplier_demo()
        evaluations = load_evaluation_demo()
        width = max(len(login.role) for login in logins)
        self.stdout.write(
            self.style.SUCCESS("\nDemo data loaded. Sign in at http://127.0.0.1:8000/accounts/login/")
        )
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}\n")
        for login in logins:
            line = f"  {login.role:<{width}}  {login.email:<36} {login.organisation}"
            self.stdout.write(line + (f"\n  {'':<{width}}  ({login.note})" if login.note else ""))
        if challenges:
            self.stdout.write(f"Added {challenges} demo challenges, in every state.")
        if evaluations:
            self.stdout.write(
                _("Added the evaluation of %(count)s demo challenges: panels, scores, a trial and an award.")
                % {"count": evaluations}
            )
        if chair := evaluation_demo_chair():
            self.stdout.write(
                _("To see scoring, moderation and the award, sign in as %(email)s (%(organisation)s).")
                % {"email": chair.user.email, "organisation": chair.challenge.owner.name}
            )
        self.stdout.write("Mails the portal sends are written to var/mail/ unless EMAIL_URL is set.\n")
