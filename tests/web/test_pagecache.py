"""The public page cache (portal/web/pagecache.py): anonymous visitors of the public pages are served from
the cache until the data changes; nobody else ever is, and nothing personal is ever stored."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from challenges.enums import PUBLIC_STATUSES, ChallengeStatus
from challenges.evaluation.enums import AwardDecision
from portal.accounts.models import User
from portal.web import pagecache
from suppliers.enums import ProposalStatus
from tests.factories.accounts import (
    PASSWORD,
    BuyerFactory,
    InvitationFactory,
    MembershipFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
    UserFactory,
)
from tests.factories.audit import AuditEventFactory
from tests.factories.casestudies import CaseStudyFactory, PublishedCaseStudyFactory
from tests.factories.challenges import (
    AmendmentFactory,
    ChallengeDocumentFactory,
    ChallengeFactory,
    ClarificationFactory,
    CoachRuleFactory,
    CriterionFactory,
    FollowFactory,
    OutcomeFactory,
    PublishedChallengeFactory,
    ReviewFactory,
    SavedSearchFactory,
    ThemeFactory,
)
from tests.factories.evaluation import (
    AwardedProposalFactory,
    AwardFactory,
    BidderFeedbackFactory,
    ConflictDeclarationFactory,
    ConsensusScoreFactory,
    PanelFactory,
    ScoreFactory,
    ScoreSheetFactory,
    TrialFactory,
    TrialResultFactory,
)
from tests.factories.exchanges import (
    CalendarFeedFactory,
    CaseStudyReportFactory,
    ExchangeEventFactory,
    PublishedAgendaSessionFactory,
    RegistrationFactory,
)
from tests.factories.ideas import IdeaSupportFactory, PublishedIdeaFactory
from tests.factories.insight import CapabilityAssessmentFactory, ProcurementVolumeFactory, ProgrammeFactory
from tests.factories.notifications import (
    EmailPreferenceFactory,
    NotificationFactory,
    OutboxMailFactory,
    ReminderRecordFactory,
)
from tests.factories.suppliers import (
    AcceptedPartnerFactory,
    CapabilityTagFactory,
    ConsortiumPartnerFactory,
    CriterionAnswerFactory,
    EvaluatorFactory,
    OutcomeAnswerFactory,
    PartnerConversationFactory,
    PartnerMessageFactory,
    PartnerPostFactory,
    PriceLineFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    ReceiptFactory,
    SubmittedProposalFactory,
    SupplierProfileFactory,
    SupplierReferenceFactory,
)
from tests.factories.surveys import (
    AnswerFactory,
    ChoiceFactory,
    CompletionFactory,
    OpenSurveyFactory,
    QuestionFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    cache.clear()
    pages().clear()
    yield
    cache.clear()
    pages().clear()


def pages():
    return caches[pagecache.PAGES_CACHE]


@pytest.fixture
def public_urls() -> dict[str, str]:
    """One URL of every page marked @public_page."""
    challenge = PublishedChallengeFactory()
    profile = SupplierProfileFactory()
    event = ExchangeEventFactory(agenda_published_at=timezone.now())
    PublishedAgendaSessionFactory(event=event)
    case_study = PublishedCaseStudyFactory()
    idea = PublishedIdeaFactory()
    return {
        "home": reverse("web:home"),
        "challenge list": reverse("challenges:challenge-list"),
        "search": reverse("challenges:challenge-list") + "?q=water&status=all",
        "challenge": challenge.get_absolute_url(),
        "directory": reverse("suppliers:directory"),
        "profile": reverse("suppliers:profile-detail", kwargs={"slug": profile.organisation.slug}),
        "programmes": reverse("exchanges:programme-list"),
        "programme": reverse("exchanges:programme-detail", kwargs={"slug": event.programme.slug}),
        "event": reverse("exchanges:event-detail", kwargs={"pk": event.pk}),
        "agenda": reverse("exchanges:event-agenda", kwargs={"pk": event.pk}),
        "case studies": reverse("casestudies:case-study-list"),
        "case study": reverse("casestudies:case-study-detail", kwargs={"pk": case_study.pk}),
        "ideas": reverse("ideas:idea-list"),
        "idea": reverse("ideas:idea-detail", kwargs={"pk": idea.pk}),
    }


def test_every_public_page_is_served_from_the_cache_the_second_time(public_urls, django_assert_num_queries):
    for name, url in public_urls.items():
        client = Client()
        first = client.get(url)
        assert first.status_code == 200, name
        # Nothing personal in it: no CSRF cookie or session cookie was set for the visitor.
        assert not first.cookies, f"{name}: {list(first.cookies)}"
        with django_assert_num_queries(0):
            second = Client().get(url)
        assert second.status_code == 200
        assert second.content == first.content, name
        # The middleware's response phase ran on it: the security headers are those of a fresh page.
        for header in ("Content-Security-Policy", "X-Content-Type-Options", "Content-Language"):
            assert second[header] == first[header], (name, header)
        assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"], name


def test_a_signed_in_person_is_never_served_the_anonymous_page(client, public_urls):
    url = public_urls["challenge list"]
    anonymous = Client().get(url).content.decode()
    assert "Create an account" in anonymous
    client.force_login(MembershipFactory().user)
    page = client.get(url).content.decode()
    assert "Sign out" in page and "Create an account" not in page


def test_a_visitor_with_a_message_to_see_gets_a_fresh_page(public_urls):
    url = public_urls["challenge list"]
    Client().get(url)  # cached
    visitor = Client()
    visitor.cookies[CookieStorage.cookie_name] = "anything"
    key_before = set(pages()._cache)  # locmem's own store: what is cached
    visitor.get(url)
    assert set(pages()._cache) == key_before  # nothing stored for a request with a messages cookie


def test_each_language_has_its_own_page(public_urls, settings):
    url = public_urls["challenge list"]
    english = Client().get(url)
    norwegian_visitor = Client()
    norwegian_visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    norwegian = norwegian_visitor.get(url)
    assert english["Content-Language"] == "en" and norwegian["Content-Language"] == "nb"
    assert '<html lang="nb"' in norwegian.content.decode()
    assert Client().get(url).content == english.content
    assert norwegian_visitor.get(url).content == norwegian.content


def test_a_write_expires_the_public_pages_once_it_commits(public_urls, django_capture_on_commit_callbacks):
    url = public_urls["challenge list"]
    assert "Heat islands in schoolyards" not in Client().get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        PublishedChallengeFactory(title="Heat islands in schoolyards")
    assert "Heat islands in schoolyards" in Client().get(url).content.decode()


def test_writes_to_private_tables_do_not_expire_the_pages(public_urls, django_capture_on_commit_callbacks):
    from portal.notifications.models import Notification

    user = UserFactory()
    Client().get(public_urls["home"])
    generation = cache.get(pagecache.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        Notification.objects.create(recipient=user, kind="test", title="A private note")
    assert cache.get(pagecache.GENERATION_KEY) == generation
    with django_capture_on_commit_callbacks(execute=True):
        PublishedChallengeFactory()
    assert cache.get(pagecache.GENERATION_KEY) != generation


def test_a_lost_generation_never_brings_back_an_old_page(public_urls):
    from challenges.models import Challenge

    url = public_urls["challenge"]
    pk = int(url.strip("/").split("/")[-1])
    Client().get(url)
    # A bulk UPDATE sends no signal: the stored page stands for the rest of its lifetime…
    Challenge.objects.filter(pk=pk).update(title="Renamed without a signal")
    assert "Renamed without a signal" not in Client().get(url).content.decode()
    # …and if the generation is lost (evicted), a new one starts: no page stored before is served.
    cache.delete(pagecache.GENERATION_KEY)
    assert "Renamed without a signal" in Client().get(url).content.decode()


def test_the_cache_is_off_at_zero_seconds(public_urls, settings, django_assert_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    url = public_urls["challenge list"]
    Client().get(url)
    response = Client().get(url)
    assert response.status_code == 200
    assert not pages()._cache


# What is never stored, whatever the view: the middleware alone, with views made for the purpose.


def _served(view, request=None):
    """Runs a @public_page view twice through the middleware; True when the second came from the cache."""
    calls = []

    def counted(request):
        calls.append(1)
        return view(request)

    marked = pagecache.public_page(counted)
    middleware = pagecache.PublicPageCacheMiddleware(lambda request: marked(request))
    for _ in range(2):
        request = RequestFactory().get("/some/page/")
        request.LANGUAGE_CODE = "en"
        request.session = _Session()
        middleware.process_view(request, marked, (), {}) or middleware(request)
    return len(calls) == 1


class _Session(dict):
    modified = False


@pytest.mark.parametrize(
    "view, why",
    [
        (lambda request: HttpResponse("ok", status=404), "not a 200"),
        (lambda request: (get_token(request), HttpResponse("form"))[1], "it used a CSRF token"),
        (lambda request: _with_cookie(HttpResponse("ok")), "it set a cookie"),
        (lambda request: _private(HttpResponse("ok")), "Cache-Control: private"),
        (lambda request: _modified_session(request), "it wrote to the session"),
    ],
)
def test_a_page_that_touched_something_personal_is_not_stored(view, why):
    assert not _served(view), why


def test_a_plain_page_is_stored():
    assert _served(lambda request: HttpResponse("ok"))


def test_only_get_is_served_from_the_cache(public_urls):
    url = public_urls["challenge list"]
    Client().get(url)
    assert Client().head(url).status_code == 200
    assert Client().post(url).status_code == 405  # the view answers, not the cache


def _with_cookie(response):
    response.set_cookie("tracking", "1")
    return response


def _private(response):
    response["Cache-Control"] = "private"
    return response


def _modified_session(request):
    request.session.modified = True
    return HttpResponse("ok")


def test_the_language_can_be_chosen_without_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "nb", "next": "/challenges/"})
    assert response.status_code == 302 and response["Location"] == "/challenges/"
    assert client.cookies["django_language"].value == "nb"
    # …and it still never redirects off the site.
    response = client.post(reverse("set_language"), {"language": "nb", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_deadline_passing_shows_within_the_cache_lifetime(settings, public_urls):
    """What changes with the clock alone is bounded by PUBLIC_PAGE_CACHE_SECONDS: the page is stored with
    that lifetime."""
    stored = []
    original = pages().set

    def spy(key, value, timeout=None, *args, **kwargs):
        stored.append(timeout)
        return original(key, value, timeout, *args, **kwargs)

    pages().set = spy
    try:
        Client().get(public_urls["challenge"])
    finally:
        del pages().set
    assert stored == [settings.PUBLIC_PAGE_CACHE_SECONDS]
    assert timedelta(seconds=stored[0]) <= timedelta(minutes=5)


def test_pages_are_kept_in_the_process_not_in_the_shared_cache(public_urls):
    """Made-up query strings cannot fill the shared Redis (broker queues, sign-in rate limits): the pages
    live in the bounded per-process cache; the shared one holds only the generation."""
    for n in range(5):
        Client().get(public_urls["challenge list"], {"made_up": n})
    assert len(pages()._cache) == 5
    assert [key for key in cache._cache if "pagecache" in key] == [
        key for key in cache._cache if pagecache.GENERATION_KEY in key
    ]
    assert pages()._max_entries == 500  # bounded: the oldest are culled


class _Down:
    """The shared cache (Redis) not answering."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Redis is down")

        return fail


