"""A small crawler for the fuzz suite: it walks the site as one signed-in person with the Django test
client, and collects every link and every HTML form it finds (action, method, fields with their kind,
options and current value). The fuzz tests then post hostile data to those forms, so a form added to the
portal is fuzzed without anyone listing it here."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

# Never followed: signing out ends the crawl's session; the admin is Django's own; files are not pages.
SKIP_PREFIXES = ("/accounts/logout", "/static/", "/media/", "/i18n/", "/health/")
SKIP_SUFFIXES = (".ics", ".csv", ".json", ".atom", ".pdf", ".png", ".jpg", ".svg")
# Pages whose GET changes state or that stream files: not followed from a link (their forms are reached
# elsewhere). A role's seeds may name one on purpose: an emailed link opened by someone signed in changes
# nothing (tests/fuzz/state.py).
SKIP_URL_NAMES = {"unsubscribe", "invitation-accept", "evaluator-invitation", "partner-invitation-token"}

# Pages that look different for an object in another state (a draft, a published, a closed challenge):
# the crawler visits one per state: URL name -> (model, field holding the state) of the `pk` in the URL.
_CHALLENGE = ("challenges.Challenge", "status")
STATE_OF = {
    "challenge-detail": _CHALLENGE,
    "challenge-preview": _CHALLENGE,
    "question-list": _CHALLENGE,
    "panel": _CHALLENGE,
    "declarations": _CHALLENGE,
    "scoring": _CHALLENGE,
    "moderation": _CHALLENGE,
    "award": _CHALLENGE,
    "report": _CHALLENGE,
    "trial-list": _CHALLENGE,
    "board": _CHALLENGE,
    "proposal-detail": ("suppliers.Proposal", "status"),
    "proposal-edit": ("suppliers.Proposal", "status"),
    "consortium": ("suppliers.Proposal", "status"),
    "sheet": ("suppliers.Proposal", "status"),
    "idea-detail": ("ideas.Idea", "status"),
    "event-detail": ("exchanges.ExchangeEvent", "status"),
    "event-planning": ("exchanges.ExchangeEvent", "status"),
    "report-detail": ("exchanges.ExchangeEvent", "status"),
    "survey-detail": ("surveys.Survey", "status"),
    "case-study-detail": ("casestudies.CaseStudy", "status"),
}

SEEDS = [
    "/",
    "/challenges/",
    "/challenges/organisation/",
    "/challenges/following/",
    "/challenges/saved-searches/",
    "/challenges/questions/mine/",
    "/challenges/coach/rules/",
    "/challenges/coach/try/",
    "/suppliers/",
    "/suppliers/proposals/",
    "/suppliers/consortium-invitations/",
    "/exchanges/",
    "/exchanges/my/",
    "/exchanges/case-studies/",
    "/surveys/",
    "/ideas/",
    "/ideas/new/",
    "/ideas/mine/",
    "/ideas/moderation/",
    "/case-studies/",
    "/insight/",
    "/audit/",
    "/notifications/",
    "/notifications/preferences/",
    "/account/profile/",
    "/organisations/",
    "/organisations/new/",
    "/open-data/",
    "/challenges/new/",
    "/challenges/coach/rules/new/",
    "/exchanges/programmes/new/",
    "/insight/programmes/new/",
    "/surveys/new/",
]


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, select-multiple, checkbox, radio, file, hidden, number, email, ...
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    page: str
    action: str
    method: str
    enctype: str
    fields: list[Field]
    buttons: list[tuple[str, str]]  # named submit buttons

    @property
    def url_name(self) -> str:
        return url_name(self.action)

    @property
    def signature(self) -> tuple:
        names = sorted({f.name for f in self.fields if f.name != "csrfmiddlewaretoken"})
        return (self.method, self.url_name, tuple(names))


def url_name(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return "?"
    return f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)


def page_kind(path: str) -> str:
    """The URL name plus the arguments that pick a different page rather than a different object: the
    editor's step, the survey's "pre"/"reflection", a dashboard section."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return "?"
    name = url_name(path)
    extra = [f"{k}={v}" for k, v in sorted(match.kwargs.items()) if k in {"step", "which", "section"}]
    if (state := STATE_OF.get(name.split(":")[-1])) and "pk" in match.kwargs:
        model_label, field_name = state
        model = apps.get_model(model_label)
        extra.append(str(model.objects.filter(pk=match.kwargs["pk"]).values_list(field_name).first()))
    return ":".join([name, *extra])


