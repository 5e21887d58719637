from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from challenges.casestudies.demo import load_case_study_demo
from challenges.demo import load_demo_challenges
from challenges.evaluation.demo import evaluation_demo_chair, load_evaluation_demo
from challenges.ideas.demo import RESIDENTS, load_ideas_demo
from portal.insight.demo import load_insight_demo
from portal.web.demo import DEMO_PASSWORD, load_demo
from suppliers.demo import load_supplier_demo


class Command(BaseCommand):
    help = "Load the demo data set (idempotent) and print one login per role."

    def handle(self, *args, **options):
        logins = load_demo()
        challenges = load_demo_challenges()
        load_supplier_demo()
        evaluations = load_evaluation_demo()
        ideas = load_ideas_demo()
        case_studies = load_case_study_demo()
        programme = load_insight_demo()
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
        if ideas:
            self.stdout.write(
                _("Added %(count)s citizen ideas, in every state of moderation.") % {"count": ideas}
            )
        self.stdout.write(
            _("To share and support ideas as a resident, sign in as %(email)s.") % {"email": RESIDENTS[0][0]}
        )
        if case_studies:
            self.stdout.write(_("Added %(count)s case studies.") % {"count": case_studies})
        if programme:
            self.stdout.write(
                _("The %(programme)s dashboard is at /insight/ (programme staff and buyer admins).")
                % {"programme": programme}
            )
        self.stdout.write("Mails the portal sends are written to var/mail/ unless EMAIL_URL is set.\n")