def test_a_shared_cache_outage_fails_neither_writes_nor_pages(
    public_urls, monkeypatch, django_capture_on_commit_callbacks
):
    url = public_urls["challenge list"]
    Client().get(url)  # stored while the shared cache answered
    monkeypatch.setattr(pagecache, "cache", _Down())
    # A write commits and its request goes on, though the generation cannot be moved on.
    with django_capture_on_commit_callbacks(execute=True):
        PublishedChallengeFactory(title="Written while Redis was down")
    # Pages are rendered, not served from memory: a generation that cannot be read could hide that write.
    response = Client().get(url)
    assert response.status_code == 200
    assert "Written while Redis was down" in response.content.decode()


# Which writes expire the pages. Writes that no public page shows leave them alone: they would lower the hit
# rate whenever anyone works, and an anonymous visitor timing a page on a quiet portal could tell that
# someone is writing (a bidder autosaving before the deadline, a panel scoring, someone signing in).


def _expires(url: str, write, capture) -> bool:
    """Whether the write, once committed, makes the next anonymous request for the stored page render it
    again (True) rather than serve it from the cache."""
    Client().get(url)  # stored
    with CaptureQueriesContext(connection) as stored:
        assert Client().get(url).status_code == 200
    assert not stored.captured_queries  # served from the cache before the write
    with capture(execute=True):
        write()
    with CaptureQueriesContext(connection) as after:
        assert Client().get(url).status_code == 200
    return bool(after.captured_queries)


