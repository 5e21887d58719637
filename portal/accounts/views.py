from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.redirects import safe_next_url

from .adapters import INVITATION_SESSION_KEY
from .enums import OrganisationKind
from .forms import (
    InvitationForm,
    OrganisationChangeForm,
    OrganisationForm,
    ProfileForm,
    RoleForm,
    SwitchOrganisationForm,
)
from .language import remember_language
from .models import Invitation, Membership, Organisation
from .selectors import members_of, memberships_for_request, organisations_for_user, pending_invitations_of
from .services import (
    InvitationError,
    MembershipError,
    accept_invitation,
    change_member_role,
    create_organisation,
    invitation_for_token,
    invite_member,
    remove_member,
    revoke_invitation,
    update_organisation,
    update_profile,
)


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    # Only organisations the user may see: any other is a 404, never a 403 that confirms it exists.
    return get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)


def _membership(request: HttpRequest, slug: str, pk: int) -> Membership:
    organisation = _organisation(request, slug)
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"), organisation=organisation, pk=pk
    )


@login_required
@require_safe
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = organisations_for_user(user=request.user)
    kind = request.GET.get("kind", "")
    if kind in OrganisationKind.values:
        organisations = organisations.filter(kind=kind)
    page = Paginator(organisations, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/organisation_list.html",
        {
            "page_obj": page,
            "kinds": OrganisationKind.choices,
            "kind": kind,
            "query_string": f"kind={kind}" if kind else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = create_organisation(by=request.user, **form.cleaned_data)
        request.session["active_organisation_id"] = organisation.pk
        messages.success(
            request, _("%(name)s has been created. You are its administrator.") % {"name": organisation.name}
        )
        # Someone who signed up from a consortium or panel invitation link goes back to it.
        return redirect(safe_next_url(request, organisation.get_absolute_url()))
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "creating": True, "action": request.get_full_path()},
    )


@login_required
@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    can_manage = request.user.has_perm("accounts.manage_members", organisation)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "members": members_of(organisation=organisation),
            "invitations": pending_invitations_of(organisation=organisation) if can_manage else [],
            "can_manage": can_manage,
            "role_choices": RoleForm.base_fields["role"].choices,
            "invitation_form": InvitationForm() if can_manage else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_update(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    if not request.user.has_perm("accounts.change_organisation", organisation):
        raise Http404
    form = OrganisationChangeForm(request.POST or None, instance=Organisation.objects.get(pk=organisation.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        update_organisation(organisation=organisation, by=request.user, **fields)
        messages.success(request, _("The organisation's details have been saved."))
        return redirect(organisation)
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    if not request.user.has_perm("accounts.invite_member", organisation):
        raise Http404
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invite_member(organisation=organisation, by=request.user, **form.cleaned_data)
        except InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request, _("An invitation has been sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect(organisation)
    return render(request, "accounts/invitation_form.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    if not request.user.has_perm("accounts.invite_member", organisation):
        raise Http404
    invitation = get_object_or_404(Invitation, organisation=organisation, pk=pk)
    try:
        revoke_invitation(invitation=invitation, by=request.user)
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email}
        )
    return redirect(organisation)


@login_required
@require_POST
def membership_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(request, slug, pk)
    if not request.user.has_perm("accounts.change_membership_role", membership):
        raise Http404
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            change_member_role(membership=membership, by=request.user, role=form.cleaned_data["role"])
        except MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(name)s's role has been changed.") % {"name": membership.user})
    return redirect(membership.organisation)


@login_required
@require_POST
def membership_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(request, slug, pk)
    if not request.user.has_perm("accounts.remove_membership", membership):
        raise Http404
    leaving = membership.user_id == request.user.pk
    try:
        remove_member(membership=membership, by=request.user)
    except MembershipError as error:
        messages.error(request, str(error))
        return redirect(membership.organisation)
    if leaving:
        messages.success(
            request, _("You have left %(organisation)s.") % {"organisation": membership.organisation}
        )
        return redirect("accounts:organisation-list")
    messages.success(request, _("%(name)s has been removed.") % {"name": membership.user})
    return redirect(membership.organisation)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token)
    if invitation is None:
        raise Http404
    user = request.user
    if not user.is_authenticated:
        # Remember the invitation through sign-up or sign-in; sign-up with the invited address needs no
        # separate verification, since the link itself reached that mailbox.
        request.session[INVITATION_SESSION_KEY] = token
        if invitation.is_pending:
            from allauth.account.adapter import get_adapter

            get_adapter(request).stash_verified_email(request, invitation.email)
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation})
    if request.method == "POST" and invitation.is_pending:
        try:
            membership = accept_invitation(invitation=invitation, user=user)
        except InvitationError as error:
            messages.error(request, str(error))
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            request.session["active_organisation_id"] = membership.organisation_id
            messages.success(
                request,
                _("You have joined %(organisation)s.") % {"organisation": membership.organisation.name},
            )
            return redirect(membership.organisation)
    request.session.pop(INVITATION_SESSION_KEY, None)
    is_member = invitation.organisation_id in user.organisation_roles
    return render(
        request, "accounts/invitation_accept.html", {"invitation": invitation, "is_member": is_member}
    )


@login_required
@require_POST
def organisation_switch(request: HttpRequest) -> HttpResponse:
    form = SwitchOrganisationForm(request.POST)
    fallback = "/"
    if form.is_valid() and form.cleaned_data["organisation"] in request.user.organisation_roles:
        request.session["active_organisation_id"] = form.cleaned_data["organisation"]
        chosen = next(
            m.organisation
            for m in memberships_for_request(request=request)
            if m.organisation_id == form.cleaned_data["organisation"]
        )
        messages.success(
            request, _("You are now acting for %(organisation)s.") % {"organisation": chosen.name}
        )
    else:
        messages.error(request, _("You are not a member of that organisation."))
    # Not redirect(): it would try to read a bare word in `next` as the name of a URL.
    return HttpResponseRedirect(safe_next_url(request, fallback))


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your details have been saved."))
        response = redirect("accounts:profile")
        remember_language(response, request.user.language)
        return response
    return render(request, "accounts/profile.html", {"form": form})
