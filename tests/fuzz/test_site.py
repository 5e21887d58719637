"""Hostile posts to every form and hostile query strings to every page, as the person who sees it.

One module, so the demo data set is loaded and crawled once (the ``site`` fixture is module-scoped). The
demo is topped up with the moments it does not show (tests/fuzz/state.py): a trial awaiting results, an
evaluator who has not declared, an unanswered question, a pending consortium invitation…

Forms:

The crawler (tests/fuzz/crawl.py) signs in as each demo role, walks the site and collects every form it
finds; each distinct form (its view and field names) is fuzzed once, by the first role in ROLES that met
it. Each example posts Hypothesis-drawn data — values for the field's kind, hostile values, repeated
keys, left-out fields, stray files — inside a savepoint rolled back afterwards, and asserts:

* the answer is never a 500 (the test client re-raises a view's exception, so a crash fails too);
* an invalid post re-renders the form with what was typed still in its text fields.

Query strings and paths:

The pages are those the crawler met with a query string or a GET form (search, filters, pagination,
sorting, dashboards' periods) plus the list pages; each is asked for with Hypothesis-drawn parameters —
its own and the usual q, page, sort, ids… — holding random text, huge and negative numbers, NUL bytes,
non-ASCII digits, and repeated keys. Every page that takes a number in its path is also asked for with
numbers no row has and no column holds. Nothing may answer 500.

The gate:

The last test fails when a form class in one of the project's forms*.py modules received no fuzzed data
and NOT_FUZZED does not say why, so a form added to a page no demo role reaches is noticed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.forms import BaseForm
from django.urls import resolve, reverse
from hypothesis import example, given

from tests.fuzz.conftest import ROLES
from tests.fuzz.crawl import ERROR_MARKERS, NON_TEXT_KINDS, Form, page_kind, parse, url_name
from tests.fuzz.strategies import form_data, query_params

# Forms that are not fuzzed, and why.
SKIP = {
    "account_logout": "signing out ends the crawl's session; it takes no input",
    "set_language": "Django's own view, it only sets a cookie",
}

# Text fields whose re-rendered value is, on purpose, not the posted text.
NORMALISED = {
    ("account_login", "password"): "passwords are never sent back",
    ("account_signup", "password1"): "passwords are never sent back",
    ("account_signup", "password2"): "passwords are never sent back",
    ("account_change_password", "oldpassword"): "passwords are never sent back",
    ("account_change_password", "password1"): "passwords are never sent back",
    ("account_change_password", "password2"): "passwords are never sent back",
    ("idea-create", "website"): "the honeypot for bots is always rendered empty",
}


def forms_for(site, role: str) -> list[Form]:
    """The distinct forms first met by `role` (in the order of ROLES), POST only."""
    owner: dict[tuple, tuple[str, Form]] = {}
    for each in ROLES:
        for form in site.maps[each].forms if each in site.maps else ():
            if form.method == "post" and form.url_name.split(":")[-1] not in SKIP:
                owner.setdefault(form.signature, (each, form))
    return [form for who, form in owner.values() if who == role]


def _last(value):
    return value[-1] if isinstance(value, list) else value


def _norm(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def check_retained(form: Form, data: dict, html: str) -> None:
    """After an invalid post, each text field of the same form shows what was typed."""
    if not ERROR_MARKERS.search(html):
        return
    page = parse(form.action, html)
    action = urlsplit(form.action).path
    again = [f for f in page.forms if urlsplit(f.action).path == action and f.method == "post"]
    if not again:
        return
    rendered = {f.name: f for f in again[0].fields}
    name = form.url_name.split(":")[-1]
    for field in form.fields:
        typed = _last(data.get(field.name))
        if (
            field.kind in NON_TEXT_KINDS
            or not isinstance(typed, str)
            or (name, field.name) in NORMALISED
            or field.name not in rendered
            or "__prefix__" in field.name  # the empty row a script clones: never bound
        ):
            continue
        shown = rendered[field.name].value
        if field.kind == "textarea" and shown.startswith("\n"):
            shown = shown[1:]
        assert _norm(shown) == _norm(typed), (
            f"{form.action}: after an invalid post the field {field.name!r} shows {shown[:80]!r}, "
            f"not what was typed ({typed[:80]!r})"
        )


def as_rendered(form: Form) -> dict:
    """What a browser posts when nothing is changed: every field's rendered value (checked boxes only).
    Posted first, so that every form class behind the page is bound at least once whatever Hypothesis
    draws (a formset's forms are only built when its management form is intact)."""
    data: dict[str, str] = {}
    for field in form.fields:
        if field.kind == "file" or (field.kind in ("checkbox", "radio") and not field.checked):
            continue
        data.setdefault(field.name, field.value)
    return data


def fuzz_form(client, form: Form) -> None:
    FUZZED_FORMS.add(form.signature)

    @given(form_data(form))
    @example(as_rendered(form))
    def post(data):
        cookies = client.cookies  # a post that signs in or out replaces the session cookie: restore it
        client.cookies = type(cookies)(cookies)
        try:
            with transaction.atomic():
                response = client.post(form.action, data)
                transaction.set_rollback(True)
        finally:
            client.cookies = cookies
        assert response.status_code < 500, f"POST {form.action} answered {response.status_code}"
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            check_retained(form, data, response.content.decode(errors="replace"))

    with recording_bound_forms():
        post()


def fuzz_forms(site, role: str, forms: list[Form]) -> list[str]:
    """Fuzz each form as the role; the failures, described."""
    failures = []
    for form in forms:
        try:
            fuzz_form(site.clients[role], form)
        except Exception as error:
            failures.append(f"{role} POST {form.action} (from {form.page}):\n{error}")
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_hostile_posts_to_every_form_never_fail_and_keep_what_was_typed(site, db, role):
    failures = fuzz_forms(site, role, forms_for(site, role))
    assert not failures, "\n\n".join(failures)


# What this process has fuzzed: the forms' signatures, the pages' paths, and the project's form classes
# that received the data (a class counts when it or a subclass of it was bound: a base class's fields and
# clean methods run in its subclasses, and allauth's signup form is a subclass of ours).
FUZZED_FORMS: set[tuple] = set()
FUZZED_PAGES: set[str] = set()
BOUND_FORMS: set[str] = set()


@contextmanager
def recording_bound_forms() -> Iterator[None]:
    """Within it, every form that receives data adds its class (and their bases) to BOUND_FORMS. Only
    around the fuzzer's own requests: a plain GET that binds an empty form does not count."""
    original = BaseForm.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if self.is_bound:
            BOUND_FORMS.update(f"{cls.__module__}.{cls.__qualname__}" for cls in type(self).__mro__)

    BaseForm.__init__ = spy
    try:
        yield
    finally:
        BaseForm.__init__ = original


def project_form_classes() -> set[str]:
    """Every form class defined in the project's forms*.py modules."""
    import importlib
    import inspect
    from pathlib import Path

    from django.conf import settings

    found = set()
    for path in Path(settings.BASE_DIR).glob("**/forms*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        module = importlib.import_module(".".join(path.relative_to(settings.BASE_DIR).with_suffix("").parts))
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseForm) and value.__module__ == module.__name__:
                found.add(f"{module.__name__}.{name}")
    return found


# --- query strings and paths ---------------------------------------------------------------------

LIST_PAGES = [
    "/challenges/",
    "/suppliers/",
    "/ideas/",
    "/case-studies/",
    "/exchanges/case-studies/",
    "/suppliers/proposals/",
    "/notifications/",
    "/organisations/",
    "/audit/",
    "/challenges/coach/rules/",
    "/ideas/moderation/",
    "/challenges/cpv-codes/",
    "/open-data/",
]

HUGE_NUMBERS = [0, 2**31, 2**63, 2**64, 10**30]


def pages_for(site, role: str) -> dict[str, list[str]]:
    """The pages (path → parameter names seen) first met by `role`, in the order of ROLES."""
    owner: dict[str, tuple[str, str, set[str]]] = {}
    for each in ROLES:
        crawled = site.maps[each]
        paths = {**{path: set() for path in LIST_PAGES}, **crawled.query_pages}
        for path, names in paths.items():
            if path in crawled.pages or path in crawled.query_pages:
                owner.setdefault(page_kind(path), (each, path, names))
    return {path: sorted(names) for who, path, names in owner.values() if who == role}


def fuzz_page(client, path: str, names: list[str]) -> None:
    FUZZED_PAGES.add(path)

    @given(query_params(names))
    def get(params):
        response = client.get(path, params)
        assert response.status_code < 500, f"GET {path} {params!r} answered {response.status_code}"

    with recording_bound_forms():
        get()


def fuzz_pages(site, role: str, pages: dict[str, list[str]]) -> list[str]:
    """Fuzz each page's query string as the role; the failures, described."""
    failures = []
    for path, names in pages.items():
        try:
            fuzz_page(site.clients[role], path, names)
        except Exception as error:
            failures.append(f"{role} GET {path}:\n{error}")
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_hostile_query_strings_never_fail(site, db, role):
    failures = fuzz_pages(site, role, pages_for(site, role))
    assert not failures, "\n\n".join(failures)


def _with_numbers(path: str, number: int) -> str | None:
    match = resolve(path)
    kwargs = {k: (number if isinstance(v, int) else v) for k, v in match.kwargs.items()}
    if kwargs == match.kwargs:
        return None
    return reverse(match.view_name, kwargs=kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_numbers_in_paths_that_no_row_has_are_404_not_500(site, db, role):
    client = site.clients[role]
    failures = []
    kinds = set()
    for path in site.maps[role].pages:
        path = path.partition("?")[0]
        kind = page_kind(path).split(":")[0:2]
        if tuple(kind) in kinds:
            continue
        kinds.add(tuple(kind))
        for number in HUGE_NUMBERS:
            if (other := _with_numbers(path, number)) is None:
                break
            try:
                status = client.get(other).status_code
            except Exception as error:
                failures.append(f"GET {other} ({url_name(path)}): {type(error).__name__}: {error}")
                continue
            if status >= 500:
                failures.append(f"GET {other} answered {status}")
    assert not failures, "\n".join(failures)


# --- the gate: every form class of the project is fuzzed ---------------------------------------------

# Form classes no fuzzed request can reach, and why. Everything else in a forms*.py module must be bound
# by a hostile post or query string above: a new form needs a page that shows it to a demo role (see
# tests/fuzz/state.py), or a reason here.
NOT_FUZZED: dict[str, str] = {}


def test_every_project_form_class_is_fuzzed(site, db):
    """Runs last in the module. With pytest-xdist the tests above may have run on another worker, so this
    one first fuzzes whatever this process has not fuzzed yet (nothing, in a run without -n)."""
    failures = []
    for role in ROLES:
        forms = [form for form in forms_for(site, role) if form.signature not in FUZZED_FORMS]
        failures += fuzz_forms(site, role, forms)
        pages = {path: names for path, names in pages_for(site, role).items() if path not in FUZZED_PAGES}
        failures += fuzz_pages(site, role, pages)
    assert not failures, "\n\n".join(failures)
    classes = project_form_classes()
    missed = sorted(classes - BOUND_FORMS - NOT_FUZZED.keys())
    assert not missed, (
        f"{len(missed)} form classes received no fuzzed data: show each on a page a demo role crawls "
        "(tests/fuzz/state.py) or say in NOT_FUZZED why it cannot be:\n  " + "\n  ".join(missed)
    )
    stale = sorted(name for name in NOT_FUZZED if name not in classes or name in BOUND_FORMS)
    assert not stale, "NOT_FUZZED names classes that are gone or fuzzed after all:\n  " + "\n  ".join(stale)
