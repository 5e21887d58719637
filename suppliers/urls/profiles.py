"""/suppliers/ (the directory) and /suppliers/<organisation slug>/… (a profile, its logo, its editor)."""

from django.urls import path, register_converter

from ..views import profiles as views
from . import board, consortia, proposals, submission


def _first_segments(*modules) -> list[str]:
    segments = set()
    for module in modules:
        for pattern in module.urlpatterns:
            first = str(pattern.pattern).split("/", 1)[0]
            if first and "<" not in first and first.isascii():
                segments.add(first)
    return sorted(segments)


class ProfileSlugConverter:
    """An organisation slug that is not the first segment of another suppliers page ("proposals",
    "receipts", …): the profile routes come first in suppliers/urls/__init__.py and must not swallow the
    other areas' pages. Refusing in to_python (rather than in the regex) lets the resolver go on to the
    next pattern, while reversing never fails: a page must not break over an unlucky organisation name."""

    regex = r"[-a-zA-Z0-9_]+"
    reserved = frozenset(_first_segments(board, consortia, proposals, submission))

    def to_python(self, value: str) -> str:
        if value in self.reserved:
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ProfileSlugConverter, "profile_slug")

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<profile_slug:slug>/", views.profile_detail, name="profile-detail"),
    path("<profile_slug:slug>/edit/", views.profile_edit, name="profile-edit"),
    path("<profile_slug:slug>/logo/", views.profile_logo, name="profile-logo"),
]
