"""Reads of supplier profiles: who may see which profile, the public page, and the directory's search."""

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User

from ..forms_profiles import DirectoryFilters
from ..models import CapabilityTag, SupplierProfile, SupplierReference

PAGE_SIZE = 20
MAX_SEARCH_WORDS = 8


def profiles_visible_to(user: User) -> QuerySet[SupplierProfile]:
    """Listed profiles for everyone; an unlisted one only for its organisation's members. Programme staff
    and superusers are no exception: an unlisted profile is the company's own business."""
    visible = Q(is_listed=True)
    if user.is_authenticated and user.organisation_ids:
        visible |= Q(organisation_id__in=user.organisation_ids)
    return SupplierProfile.objects.filter(visible)


def supplier_profile_for(*, user: User, slug: str) -> SupplierProfile | None:
    """The profile of the supplier organisation with this slug, if the user may see it, with what its
    page shows loaded (four queries). A member of a supplier organisation that has no profile yet gets an
    unsaved, empty one, so their page and editor open before the first save."""
    profile = (
        profiles_visible_to(user)
        .filter(organisation__slug=slug, organisation__kind=OrganisationKind.SUPPLIER)
        .select_related("organisation")
        .prefetch_related("capability_tags", "cpv_codes", "references")
        .first()
    )
    if profile is not None or not user.is_authenticated:
        return profile
    organisation = Organisation.objects.filter(
        slug=slug, kind=OrganisationKind.SUPPLIER, pk__in=user.organisation_ids
    ).first()
    if organisation is None or SupplierProfile.objects.filter(organisation=organisation).exists():
        return None
    return SupplierProfile(organisation=organisation)


def logo_profile_for(*, user: User, slug: str) -> SupplierProfile | None:
    """The profile whose logo the user may load (one query)."""
    return (
        profiles_visible_to(user)
        .filter(organisation__slug=slug, organisation__kind=OrganisationKind.SUPPLIER)
        .exclude(logo="")
        .only("pk", "logo", "is_listed", "organisation_id", "updated_at")
        .first()
    )


# --- The directory -------------------------------------------------------------------------------------


def directory_tag_choices() -> list[tuple[str, str]]:
    """The capability tags that listed profiles use, for the directory's filter. One query."""
    return list(
        CapabilityTag.objects.filter(profiles__is_listed=True)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )


def _search_words(queryset: QuerySet[SupplierProfile], text: str) -> QuerySet[SupplierProfile]:
    # Every word must appear in the name, the description, the capabilities or a tag (case-insensitive
    # containment: the directory is small enough, and it reads the same on PostgreSQL and SQLite). Tags
    # match through EXISTS, not a join, so a profile appears once.
    for word in text.split()[:MAX_SEARCH_WORDS]:
        in_tags = Exists(
            CapabilityTag.objects.filter(profiles=OuterRef("pk")).filter(
                Q(name__icontains=word) | Q(slug__icontains=word)
            )
        )
        queryset = queryset.filter(
            Q(organisation__name__icontains=word)
            | Q(description__icontains=word)
            | Q(capabilities__icontains=word)
            | in_tags
        )
    return queryset


def directory_profiles(*, text: str, filters: DirectoryFilters) -> QuerySet[SupplierProfile]:
    """Listed profiles matching the search words and filters, by organisation name, with what a result
    shows loaded (organisation, tags) and `has_public_references` annotated."""
    public_references = Exists(
        SupplierReference.objects.filter(profile=OuterRef("pk"), is_public_sector=True)
    )
    queryset = SupplierProfile.objects.listed().annotate(has_public_references=public_references)
    if text:
        queryset = _search_words(queryset, text)
    if filters.country:
        # Stored as comma-separated two-letter codes ("NO,SE"): a two-letter substring can only ever
        # match a whole code, as no code spans a comma.
        queryset = queryset.filter(countries_served__contains=filters.country)
    if filters.size:
        queryset = queryset.filter(organisation__sme_size=filters.size)
    if filters.cpv:
        # A division (2 digits) matches every code in it; a whole code matches itself and the codes below
        # it in the hierarchy (72200000 → 722…).
        prefix = filters.cpv if len(filters.cpv) == 2 else filters.cpv.rstrip("0").ljust(2, "0")
        through = SupplierProfile.cpv_codes.through
        queryset = queryset.filter(
            Exists(
                through.objects.filter(supplierprofile_id=OuterRef("pk"), cpvcode__code__startswith=prefix)
            )
        )
    if filters.tag:
        through = SupplierProfile.capability_tags.through
        queryset = queryset.filter(
            Exists(through.objects.filter(supplierprofile_id=OuterRef("pk"), capabilitytag__slug=filters.tag))
        )
    if filters.public_references:
        queryset = queryset.filter(has_public_references=True)
    if filters.first_time:
        queryset = queryset.filter(has_public_sector_sales=False)
    return (
        queryset.select_related("organisation")
        .prefetch_related(Prefetch("capability_tags", queryset=CapabilityTag.objects.order_by("name")))
        .order_by("organisation__name", "pk")
    )


def paginate_directory(queryset: QuerySet[SupplierProfile], *, page_number: str | None) -> Page:
    """One page of results; page=abc is the first, page=999999 the last. Three queries: the count, the
    rows, their tags."""
    return Paginator(queryset, PAGE_SIZE).get_page(page_number)
