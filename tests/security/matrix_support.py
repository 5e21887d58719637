"""The machinery of the permission matrix: every URL pattern of the project (walked from the root
resolver), the arguments each takes (filled from the world), and one answer per request in a compact form.

Answers: 200, 403, 404, 405, 409 (the status), "login" (302 to the sign-in page), "admin-login" (302 to the
admin's sign-in page), "mfa" (302 to the two-factor set-up); any other redirect is its status (302)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .world import World

LOGIN_PATH = "/accounts/login/"
ADMIN_LOGIN_SUFFIX = "login/"
# Arguments for tokens, keys and similar: never valid, so the page must say so without a 500.
BAD_TOKEN = "not-a-valid-token"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str
    arguments: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else entry.namespace or namespace
            )
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            arguments = tuple(entry.pattern.regex.groupindex)
            yield Route(name, prefix + str(entry.pattern), arguments)


def project_routes() -> list[Route]:
    """Every named URL pattern of the project, once per name (the first pattern, as reverse() picks)."""
    routes: dict[str, Route] = {}
    unnamed = []
    for route in _walk(get_resolver()):
        routes.setdefault(route.name, route)
    return sorted(routes.values(), key=lambda route: route.name) + unnamed


def unnamed_patterns() -> list[str]:
    """Patterns without a name cannot be in the table: the matrix refuses them (name every URL)."""
    found = []

    def walk(resolver: URLResolver, prefix: str = "") -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, prefix + str(entry.pattern))
            elif not entry.name and not (prefix + str(entry.pattern)).startswith(settings.ADMIN_URL):
                # (The admin's own unnamed patterns, its old change URLs and its catch-all, are the admin's.)
                found.append(prefix + str(entry.pattern))

    walk(get_resolver())
    return found


def admin_kwargs(route: Route, w: World) -> dict[str, str]:
    """Arguments for an admin URL: the object is the model's first row (or 0 when it has none)."""
    from django.contrib import admin

    kwargs: dict[str, str] = {}
    model = None
    for registered in admin.site._registry:
        opts = registered._meta
        if route.name.startswith(f"admin:{opts.app_label}_{opts.model_name}_"):
            model = registered
            break
    if "object_id" in route.arguments:
        if route.name == "admin:view_on_site":
            kwargs["object_id"] = str(w.proposal_a.pk)
        else:
            first = (
                model._default_manager.order_by("pk").values_list("pk", flat=True).first() if model else None
            )
            kwargs["object_id"] = str(first or 0)
    if "content_type_id" in route.arguments:
        kwargs["content_type_id"] = str(ContentType.objects.get_for_model(w.proposal_a).pk)
    if "id" in route.arguments:
        kwargs["id"] = str(w.users["supplier_a"].pk)
    if "app_label" in route.arguments:
        kwargs["app_label"] = "suppliers"
    return kwargs


def url_for(route: Route, kwargs_table: dict[str, Callable[[World], dict]], w: World) -> str:
    if route.is_admin:
        return reverse(route.name, kwargs=admin_kwargs(route, w))
    if not route.arguments:
        return reverse(route.name)
    return reverse(route.name, kwargs=kwargs_table[route.name](w))


def answer(response) -> int | str:
    """The compact form of a response (see the module's docstring)."""
    if response.status_code in (301, 302, 303):
        path = urlsplit(response["Location"]).path
        if path == LOGIN_PATH:
            return "login"
        if path.endswith("/" + ADMIN_LOGIN_SUFFIX) and "admin" in path:
            return "admin-login"
        if path == "/accounts/2fa/totp/activate/":
            return "mfa"
    return response.status_code