class _PageParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form":
            self._form = Form(
                page=self.page,
                action=urljoin(self.page, a.get("action") or self.page),
                method=(a.get("method") or "get").lower(),
                enctype=a.get("enctype", ""),
                fields=[],
                buttons=[],
            )
        elif self._form is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            name = a.get("name")
            if not name:
                return
            if kind in {"submit", "image"}:
                self._form.buttons.append((name, a.get("value", "")))
            elif kind == "button" or kind == "reset":
                return
            else:
                self._form.fields.append(
                    Field(
                        name, kind, a.get("value", "on" if kind == "checkbox" else ""), checked="checked" in a
                    )
                )
        elif tag == "button":
            if a.get("name") and a.get("type", "submit") == "submit":
                self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = Field(a["name"], "select-multiple" if "multiple" in a else "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse(page: str, html: str) -> _PageParser:
    parser = _PageParser(page)
    parser.feed(html)
    parser.close()
    return parser


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in {"", "http", "https"} or parts.netloc not in {"", "testserver"}:
        return None
    path = parts.path
    admin = "/" + settings.ADMIN_URL.strip("/") + "/" if hasattr(settings, "ADMIN_URL") else "/django-admin/"
    if path.startswith(SKIP_PREFIXES) or path.startswith(admin) or path.endswith(SKIP_SUFFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def seeds_for(user) -> list[str]:
    """Pages about the person's own things, which links from the lists may not reach in a short crawl:
    their organisations' challenges (in every state), the panels they sit on, their proposals and
    profile; and, for programme staff, the challenges waiting for review."""
    from challenges.evaluation.models import Evaluator
    from challenges.models import Challenge
    from portal.accounts.models import Organisation
    from suppliers.models import Proposal

    organisations = list(Organisation.objects.filter(memberships__user=user).values_list("pk", "slug"))
    organisation_ids = [pk for pk, _slug in organisations]
    seeds = []
    for slug in (slug for _pk, slug in organisations):
        seeds += [f"/organisations/{slug}/", f"/suppliers/{slug}/", f"/suppliers/{slug}/edit/"]
        seeds += [f"/insight/organisations/{slug}/", f"/insight/organisations/{slug}/volumes/"]
        seeds += [f"/insight/organisations/{slug}/capabilities/", f"/audit/organisations/{slug}/"]
    for pk in Challenge.objects.filter(owner_id__in=organisation_ids).values_list("pk", flat=True):
        seeds += [f"/challenges/{pk}/", f"/challenges/{pk}/preview/", f"/challenges/{pk}/questions/"]
        seeds += [f"/challenges/{pk}/amend/", f"/challenges/{pk}/deadline/", f"/challenges/{pk}/cancel/"]
        seeds += [f"/evaluation/challenges/{pk}/panel/", f"/evaluation/challenges/{pk}/award/"]
    panels = Evaluator.objects.filter(user=user, removed_at__isnull=True).values_list(
        "challenge_id", flat=True
    )
    for pk in panels:
        seeds += [
            f"/evaluation/challenges/{pk}/{page}/"
            for page in ("panel", "declarations", "scoring", "moderation", "report", "trials", "award")
        ]
        for proposal in Proposal.objects.filter(challenge_id=pk).values_list("pk", flat=True):
            seeds += [
                f"/evaluation/proposals/{proposal}/sheet/",
                f"/evaluation/proposals/{proposal}/consensus/",
            ]
    for pk in Proposal.objects.filter(supplier_id__in=organisation_ids).values_list("pk", flat=True):
        seeds += [f"/suppliers/proposals/{pk}/", f"/suppliers/proposals/{pk}/edit/"]
        seeds += [f"/suppliers/proposals/{pk}/consortium/"]
    if getattr(user, "is_programme_staff", False):
        for pk in Challenge.objects.filter(status="in_review").values_list("pk", flat=True):
            seeds.append(f"/challenges/{pk}/review/")
    return seeds


@dataclass
class CrawlResult:
    pages: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    query_pages: dict[str, set[str]] = field(default_factory=dict)  # path -> query parameter names seen


def crawl(client: Client, *, per_name: int = 1, limit: int = 250, seeds=SEEDS, check=None) -> CrawlResult:
    """Breadth-first over the site as the client's person: at most `per_name` pages per kind of page
    (challenge 1 and challenge 2 are the same page to a fuzzer, a draft and a published one are not), and
    at most `limit` pages. `check(url, html)`, if given, is called with every HTML page."""
    result = CrawlResult()
    seen_urls: set[str] = set()
    per_name_count: dict[str, int] = {}
    queue = deque(seeds)
    chosen = {_local(seed) for seed in seeds}
    while queue and len(result.pages) < limit:
        url = _local(queue.popleft())
        if url is None or url in seen_urls:
            continue
        seen_urls.add(url)
        path, _, query = url.partition("?")
        name = url_name(path)
        if name == "?" or (name.split(":")[-1] in SKIP_URL_NAMES and url not in chosen):
            continue
        if query:
            result.query_pages.setdefault(path, set()).update(k for k, _ in parse_qsl(query))
        key = page_kind(path) + ("?" if query else "")
        if per_name_count.get(key, 0) >= per_name:
            continue
        response = client.get(url)
        assert response.status_code < 500, f"GET {url} answered {response.status_code}"
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        per_name_count[key] = per_name_count.get(key, 0) + 1  # a page refused does not use up its kind
        result.pages.append(url)
        html = response.content.decode(errors="replace")
        if check is not None:
            check(url, html)
        parsed = parse(url, html)
        for form in parsed.forms:
            form.action = _local(form.action) or form.action
            result.forms.append(form)
            if form.method == "get":
                path_only = urlsplit(form.action).path
                result.query_pages.setdefault(path_only, set()).update(f.name for f in form.fields if f.name)
        queue.extend(parsed.links)
    return result


NON_TEXT_KINDS = {"hidden", "file", "checkbox", "radio", "select", "select-multiple", "password"}
ERROR_MARKERS = re.compile(r"is-invalid|errorlist|invalid-feedback|alert-danger")
