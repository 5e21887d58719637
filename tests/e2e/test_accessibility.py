"""axe-core over every main page, signed out and in each role: no serious or critical violation of WCAG 2.1
A/AA (axe tags wcag2a, wcag2aa, wcag21a, wcag21aa). The pages hold the demo data set (challenges in every
state, proposals, a panel part-way through scoring, an award, exchanges, ideas, case studies, dashboards),
loaded once per test; each test signs in one person after another and visits many pages. The last test
checks that every chart on the dashboards has its data table with the same figures.

axe comes from the installed axe-playwright-python package. The site sends a strict CSP (script-src
'self'): the script is injected with page.evaluate, which runs through the DevTools protocol and is not
subject to the page's CSP, so the CSP under test stays exactly what visitors get."""

import importlib
import importlib.util
import io
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
REFERENCE_DATA = ("challenges.migrations.0002_reference_data", "challenges.migrations.0003_coach_rules")
PHONE = {"width": 390, "height": 800}


def _axe_source() -> str:
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or spec.origin is None:
        pytest.skip("needs axe-playwright-python (it ships axe.min.js)")
    return (Path(spec.origin).parent / "axe.min.js").read_text(encoding="utf-8")


def _load_demo() -> None:
    """Live-server tests flush every table when they end, the rows the migrations seed included: load those
    again (the loaders skip rows that exist), then the demo data set."""
    for name in REFERENCE_DATA:
        migration = importlib.import_module(name)
        with connection.schema_editor() as schema_editor:
            migration.load(django_apps, schema_editor)
    call_command("load_demo", stdout=io.StringIO())