def _saved_and_deleted(make):
    """Setup: make one. The write: save it and delete it."""

    def setup():
        instance = make()

        def write():
            instance.save()
            instance.delete()

        return write

    return setup


def _added_and_removed(make):
    """Setup: make (manager, item). The write: a many-to-many add and remove."""

    def setup():
        manager, item = make()

        def write():
            manager.add(item)
            manager.remove(item)

        return write

    return setup


def _session():
    from django.contrib.sessions.models import Session

    return Session.objects.create(
        session_key="k" * 32, session_data="", expire_date=timezone.now() + timedelta(days=1)
    )


def _email_address():
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.create(user=UserFactory(), email="second@example.org", verified=False)


def _email_confirmation():
    from allauth.account.models import EmailConfirmation

    return EmailConfirmation.create(_email_address())


def _group():
    from django.contrib.auth.models import Group

    return Group.objects.create(name="Reviewers")


def _permission():
    from django.contrib.auth.models import Permission

    return Permission.objects.order_by("pk").first()


def _log_entry():
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    group = _group()
    return LogEntry.objects.create(
        user=UserFactory(),
        content_type=ContentType.objects.get_for_model(group),
        object_id=str(group.pk),
        object_repr=str(group),
        action_flag=ADDITION,
    )


def _audit_event():
    # The audit log is append-only: its write is an entry added.
    return AuditEventFactory


