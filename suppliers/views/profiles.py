"""Supplier profiles' pages: the public directory, a profile's page, its logo, and the editor."""

import copy
from urllib.parse import urlencode

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal.web.pagecache import public_page

from ..forms_profiles import (
    DirectorySearchForm,
    ReferenceFormSet,
    SupplierProfileForm,
    error_summary,
    profile_initial,
    reference_initial,
)
from ..logos import sniff_logo_type
from ..models import SupplierProfile
from ..selectors.profiles import (
    directory_profiles,
    directory_tag_choices,
    logo_profile_for,
    paginate_directory,
    supplier_profile_for,
)
from ..services.profiles import update_supplier_profile


def _profile_or_404(request: HttpRequest, slug: str) -> SupplierProfile:
    profile = supplier_profile_for(user=request.user, slug=slug)
    if profile is None:
        raise Http404
    return profile


@public_page
@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(data=request.GET, tags=directory_tag_choices())
    form.is_valid()  # the fields that validate apply; the others show their errors and are left out
    text, filters = form.search_words, form.filters
    page = paginate_directory(
        directory_profiles(text=text, filters=filters), page_number=request.GET.get("page")
    )
    query = {"q": text, **filters.as_query()} if text else filters.as_query()
    return render(
        request,
        "suppliers/profiles/supplierprofile_list.html",
        {
            "form": form,
            "page_obj": page,
            "result_count": page.paginator.count,
            "is_filtered": bool(query),
            "query_string": urlencode(query),
        },
    )


@public_page
@require_safe
def profile_detail(request: HttpRequest, slug: str) -> HttpResponse:
    profile = _profile_or_404(request, slug)
    return render(
        request,
        "suppliers/profiles/supplierprofile_detail.html",
        {
            "profile": profile,
            "organisation": profile.organisation,
            "can_change": rules.has_perm("suppliers.change_profile", request.user, profile),
            "is_member": profile.organisation_id in getattr(request.user, "organisation_ids", set()),
        },
    )


@require_safe
def profile_logo(request: HttpRequest, slug: str) -> FileResponse:
    """The logo, shown inline with the type its bytes show, to whoever may see the profile: an unlisted
    profile's logo is as private as the profile."""
    profile = logo_profile_for(user=request.user, slug=slug)
    if profile is None:
        raise Http404
    try:
        handle = profile.logo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = sniff_logo_type(handle.read(8))
    handle.seek(0)
    if content_type is None:
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600" if profile.is_listed else "private, no-store"
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, slug: str) -> HttpResponse:
    profile = _profile_or_404(request, slug)
    if not rules.has_perm("suppliers.change_profile", request.user, profile):
        raise PermissionDenied
    organisation = profile.organisation
    existing = reference_initial(profile)
    data = request.POST if request.method == "POST" else None
    form = SupplierProfileForm(
        data,
        request.FILES if request.method == "POST" else None,
        instance=copy.copy(profile),  # the form writes what was typed into its instance
        initial=profile_initial(profile),
    )
    formset = ReferenceFormSet(
        data, prefix="references", initial=existing, allowed_ids=[row["id"] for row in existing]
    )
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        fields = {name: form.cleaned_data[name] for name in SupplierProfileForm._meta.fields}
        try:
            update_supplier_profile(
                organisation=organisation,
                by=request.user,
                **fields,
                sme_size=form.cleaned_data["sme_size"],
                website=form.cleaned_data["website"],
                cpv_codes=form.cleaned_data["cpv_codes"],
                capability_tags=form.cleaned_data["capability_tags"],
                references=formset.kept_rows(),
                logo=form.cleaned_data.get("logo") or None,
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your supplier profile has been saved."))
            return redirect("suppliers:profile-detail", slug=organisation.slug)
    if request.method == "POST" and request.FILES.get("logo") and "logo" not in form.errors:
        # Browsers cannot keep a chosen file across a page with errors: say so where the file was chosen.
        form.add_error("logo", _("Choose the logo again: a file cannot be kept when the form has errors."))
    return render(
        request,
        "suppliers/profiles/supplierprofile_form.html",
        {
            "form": form,
            "formset": formset,
            "errors": error_summary(form, formset),
            "profile": profile,
            "organisation": organisation,
        },
    )
