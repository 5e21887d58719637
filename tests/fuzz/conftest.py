"""Fixtures for the fuzz suite: the Hypothesis profiles, the demo data set loaded once per module inside a
transaction that is rolled back afterwards, and the demo people signed in, one client per role.

Profiles: ``ci`` (chosen when CI is set) runs few, derandomised examples so that the suite stays under a
minute and a half on one core and a failure is reproducible; ``dev`` (the default elsewhere) runs a few
more with a random seed; ``deep`` (HYPOTHESIS_PROFILE=deep) runs many, to hunt. Every profile turns the
deadline off: a page's first render warms caches and would trip it."""

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, settings

from tests.conftest import ON_CI
from tests.fuzz.crawl import SEEDS, CrawlResult, crawl, seeds_for

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    "database": None,  # no .hypothesis/ directory in the checkout
}
# No shrinking on CI: a failing form would otherwise replay hundreds of posts; the failure still prints
# the example, and derandomize makes it reproducible.
_NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]
settings.register_profile("ci", max_examples=8, derandomize=True, phases=_NO_SHRINK, **_COMMON)
settings.register_profile("dev", max_examples=8, phases=_NO_SHRINK, **_COMMON)
settings.register_profile("deep", max_examples=200, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if ON_CI else "dev"))


# The people the crawler signs in as: one per role the portal knows, from the demo data set.
DEMO_PEOPLE = {
    "buyer-admin": "procurer@trondheim.example.org",
    "buyer-member": "colleague@trondheim.example.org",
    "supplier": "sme1@suppliers.example.org",
    "supplier-2": "sme2@suppliers.example.org",
    "programme-staff": "staff@programme.example.org",
    "resident": "aino@residents.example.org",
    # On the Rotterdam panel (chaired by procurer@rotterdam…), with a score sheet still in draft.
    "panel-member": "colleague@rotterdam.example.org",
}
# Every role, in the order that decides who fuzzes a form several of them see: the first.
ROLES = ["anonymous", *DEMO_PEOPLE, "panel-chair"]


@dataclass
class Site:
    """The demo site as the fuzzer sees it: a signed-in client per role (and ``anonymous``), and what the
    crawler found as each of them."""

    clients: dict[str, Client]
    maps: dict[str, CrawlResult]


def demo_clients(
    extra: Callable[[], dict[str, list[str]]] | None = None,
) -> tuple[dict[str, Client], dict[str, list[str]]]:
    """Load the demo data set (inside the caller's transaction) and sign in one client per role: the
    clients, and the pages each role's crawl starts from. `extra`, if given, adds state to the demo and
    returns pages by role that the crawl visits first (see tests/fuzz/state.py)."""
    from challenges.evaluation.demo import evaluation_demo_chair
    from portal.accounts.models import User

    call_command("load_demo", stdout=io.StringIO())
    first = extra() if extra is not None else {}
    people = dict(DEMO_PEOPLE)
    if chair := evaluation_demo_chair():
        people["panel-chair"] = chair.user.email
    clients, seeds = {"anonymous": Client()}, {"anonymous": SEEDS}
    for role, email in people.items():
        user = User.objects.get(email=email)
        clients[role] = Client()
        clients[role].force_login(user)
        # The chosen pages come first: each takes its kind of page's one visit in the crawl.
        seeds[role] = [*first.get(role, []), *SEEDS, *seeds_for(user)]
    return clients, seeds


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker) -> Iterator[Site]:
    """The whole demo data set with the fuzz suite's additions (tests/fuzz/state.py), loaded and crawled
    once for the module in a transaction rolled back at its end; each test runs in a savepoint inside it
    (pytest-django's ``db``), so tests cannot see each other's writes."""
    with django_db_blocker.unblock(), transaction.atomic():
        from tests.fuzz.state import build_fuzz_state

        clients, seeds = demo_clients(build_fuzz_state)
        maps = {role: crawl(client, seeds=seeds[role]) for role, client in clients.items()}
        yield Site(clients=clients, maps=maps)
        transaction.set_rollback(True)
