"""Writes of supplier profiles: the one function that saves a profile, its references, tags and logo."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from challenges.models import CPVCode
from portal.accounts.enums import OrganisationKind, SMESize
from portal.accounts.models import Organisation, User
from portal.audit.services import record_audit

from ..forms_profiles import MAX_CAPABILITY_TAGS, normalise_tag, tag_slug
from ..logos import check_logo
from ..models import CapabilityTag, SupplierProfile, SupplierReference

PROFILE_FIELDS = [
    "description",
    "capabilities",
    "countries_served",
    "regions_served",
    "has_public_sector_sales",
    "is_listed",
]
REFERENCE_FIELDS = ["title", "client", "year", "is_public_sector", "description"]


class ProfileError(ValidationError):
    """A profile change the rules refuse; the message is for the person who tried."""


def capability_tags_for(names: Iterable[str]) -> list[CapabilityTag]:
    """The tags of these names, created as typed when new. Two spellings of one tag ("IoT", "iot") share
    its short name and are one tag, named as first typed. Safe against a concurrent creation of the same
    tag (get_or_create on the unique short name)."""
    tags, seen = [], set()
    for raw in names:
        name = normalise_tag(raw)
        slug = tag_slug(name)
        if not slug or slug in seen:
            continue
        seen.add(slug)
        tag, _created = CapabilityTag.objects.get_or_create(slug=slug, defaults={"name": name[:60]})
        tags.append(tag)
    return tags


def update_supplier_profile(
    *,
    organisation: Organisation,
    by: User,
    description: str,
    capabilities: str,
    countries_served: list[str],
    regions_served: str,
    has_public_sector_sales: bool,
    is_listed: bool,
    sme_size: str,
    website: str,
    cpv_codes: list[CPVCode],
    capability_tags: list[str],
    references: list[dict] | None = None,
    logo: File | None = None,
    remove_logo: bool = False,
) -> SupplierProfile:
    """Save a supplier organisation's profile, creating it on the first edit, and the organisation's size
    class and website shown on it. `references` (when given) is the full list to keep, as dicts with `pk`
    for existing ones: others are deleted. A new `logo` replaces the old one (checked again here); the
    old file is deleted after the commit, the new one if the change rolls back. Audited as
    "supplier_profile.updated" with the names of the changed fields."""
    if organisation.kind != OrganisationKind.SUPPLIER:
        raise ProfileError(_("Only a supplier organisation has a supplier profile."))
    if sme_size not in SMESize.values:
        raise ProfileError(_("Choose the size class of the organisation."))
    if len(capability_tags) > MAX_CAPABILITY_TAGS:
        raise ProfileError(_("Use at most %(limit)s tags.") % {"limit": MAX_CAPABILITY_TAGS})
    if logo is not None:
        check_logo(logo)
    storage = SupplierProfile._meta.get_field("logo").storage
    new_logo_name = ""
    try:
        with transaction.atomic():
            organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
            profile, created = SupplierProfile.objects.get_or_create(organisation=organisation)
            changed = ["created"] if created else []

            organisation_changes = {
                name: value
                for name, value in {"sme_size": sme_size, "website": website}.items()
                if getattr(organisation, name) != value
            }
            if organisation_changes:
                for name, value in organisation_changes.items():
                    setattr(organisation, name, value)
                organisation.save(update_fields=[*organisation_changes, "updated_at"])
                changed += list(organisation_changes)

            values = {
                "description": description,
                "capabilities": capabilities,
                "countries_served": list(countries_served),
                "regions_served": regions_served,
                "has_public_sector_sales": has_public_sector_sales,
                "is_listed": is_listed,
            }
            profile_changes = [name for name, value in values.items() if _differs(profile, name, value)]
            for name in profile_changes:
                setattr(profile, name, values[name])
            changed += profile_changes

            old_logo_name = ""
            if logo is not None or (remove_logo and profile.logo):
                old_logo_name = profile.logo.name if profile.logo else ""
                profile.logo = None
                if logo is not None:
                    profile.logo.save(logo.name or "logo", logo, save=False)
                    new_logo_name = profile.logo.name
                profile_changes.append("logo")
                changed.append("logo")
            if profile_changes:
                profile.save(update_fields=[*profile_changes, "updated_at"])

            changed += _save_relations(profile, cpv_codes=cpv_codes, capability_tags=capability_tags)
            if references is not None and _save_references(profile, references):
                changed.append("references")

            if changed:
                record_audit(
                    actor=by,
                    action="supplier_profile.updated",
                    target=profile,
                    organisation=organisation,
                    data={"changed": changed},
                )
            if old_logo_name:
                transaction.on_commit(lambda: storage.delete(old_logo_name))
    except BaseException:
        # The transaction rolled back: the new file has no row pointing to it.
        if new_logo_name:
            storage.delete(new_logo_name)
        raise
    return profile


def _save_relations(
    profile: SupplierProfile, *, cpv_codes: list[CPVCode], capability_tags: list[str]
) -> list[str]:
    """Set the profile's CPV codes and tags; the names of those that changed."""
    changed = []
    code_ids = {code.pk for code in cpv_codes}
    if code_ids != set(profile.cpv_codes.values_list("pk", flat=True)):
        profile.cpv_codes.set(code_ids)
        changed.append("cpv_codes")
    tags = capability_tags_for(capability_tags)
    if {tag.pk for tag in tags} != set(profile.capability_tags.values_list("pk", flat=True)):
        profile.capability_tags.set(tags)
        changed.append("capability_tags")
    return changed


def _differs(profile: SupplierProfile, name: str, value) -> bool:
    current = getattr(profile, name)
    if name == "countries_served":
        return [str(country) for country in current] != [str(code) for code in value]
    return current != value


def _save_references(profile: SupplierProfile, rows: list[dict]) -> bool:
    """Make the profile's references these rows, in this order. True when anything changed."""
    existing = {reference.pk: reference for reference in profile.references.select_for_update()}
    kept_ids = {row["pk"] for row in rows if row.get("pk")}
    unknown = kept_ids - set(existing)
    if unknown:
        raise ProfileError(_("Some references no longer exist. Reload the page and try again."))
    changed = False
    removed = [pk for pk in existing if pk not in kept_ids]
    if removed:
        SupplierReference.objects.filter(pk__in=removed).delete()
        changed = True
    for position, row in enumerate(rows):
        values = {name: row.get(name) for name in REFERENCE_FIELDS}
        values["description"] = values["description"] or ""
        values["is_public_sector"] = bool(values["is_public_sector"])
        if row.get("pk"):
            reference = existing[row["pk"]]
            updates = [name for name, value in values.items() if getattr(reference, name) != value]
            if reference.position != position:
                updates.append("position")
            if updates:
                for name, value in values.items():
                    setattr(reference, name, value)
                reference.position = position
                reference.save(update_fields=updates)
                changed = True
        else:
            reference = SupplierReference(profile=profile, position=position, **values)
            reference.full_clean(exclude=["profile"])
            reference.save()
            changed = True
    return changed