def _beat(model_name: str):
    def make():
        from django_celery_beat import models as beat

        now = timezone.now()
        return {
            "intervalschedule": lambda: beat.IntervalSchedule.objects.create(every=1, period="days"),
            "crontabschedule": lambda: beat.CrontabSchedule.objects.create(minute="5"),
            "clockedschedule": lambda: beat.ClockedSchedule.objects.create(clocked_time=now),
            "solarschedule": lambda: beat.SolarSchedule.objects.create(
                event="sunrise", latitude=Decimal("63.4"), longitude=Decimal("10.4")
            ),
            "periodictask": lambda: beat.PeriodicTask.objects.create(
                name="Send the digest",
                task="portal.notifications.tasks.send_digest",
                interval=beat.IntervalSchedule.objects.create(every=1, period="days"),
            ),
            "periodictasks": lambda: beat.PeriodicTasks.objects.create(ident=2, last_update=now),
        }[model_name]()

    return make


# One write for every model in PRIVATE_MODELS: setup (run before the page is stored) returns the write.
PRIVATE_MODEL_WRITES = {
    "sessions.session": _saved_and_deleted(_session),
    "account.emailaddress": _saved_and_deleted(_email_address),
    "account.emailconfirmation": _saved_and_deleted(_email_confirmation),
    "mfa.authenticator": _saved_and_deleted(TOTPAuthenticatorFactory),
    "accounts.user_groups": _added_and_removed(lambda: (UserFactory().groups, _group())),
    "accounts.user_user_permissions": _added_and_removed(
        lambda: (UserFactory().user_permissions, _permission())
    ),
    "auth.group": _saved_and_deleted(_group),
    "auth.group_permissions": _added_and_removed(lambda: (_group().permissions, _permission())),
    "admin.logentry": _saved_and_deleted(_log_entry),
    "accounts.membership": _saved_and_deleted(MembershipFactory),
    "accounts.invitation": _saved_and_deleted(InvitationFactory),
    "audit.auditevent": _audit_event,
    "notifications.notification": _saved_and_deleted(NotificationFactory),
    "notifications.outboxmail": _saved_and_deleted(OutboxMailFactory),
    "notifications.emailpreference": _saved_and_deleted(EmailPreferenceFactory),
    "notifications.reminderrecord": _saved_and_deleted(ReminderRecordFactory),
    **{
        f"django_celery_beat.{name}": _saved_and_deleted(_beat(name))
        for name in (
            "periodictask",
            "periodictasks",
            "intervalschedule",
            "crontabschedule",
            "clockedschedule",
            "solarschedule",
        )
    },
    "challenges.follow": _saved_and_deleted(FollowFactory),
    "challenges.savedsearch": _saved_and_deleted(SavedSearchFactory),
    "challenges.review": _saved_and_deleted(ReviewFactory),
    "challenges.coachrule": _saved_and_deleted(CoachRuleFactory),
    "suppliers.outcomeanswer": _saved_and_deleted(OutcomeAnswerFactory),
    "suppliers.criterionanswer": _saved_and_deleted(CriterionAnswerFactory),
    "suppliers.priceline": _saved_and_deleted(PriceLineFactory),
    "suppliers.proposaldocument": _saved_and_deleted(ProposalDocumentFactory),
    "suppliers.receipt": _saved_and_deleted(ReceiptFactory),
    "suppliers.consortiumpartner": _saved_and_deleted(ConsortiumPartnerFactory),
    "suppliers.partnerpost": _saved_and_deleted(PartnerPostFactory),
    "suppliers.partnerconversation": _saved_and_deleted(PartnerConversationFactory),
    "suppliers.partnermessage": _saved_and_deleted(PartnerMessageFactory),
    "evaluation.evaluator": _saved_and_deleted(EvaluatorFactory),
    "evaluation.conflictdeclaration": _saved_and_deleted(ConflictDeclarationFactory),
    "evaluation.scoresheet": _saved_and_deleted(ScoreSheetFactory),
    "evaluation.score": _saved_and_deleted(ScoreFactory),
    "evaluation.consensusscore": _saved_and_deleted(ConsensusScoreFactory),
    "evaluation.trial": _saved_and_deleted(TrialFactory),
    "evaluation.trialresult": _saved_and_deleted(TrialResultFactory),
    "exchanges.calendarfeed": _saved_and_deleted(CalendarFeedFactory),
    "surveys.question": _saved_and_deleted(QuestionFactory),
    "surveys.choice": _saved_and_deleted(ChoiceFactory),
    "surveys.response": _saved_and_deleted(ResponseFactory),
    "surveys.answer": _saved_and_deleted(AnswerFactory),
    "surveys.completion": _saved_and_deleted(CompletionFactory),
    "insight.programme": _saved_and_deleted(ProgrammeFactory),
    "insight.programme_buyers": _added_and_removed(lambda: (ProgrammeFactory().buyers, BuyerFactory())),
    "insight.procurementvolume": _saved_and_deleted(ProcurementVolumeFactory),
    "insight.capabilityassessment": _saved_and_deleted(CapabilityAssessmentFactory),
}


