"""Every page has a query budget: each URL name of the project is covered by a budget module of this package
(its `PAGES`: rendered with 1 and with 50 rows, the same count and at most 15) or declared there as taking
POST only (`POST_ONLY`). A new URL without either fails here, naming it."""

import importlib
import pkgutil

from django.urls import URLPattern, URLResolver, get_resolver

import tests.budgets

# URL names outside our budget, with the reason.
EXEMPT_NAMESPACES = {
    # Django's own admin, for operators; its pages are Django's, not ours.
    "admin": "the Django admin",
}
EXEMPT = {
    "set_language": "Django's language switch: POST only, no page",
    "javascript-catalog": "Django's JavaScript catalogue, if mounted",
}


def _url_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            names |= _url_names(pattern, joined)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def _declared() -> tuple[set[str], set[str]]:
    pages, post_only = set(), set()
    for module_info in pkgutil.iter_modules(tests.budgets.__path__):
        if not module_info.name.startswith("test_") or module_info.name == "test_coverage":
            continue
        module = importlib.import_module(f"tests.budgets.{module_info.name}")
        pages |= set(getattr(module, "PAGES", ()))
        post_only |= set(getattr(module, "POST_ONLY", ()))
    return pages, post_only


def test_every_url_has_a_query_budget_or_takes_post_only():
    pages, post_only = _declared()
    names = {
        name for name in _url_names() if name.split(":", 1)[0] not in EXEMPT_NAMESPACES and name not in EXEMPT
    }

    missing = sorted(names - pages - post_only)

    assert not missing, f"URL names without a query-budget test (add them to a PAGES or POST_ONLY): {missing}"


def test_budget_modules_name_only_urls_that_exist():
    pages, post_only = _declared()

    unknown = sorted((pages | post_only) - _url_names())

    assert not unknown, f"budget modules name URLs that do not exist: {unknown}"