class Audit:
    """Runs axe on each page it is shown and collects every serious or critical violation, with the rule,
    its impact, the elements (CSS selectors) and the page, so one run reports them all."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.pages = 0

    def check(self, page, who: str) -> None:
        page.evaluate(self.source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            TAGS,
        )
        self.pages += 1
        for violation in result["violations"]:
            if violation["impact"] not in BLOCKING:
                continue
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:8])
            self.problems.append(
                f"{who} on {page.url}: {violation['id']} ({violation['impact']}): {violation['help']} "
                f"[{len(violation['nodes'])} element(s): {targets}]"
            )

    def visit(self, page, who: str, path: str, *, signed_in: bool) -> None:
        response = page.goto(path)
        page.wait_for_load_state()
        if response is None or response.status >= 400:
            self.problems.append(f"{who}: {path} answered {response.status if response else 'nothing'}")
            return
        if signed_in and "/accounts/login/" in page.url:
            self.problems.append(f"{who}: {path} sent a signed-in person to the login page")
            return
        self.check(page, who)


def _sign_in(page, email: str, *, totp_secret: str | None = None) -> None:
    """Through the login form (and the two-factor step for staff) with the demo password. Demo users whose
    language is Norsk bokmål get the portal in it afterwards, so the Norwegian pages are audited too."""
    from playwright.sync_api import expect

    from portal.web.demo import DEMO_PASSWORD
    from tests.factories.accounts import current_totp_code

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    if totp_secret:
        expect(page.locator("input[name=code]")).to_be_visible()
        page.locator("input[name=code]").fill(current_totp_code(totp_secret))
        page.get_by_role("main").get_by_role("button", name="Sign In").click()
    expect(page.locator("form[action='/accounts/logout/'] button")).to_be_visible()


def _tour(new_page, audit: Audit, who: str, paths: list[str], *, email=None, totp_secret=None, viewport=None):
    page = new_page(who)
    if viewport:
        page.set_viewport_size(viewport)
    if email:
        _sign_in(page, email, totp_secret=totp_secret)
    for path in paths:
        audit.visit(page, who, path, signed_in=bool(email))
    return page


def _assert_clean(audit: Audit, console_errors: list[str], expected_pages: int) -> None:
    noticed = [*audit.problems, *console_errors]
    assert noticed == [], f"on {audit.pages} pages audited:\n" + "\n".join(noticed)
    assert audit.pages >= expected_pages


@pytest.fixture
def demo(transactional_db):
    """The demo data set and the objects whose pages the tests visit, looked up by what the demo names."""
    from challenges.casestudies.models import CaseStudy
    from challenges.evaluation.models import Trial
    from challenges.ideas.models import Idea
    from challenges.models import Challenge
    from exchanges.models import ExchangeEvent, ExchangeProgramme
    from suppliers.models import PartnerPost, Proposal, Receipt, SupplierProfile

    _load_demo()
    challenges = Challenge.objects.select_related("owner")
    published = challenges.filter(status="published", language="en").first()
    under_evaluation = challenges.get(status="under_evaluation")
    awarded = challenges.get(status="awarded")
    draft = challenges.filter(status="draft", owner__name="Trondheim kommune").first()
    programme = ExchangeProgramme.objects.first()
    events = {event.status: event for event in ExchangeEvent.objects.all()}
    post = PartnerPost.objects.select_related("challenge").first()
    return {
        "published": published,
        "published_nb": challenges.filter(status="published", language="nb").first(),
        "in_review": challenges.get(status="in_review"),
        "under_evaluation": under_evaluation,
        "awarded": awarded,
        "not_awarded": challenges.get(status="not_awarded"),
        "draft": draft,
        "scored_proposal": Proposal.objects.filter(challenge=under_evaluation).first(),
        "draft_proposal": Proposal.objects.get(status="draft"),
        "receipt": Receipt.objects.filter(proposal__supplier__name="Fjordlys Analytics AS").first(),
        "profile": SupplierProfile.objects.select_related("organisation").get(
            organisation__name="Fjordlys Analytics AS"
        ),
        "post": post,
        "trial": Trial.objects.first(),
        "programme": programme,
        "reflected": events["reflected"],
        "registration_open": events["registration_open"],
        "planning": events["planning"],
        "idea_published": Idea.objects.filter(status="published").first(),
        "idea_pending": Idea.objects.filter(status="pending", city__name="Trondheim kommune").first(),
        "case_studies": list(CaseStudy.objects.order_by("pk")[:2]),
    }


def test_every_main_page_signed_out_and_as_a_resident_has_no_serious_axe_violation(
    new_page, console_errors, demo
):
    audit = Audit(_axe_source())
    published, awarded, profile = demo["published"], demo["awarded"], demo["profile"]
    event, programme = demo["reflected"], demo["programme"]
    public = [
        "/",
        "/challenges/",
        "/challenges/?q=school",
        published.get_absolute_url(),
        demo["published_nb"].get_absolute_url(),
        awarded.get_absolute_url(),
        demo["not_awarded"].get_absolute_url(),
        "/suppliers/",
        "/suppliers/?q=data",
        f"/suppliers/{profile.organisation.slug}/",
        "/open-data/",
        "/exchanges/",
        f"/exchanges/{programme.slug}/",
        f"/exchanges/{programme.slug}/reports/",
        f"/exchanges/events/{event.pk}/",
        f"/exchanges/events/{event.pk}/agenda/",
        f"/exchanges/events/{event.pk}/report/",
        f"/exchanges/events/{demo['registration_open'].pk}/",
        "/exchanges/case-studies/",
        "/ideas/",
        f"/ideas/{demo['idea_published'].pk}/",
        "/case-studies/",
        *[f"/case-studies/{study.pk}/" for study in demo["case_studies"]],
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]
    visitor = _tour(new_page, audit, "visitor", public)
    # Pages as they look with errors: a failed sign-in and an empty sign-up.
    visitor.goto("/accounts/login/")
    visitor.get_by_label("Email").fill("nobody@example.org")
    visitor.get_by_label("Password").fill("not the password")
    visitor.get_by_role("main").get_by_role("button", name="Sign In").click()
    visitor.wait_for_load_state()
    audit.check(visitor, "visitor (failed sign-in)")
    # The phone layout: the collapsed menu, opened.
    phone = _tour(new_page, audit, "visitor on a phone", ["/", "/challenges/"], viewport=PHONE)
    phone.get_by_role("button", name="Show or hide the menu").click()
    phone.locator("#main-nav.show").wait_for()
    audit.check(phone, "visitor on a phone (menu open)")

    resident = [
        "/ideas/",
        "/ideas/new/",
        "/ideas/mine/",
        f"/ideas/{demo['idea_published'].pk}/",
        "/notifications/",
        "/notifications/preferences/",
        "/account/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/challenges/following/",
        published.get_absolute_url(),
    ]
    page = _tour(new_page, audit, "resident", resident, email="aino@residents.example.org")
    page.goto("/ideas/new/")
    page.get_by_role("main").locator("button[type=submit]").last.click()
    page.wait_for_load_state()
    audit.check(page, "resident (idea form with errors)")

    _assert_clean(audit, console_errors, len(public) + len(resident) + 5)


def test_every_supplier_page_has_no_serious_axe_violation(new_page, console_errors, demo):
    audit = Audit(_axe_source())
    published, post, profile = demo["published"], demo["post"], demo["profile"]
    draft = demo["draft_proposal"]
    sme = [
        "/",
        published.get_absolute_url(),
        "/suppliers/proposals/",
        f"/suppliers/challenges/{post.challenge_id}/partners/",
        f"/suppliers/partner-posts/{post.pk}/",
        "/suppliers/consortium-invitations/",
        "/challenges/questions/mine/",
        f"/suppliers/{profile.organisation.slug}/",
        f"/suppliers/{profile.organisation.slug}/edit/",
        f"/suppliers/receipts/{demo['receipt'].pk}/",
        f"/suppliers/proposals/{demo['receipt'].proposal_id}/",
        "/organisations/",
        f"/organisations/{profile.organisation.slug}/",
        "/notifications/",
    ]
    _tour(new_page, audit, "SME", sme, email="sme1@suppliers.example.org")
    # The SME with a draft proposal: the editor, its consortium, submission, and a question to the buyer.
    drafting = [
        f"/suppliers/proposals/{draft.pk}/edit/",
        f"/suppliers/proposals/{draft.pk}/consortium/",
        f"/suppliers/proposals/{draft.pk}/submit/",
        f"/challenges/{draft.challenge_id}/questions/ask/",
    ]
    _tour(new_page, audit, "SME drafting", drafting, email=draft.supplier.memberships.first().user.email)
    _assert_clean(audit, console_errors, len(sme) + len(drafting))


def test_every_buyer_and_evaluator_page_has_no_serious_axe_violation(new_page, console_errors, demo):
    audit = Audit(_axe_source())
    draft, published_nb = demo["draft"], demo["published_nb"]
    steps = ["problem", "outcomes", "constraints", "practicalities", "criteria", "documents", "review"]
    procurer = [
        "/challenges/organisation/",
        "/challenges/new/",
        *[f"/challenges/{draft.pk}/edit/{step}/" for step in steps],
        f"/challenges/{draft.pk}/submit/",
        published_nb.get_absolute_url(),
        f"/challenges/{published_nb.pk}/questions/",
        "/ideas/moderation/",
        f"/ideas/{demo['idea_pending'].pk}/moderate/",
        "/insight/",
        "/insight/organisations/trondheim-kommune/",
        "/insight/organisations/trondheim-kommune/volumes/",
        "/insight/organisations/trondheim-kommune/capabilities/",
        "/organisations/trondheim-kommune/",
        f"/evaluation/challenges/{demo['not_awarded'].pk}/report/",
    ]
    _tour(new_page, audit, "procurer", procurer, email="procurer@trondheim.example.org")
    in_review = demo["in_review"]
    _tour(
        new_page,
        audit,
        "reviewer",
        [f"/challenges/{in_review.pk}/review/"],
        email="colleague@bergen.example.org",
    )

    evaluation, awarded = demo["under_evaluation"], demo["awarded"]
    proposal = demo["scored_proposal"]
    evaluator = [
        evaluation.get_absolute_url(),
        f"/evaluation/challenges/{evaluation.pk}/panel/",
        f"/evaluation/challenges/{evaluation.pk}/declarations/",
        f"/evaluation/challenges/{evaluation.pk}/scoring/",
        f"/evaluation/proposals/{proposal.pk}/sheet/",
        f"/evaluation/challenges/{evaluation.pk}/moderation/",
        f"/evaluation/challenges/{evaluation.pk}/report/",
        awarded.get_absolute_url(),
        f"/evaluation/challenges/{awarded.pk}/award/",
        f"/evaluation/challenges/{awarded.pk}/trials/",
        f"/evaluation/trials/{demo['trial'].pk}/",
        f"/evaluation/challenges/{awarded.pk}/report/",
    ]
    chair = _tour(
        new_page, audit, "evaluator (panel chair)", evaluator, email="procurer@rotterdam.example.org"
    )
    # The consensus sheet of a proposal that moderation offers.
    chair.goto(f"/evaluation/challenges/{evaluation.pk}/moderation/")
    consensus = chair.locator("main a[href*='/consensus/']").first.get_attribute("href")
    audit.visit(chair, "evaluator (panel chair)", consensus, signed_in=True)
    _assert_clean(audit, console_errors, len(procurer) + 2 + len(evaluator))


def test_every_programme_and_exchange_page_has_no_serious_axe_violation(new_page, console_errors, demo):
    from exchanges.surveys.models import Survey
    from portal.web.demo import DEMO_TOTP_SECRET

    audit = Audit(_axe_source())
    open_event, planning, reflected = demo["registration_open"], demo["planning"], demo["reflected"]
    participant = [
        f"/exchanges/events/{open_event.pk}/",
        f"/exchanges/events/{open_event.pk}/register/",
        "/exchanges/my/",
    ]
    _tour(new_page, audit, "participant", participant, email="colleague@tartu.example.org")
    answering = [f"/exchanges/events/{reflected.pk}/", f"/exchanges/events/{reflected.pk}/survey/reflection/"]
    _tour(new_page, audit, "participant after the exchange", answering, email="procurer@tartu.example.org")

    surveys = list(Survey.objects.order_by("pk").values_list("pk", flat=True))
    staff = [
        "/insight/",
        "/insight/programmes/build-staff-exchange-programme/",
        "/ideas/moderation/",
        "/surveys/",
        *[f"/surveys/{pk}/" for pk in surveys],
        *[f"/surveys/{pk}/results/" for pk in surveys],
        f"/surveys/{surveys[0]}/preview/",
        "/challenges/coach/rules/",
        "/audit/",
        f"/exchanges/{demo['programme'].slug}/events/new/",
        f"/exchanges/events/{open_event.pk}/planning/",
        f"/exchanges/events/{open_event.pk}/agenda/edit/",
        f"/exchanges/events/{open_event.pk}/participants/",
        f"/exchanges/events/{planning.pk}/planning/",
        f"/exchanges/events/{reflected.pk}/surveys/reflection/results/",
        f"/exchanges/events/{reflected.pk}/report/edit/",
        f"/case-studies/{demo['case_studies'][0].pk}/edit/",
        "/accounts/2fa/",
    ]
    _tour(
        new_page,
        audit,
        "programme staff",
        staff,
        email="staff@programme.example.org",
        totp_secret=DEMO_TOTP_SECRET,
    )
    _assert_clean(audit, console_errors, len(participant) + len(answering) + len(staff))


def test_every_chart_on_the_dashboards_has_a_data_table_with_the_same_figures(new_page, console_errors, demo):
    """Each SVG chart (role img) on the insight pages comes with a <table> in the same section: every
    category the chart names and every value it prints on a bar is in that table."""
    from portal.web.demo import DEMO_TOTP_SECRET

    page = new_page("programme staff")
    _sign_in(page, "staff@programme.example.org", totp_secret=DEMO_TOTP_SECRET)
    charts_checked, problems = 0, []
    for path in [
        "/insight/programmes/build-staff-exchange-programme/",
        "/insight/organisations/trondheim-kommune/",
        "/insight/organisations/trondheim-kommune/capabilities/",
    ]:
        page.goto(path)
        found = page.locator("main svg[role=img]").evaluate_all(CHART_AND_TABLE)
        if not found:
            problems.append(f"{path}: no chart")
        for chart in found:
            charts_checked += 1
            where = f"{path}: chart “{chart['title']}”"
            if not chart["table"]:
                problems.append(f"{where} has no data table in its section")
                continue
            if not chart["categories"]:
                problems.append(f"{where} names no categories")
            if chart["missing"]:
                problems.append(f"{where} shows {chart['missing']}, not in the table “{chart['table']}”")
    assert problems == [], "\n".join(problems)
    assert charts_checked >= 5
    assert console_errors == []


# For each chart: the nearest table in its section (or an enclosing section), and which of the chart's
# category names (.chart-category) and printed values (.chart-value) are missing from that table's cells.
# Whitespace is ignored (a category drawn on two lines is the same words as the cell), and a value is a
# number: "12.5 %" on a bar is the cell "12.5" under a "share (%)" header.
CHART_AND_TABLE = """svgs => svgs.map(svg => {
  const squeeze = text => text.replace(/[\\s\\u00a0\\u202f]+/g, "");
  const number = text => {
    const bare = squeeze(text).replace(/%$/, "").replace(/,/g, "");
    return /^-?\\d+(\\.\\d+)?$/.test(bare) ? Number(bare) : null;
  };
  let scope = svg.closest("section");
  while (scope && !scope.querySelector("table")) {
    scope = scope.parentElement && scope.parentElement.closest("section");
  }
  const table = scope ? scope.querySelector("table") : null;
  const cells = table ? Array.from(table.querySelectorAll("th, td"), cell => cell.textContent) : [];
  const words = cells.map(squeeze);
  const numbers = cells.map(number).filter(value => value !== null);
  const texts = selector => Array.from(svg.querySelectorAll(selector), node => node.textContent.trim());
  const categories = texts(".chart-category");
  const values = texts(".chart-value");
  const inTable = text => {
    const value = number(text);
    return value === null ? words.includes(squeeze(text)) : numbers.some(n => Math.abs(n - value) < 0.051);
  };
  return {
    title: (svg.querySelector("title") || {}).textContent || "",
    table: table ? (table.caption ? table.caption.textContent.trim() : "(no caption)") : "",
    categories,
    missing: [...categories, ...values].filter(text => !inTable(text)),
  };
})"""