def test_every_private_model_has_its_write_tested():
    assert set(PRIVATE_MODEL_WRITES) == set(pagecache.PRIVATE_MODELS)


def _installed_labels() -> set[str]:
    return {model._meta.label_lower for model in apps.get_models(include_auto_created=True)}


def test_every_private_label_names_an_installed_model():
    """A misspelt label would leave its model bumping the generation, silently."""
    labels = set(pagecache.PRIVATE_MODELS) | set(pagecache.PRIVATE_WRITES)
    assert labels - _installed_labels() == set()


@pytest.mark.parametrize("label", sorted(PRIVATE_MODEL_WRITES))
def test_a_write_to_a_private_model_leaves_the_pages_alone(
    label, public_urls, django_capture_on_commit_callbacks
):
    write = PRIVATE_MODEL_WRITES[label]()
    signals = []

    def record(sender, **kwargs):
        signals.append(sender._meta.label_lower)

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(record, weak=False, dispatch_uid="test_pagecache.record")
    try:
        expired = _expires(public_urls["challenge"], write, django_capture_on_commit_callbacks)
    finally:
        for signal in (post_save, post_delete, m2m_changed):
            signal.disconnect(dispatch_uid="test_pagecache.record")
    assert label in signals  # the write did reach the cache's signal handler…
    assert not expired  # …and left the stored page in place


def _renamed(make, field: str, value):
    def setup():
        instance = make()

        def write():
            setattr(instance, field, value)
            instance.save()

        return write

    return setup


def _submitted():
    """A draft submitted, saved as the submission service saves it."""
    proposal = ProposalFactory()

    def write():
        proposal.status, proposal.submitted_at = ProposalStatus.SUBMITTED, timezone.now()
        proposal.save(
            update_fields=["status", "submitted_at", "withdrawn_at", "had_public_sector_sales", "updated_at"]
        )

    return write


# At least one write per app whose data a public page shows: each still expires the pages. As above, setup
# makes what the write needs, so that the write is the named model's alone.
PUBLIC_WRITES = {
    "accounts.organisation": _renamed(BuyerFactory, "name", "Trondheim kommune"),
    "accounts.user (name)": _renamed(UserFactory, "full_name", "Kari Nordmann"),
    "challenges.challenge": _renamed(PublishedChallengeFactory, "title", "Heat islands in schoolyards"),
    "challenges.clarification": _renamed(ClarificationFactory, "answer", "Yes."),
    "suppliers.supplierprofile": _renamed(SupplierProfileFactory, "description", "Sensors for homes."),
    "suppliers.proposal (submitted)": _submitted,
    "evaluation.bidderfeedback": _saved_and_deleted(BidderFeedbackFactory),
    "evaluation.award": _renamed(AwardFactory, "public_summary", "The best balance of impact and cost."),
    "exchanges.registration": _renamed(RegistrationFactory, "status", "cancelled"),
    "surveys.survey": _renamed(OpenSurveyFactory, "title", "Before the exchange"),
    "casestudies.casestudy": _renamed(PublishedCaseStudyFactory, "title", "What we learnt"),
    "ideas.ideasupport": _saved_and_deleted(IdeaSupportFactory),
}


@pytest.mark.parametrize("name", sorted(PUBLIC_WRITES))
def test_a_write_to_what_public_pages_show_expires_them(
    name, public_urls, django_capture_on_commit_callbacks
):
    write = PUBLIC_WRITES[name]()
    assert _expires(public_urls["challenge"], write, django_capture_on_commit_callbacks)


# Models a public page shows in part (PRIVATE_WRITES): people and proposals.


def test_signing_in_leaves_the_pages_alone(public_urls, django_capture_on_commit_callbacks):
    """Signing in writes the person's last_login (and a session, an audit entry…): no public page shows
    any of it, so a visitor timing the pages cannot tell when someone signs in."""
    user = UserFactory()
    person = Client()

    def sign_in():
        response = person.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302

    assert _expires(public_urls["challenge"], sign_in, django_capture_on_commit_callbacks) is False
    user.refresh_from_db()
    assert user.last_login is not None  # it did sign in, and last_login was written


def test_signing_up_leaves_the_pages_alone(public_urls, django_capture_on_commit_callbacks):
    """A new account is on no public page until a row names it (a registration, an idea): a visitor timing
    the pages cannot tell that someone signed up."""
    newcomer = Client()

    def sign_up():
        response = newcomer.post(
            reverse("account_signup"),
            {
                "full_name": "Nina Ny",
                "email": "nina@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert response.status_code == 302

    assert _expires(public_urls["challenge"], sign_up, django_capture_on_commit_callbacks) is False
    assert User.objects.filter(email="nina@example.org", full_name="Nina Ny").exists()


def test_a_new_account_named_on_a_public_page_expires_it(django_capture_on_commit_callbacks):
    """What shows a new person is the row that names them: registering as a speaker expires the agenda."""
    event = ExchangeEventFactory(agenda_published_at=timezone.now())
    agenda_session = PublishedAgendaSessionFactory(event=event)
    url = reverse("exchanges:event-agenda", kwargs={"pk": event.pk})

    def new_speaker():
        speaker = RegistrationFactory(event=event, user=UserFactory(full_name="Astrid Nyland"))
        agenda_session.speakers.add(speaker)

    assert _expires(url, new_speaker, django_capture_on_commit_callbacks)
    assert "Astrid Nyland" in Client().get(url).content.decode()


def test_a_speakers_new_name_shows_on_the_agenda(django_capture_on_commit_callbacks):
    """A person's name is public (a speaker on an agenda): a change to it expires the pages."""
    event = ExchangeEventFactory(agenda_published_at=timezone.now())
    speaker = RegistrationFactory(event=event)
    PublishedAgendaSessionFactory(event=event).speakers.add(speaker)
    url = reverse("exchanges:event-agenda", kwargs={"pk": event.pk})

    def rename():
        speaker.user.full_name = "Ingrid Solberg"
        speaker.user.save(update_fields=["full_name", "language"])

    assert _expires(url, rename, django_capture_on_commit_callbacks)
    assert "Ingrid Solberg" in Client().get(url).content.decode()


def test_a_draft_proposal_never_expires_the_pages(public_urls, django_capture_on_commit_callbacks):
    """Started, autosaved (through the editor's own service), touched as adding a document touches it,
    deleted: a draft is seen by its bidders only."""
    from suppliers.services.proposals import save_proposal

    challenge = PublishedChallengeFactory()
    supplier = SupplierFactory()
    bidder = MembershipFactory(organisation=supplier).user
    url = public_urls["challenge"]
    assert not _expires(
        url,
        lambda: ProposalFactory(challenge=challenge, supplier=supplier, created_by=bidder),
        django_capture_on_commit_callbacks,
    )
    proposal = challenge.proposals.get()

    def autosave():
        result = save_proposal(
            proposal=proposal,
            by=bidder,
            values={"summary": "Sensors in 40 homes."},
            base_revision=proposal.revision,
        )
        assert result.changed == ["summary"]

    assert not _expires(url, autosave, django_capture_on_commit_callbacks)
    assert not _expires(
        url, lambda: proposal.save(update_fields=["updated_at"]), django_capture_on_commit_callbacks
    )
    proposal.refresh_from_db()
    assert not _expires(url, proposal.delete, django_capture_on_commit_callbacks)


def test_a_proposals_text_saved_after_submission_leaves_the_pages_alone(
    public_urls, django_capture_on_commit_callbacks
):
    """A withdrawn proposal is edited as a draft is: writes that name only its own text are private."""
    proposal = SubmittedProposalFactory(status=ProposalStatus.WITHDRAWN)
    proposal.summary = "A revised summary."
    write = lambda: proposal.save(update_fields=["summary", "revision", "updated_at"])  # noqa: E731
    assert not _expires(public_urls["challenge"], write, django_capture_on_commit_callbacks)


@pytest.mark.parametrize(
    "update_fields",
    [["status", "withdrawn_at", "updated_at"], ["supplier"], ["supplier_id"], ["challenge"], None],
)
def test_what_public_pages_read_of_a_submitted_proposal_expires_them(
    update_fields, public_urls, django_capture_on_commit_callbacks
):
    """Its status (withdrawing it, as the service saves it), whose it is (the award notice names the
    winners), its challenge, or a save that does not say what it changed."""
    proposal = SubmittedProposalFactory()
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.supplier = SupplierFactory()
    write = lambda: proposal.save(update_fields=update_fields)  # noqa: E731
    assert _expires(public_urls["challenge"], write, django_capture_on_commit_callbacks)


def test_a_submitted_proposal_deleted_expires_the_pages(public_urls, django_capture_on_commit_callbacks):
    proposal = SubmittedProposalFactory()
    assert _expires(public_urls["challenge"], proposal.delete, django_capture_on_commit_callbacks)


def test_the_award_notice_shows_a_winners_new_supplier(django_capture_on_commit_callbacks):
    """Why a proposal's supplier is public: the notice names it."""
    winner = AwardedProposalFactory()
    url = winner.award.challenge.get_absolute_url()
    new_supplier = SupplierFactory(name="Nordic Sensors AS")

    def change():
        winner.proposal.supplier = new_supplier
        winner.proposal.save(update_fields=["supplier"])

    assert _expires(url, change, django_capture_on_commit_callbacks)
    assert "Nordic Sensors AS" in Client().get(url).content.decode()


# The gate: no public page, as an anonymous visitor sees it, reads the table of a model listed as private.


def _public_views() -> set:
    found = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif getattr(pattern.callback, "public_page", False):
                found.add(pattern.callback)

    walk(get_resolver().url_patterns)
    return found


@pytest.fixture
def every_public_page() -> dict[str, str]:
    """Every @public_page view over data that fills each of its panels: an awarded challenge with its
    winners, bids, statement, amendments, answered questions, origin idea and case study, and the private
    data around it (proposals' contents, the panel's scores, the partner board, follows); an open one; a
    listed supplier with references and tags; an event with its agenda, speakers and surveys; a published
    reflection report written up as a case study; ideas with supporters."""
    theme = ThemeFactory()
    award = AwardFactory(public_summary="Chosen for its impact.")
    challenge = award.challenge
    challenge.themes.add(theme)
    winner = AwardedProposalFactory(award=award)
    BidderFeedbackFactory(award=award, proposal=winner.proposal)
    AcceptedPartnerFactory(proposal=winner.proposal)
    OutcomeAnswerFactory(proposal=winner.proposal)
    PriceLineFactory(proposal=winner.proposal)
    ReceiptFactory(proposal=winner.proposal)
    ProposalFactory(challenge=challenge)  # a draft never submitted
    OutcomeFactory(challenge=challenge)
    CriterionFactory(challenge=challenge)
    AmendmentFactory(challenge=challenge)
    ClarificationFactory(challenge=challenge, status="public", public_question="May we?", answer="Yes.")
    ClarificationFactory(challenge=challenge)  # not answered yet
    ChallengeDocumentFactory(challenge=challenge)
    PanelFactory(challenge=challenge)
    evaluator = EvaluatorFactory(challenge=challenge)
    ScoreSheetFactory(evaluator=evaluator, proposal=winner.proposal)
    TrialFactory(proposal=winner.proposal)
    PartnerMessageFactory(
        conversation=PartnerConversationFactory(post=PartnerPostFactory(challenge=challenge))
    )
    FollowFactory(challenge=challenge)
    idea = PublishedIdeaFactory(challenge=challenge)
    idea.themes.add(theme)
    IdeaSupportFactory(idea=idea)
    case_study = PublishedCaseStudyFactory(challenge=challenge)
    case_study.themes.add(theme)
    CaseStudyFactory()  # a draft
    open_challenge = PublishedChallengeFactory()
    open_challenge.themes.add(theme)
    PartnerPostFactory(challenge=open_challenge)
    profile = SupplierProfileFactory()
    SupplierReferenceFactory(profile=profile)
    profile.capability_tags.add(CapabilityTagFactory())
    event = ExchangeEventFactory(
        agenda_published_at=timezone.now(),
        pre_survey=OpenSurveyFactory(),
        reflection_survey=OpenSurveyFactory(),
    )
    speaker = RegistrationFactory(event=event)
    CompletionFactory(survey=event.pre_survey, user=speaker.user)
    AnswerFactory(response=ResponseFactory(survey=event.pre_survey, respondent=speaker.user))
    CalendarFeedFactory(user=speaker.user)
    session = PublishedAgendaSessionFactory(event=event)
    session.speakers.add(speaker)
    session.challenges.add(open_challenge)
    session.case_studies.add(case_study)
    report = CaseStudyReportFactory()
    directory = reverse("suppliers:directory")
    challenges = reverse("challenges:challenge-list")
    return {
        "home": reverse("web:home"),
        "challenge list": challenges,
        "every challenge": f"{challenges}?status=all",
        "search": f"{challenges}?q=water&status=all&theme={theme.slug}",
        "awarded challenge": challenge.get_absolute_url(),
        "open challenge": open_challenge.get_absolute_url(),
        "directory": directory,
        "directory search": f"{directory}?q=a&tag={profile.capability_tags.get().slug}&public_references=on",
        "profile": reverse("suppliers:profile-detail", kwargs={"slug": profile.organisation.slug}),
        "programmes": reverse("exchanges:programme-list"),
        "programme": reverse("exchanges:programme-detail", kwargs={"slug": event.programme.slug}),
        "programme with a report": reverse(
            "exchanges:programme-detail", kwargs={"slug": report.event.programme.slug}
        ),
        "event": reverse("exchanges:event-detail", kwargs={"pk": event.pk}),
        "event with a report": reverse("exchanges:event-detail", kwargs={"pk": report.event.pk}),
        "agenda": reverse("exchanges:event-agenda", kwargs={"pk": event.pk}),
        "case studies": reverse("casestudies:case-study-list"),
        "case study": reverse("casestudies:case-study-detail", kwargs={"pk": case_study.pk}),
        "case study from a report": reverse(
            "casestudies:case-study-detail", kwargs={"pk": report.case_study.pk}
        ),
        "ideas": reverse("ideas:idea-list"),
        "idea": reverse("ideas:idea-detail", kwargs={"pk": idea.pk}),
    }


def test_the_gate_renders_every_public_page(every_public_page):
    """A new @public_page view must be added to every_public_page, so that the gate reads it."""
    assert {resolve(url.split("?")[0]).func for url in every_public_page.values()} == _public_views()


def _models_read(url: str) -> set[str]:
    tables = {
        model._meta.db_table: model._meta.label_lower for model in apps.get_models(include_auto_created=True)
    }
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url)
    assert response.status_code == 200, url
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    return {label for table, label in tables.items() if f'"{table}"' in sql}


def test_no_public_page_reads_a_private_model(every_public_page):
    read = {name: _models_read(url) for name, url in every_public_page.items()}
    leaks = {name: labels & pagecache.PRIVATE_MODELS for name, labels in read.items()}
    assert {name: labels for name, labels in leaks.items() if labels} == {}
    everything = set().union(*read.values())
    # The gate sees what it should: the models public pages show in part, and what the award notice counts.
    assert {*pagecache.PRIVATE_WRITES, "evaluation.bidderfeedback", "exchanges.registration"} <= everything


@pytest.mark.parametrize("status", PUBLIC_STATUSES)
def test_no_challenge_page_reads_a_private_model_whatever_the_status(status):
    """The gate above builds an awarded and an open challenge; the challenge page and the lists show other
    panels in the other public statuses (closed, under evaluation, not awarded, cancelled)."""
    deadline = timezone.now() + (
        timedelta(days=5) if status == ChallengeStatus.PUBLISHED else -timedelta(days=2)
    )
    challenge = ChallengeFactory(
        status=status, submission_deadline=deadline, questions_deadline=deadline - timedelta(days=1)
    )
    bid = SubmittedProposalFactory(challenge=challenge)
    AcceptedPartnerFactory(proposal=bid)
    PanelFactory(challenge=challenge)
    EvaluatorFactory(challenge=challenge)
    TrialFactory(proposal=bid)
    FollowFactory(challenge=challenge)
    PartnerPostFactory(challenge=challenge)
    if status in (ChallengeStatus.AWARDED, ChallengeStatus.NOT_AWARDED):
        decision = AwardDecision.AWARD if status == ChallengeStatus.AWARDED else AwardDecision.NO_AWARD
        BidderFeedbackFactory(award=AwardFactory(challenge=challenge, decision=decision), proposal=bid)
    urls = [
        challenge.get_absolute_url(),
        reverse("challenges:challenge-list") + "?status=all",
        reverse("web:home"),
    ]

    assert {url: _models_read(url) & pagecache.PRIVATE_MODELS for url in urls} == {url: set() for url in urls}
