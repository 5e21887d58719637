"""Consortium pages: the lead's consortium page (partners, invitations by organisation or by address, its
own role and share), the invited organisations' inbox and answer page, and the page an emailed link opens.

Proposals are found only among the user's organisations' own bids (lead or accepted partner: any other is
a 404, also for the buyer and the panel after the deadline); an action the user may not take on a proposal
they can see is a 403. Service refusals become form errors or page messages."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.accounts.models import Organisation

from ..enums import PartnerStatus
from ..forms_consortia import (
    InvitationResponseForm,
    LeadShareForm,
    PartnerEmailInviteForm,
    PartnerOrganisationInviteForm,
    TokenResponseForm,
)
from ..models import ConsortiumPartner, Proposal
from ..rules import is_editable, is_open_for_submission
from ..selectors.access import denied_proposal_access, proposal_or_404
from ..selectors.consortia import (
    SEARCH_MIN_LENGTH,
    invitable_organisations,
    invitations_for_user,
    partners_of,
    pending_invitations_for,
)
from ..services.consortia import (
    ConsortiumError,
    accept_partner_invitation,
    decline_partner_invitation,
    invite_partner_by_email,
    invite_partner_organisation,
    partner_for_token,
    remove_partner,
    token_is_expired,
    update_lead_share,
    withdraw_partner_invitation,
)

PAGE_SIZE = 20


def _proposal(request: HttpRequest, pk: int) -> Proposal:
    """The proposal, if the user is a member of one of its bidding organisations (lead or accepted
    partner); a 404 for everyone else. The consortium page (pending invitations, invited addresses) is the
    bidders' working page: the buyer and the panel read the consortium on the proposal's read page, where
    each opening is audited."""
    if not request.user.is_authenticated:
        raise Http404
    return proposal_or_404(
        request,
        pk=pk,
        queryset=Proposal.objects.of_organisations(request.user.organisation_ids).select_related(
            "challenge", "supplier"
        ),
    )


def _managed_proposal(request: HttpRequest, pk: int) -> Proposal:
    proposal = _proposal(request, pk)
    if not rules.has_perm("suppliers.manage_partners", request.user, proposal):
        raise PermissionDenied
    return proposal


def _consortium_page(request: HttpRequest, proposal: Proposal, **forms) -> HttpResponse:
    can_manage = rules.has_perm("suppliers.manage_partners", request.user, proposal)
    query = request.GET.get("q", "") if request.method == "GET" else request.POST.get("q", "")
    query = query.strip()[:100]
    found = invitable_organisations(query=query, proposal=proposal) if can_manage else []
    partners = list(partners_of(proposal=proposal))
    accepted_share = sum(
        (partner.work_share for partner in partners if partner.status == PartnerStatus.ACCEPTED),
        start=proposal.lead_share or 0,
    )
    context = {
        "proposal": proposal,
        "challenge": proposal.challenge,
        "partners": partners,
        "can_manage": can_manage,
        "is_lead": proposal.supplier_id in request.user.organisation_ids,
        "total_share": accepted_share,
        "query": query,
        "query_too_short": 0 < len(query) < SEARCH_MIN_LENGTH,
        "found": found,
        # Everyone here is a bidder (see _proposal): the editor is theirs while the proposal can change.
        "editor_url": (
            reverse("suppliers:proposal-edit", kwargs={"pk": proposal.pk})
            if is_editable(request.user, proposal) and is_open_for_submission(request.user, proposal)
            else ""
        ),
        "detail_url": reverse("suppliers:proposal-detail", kwargs={"pk": proposal.pk}),
    }
    if can_manage:
        context["organisation_form"] = forms.get("organisation_form") or PartnerOrganisationInviteForm(
            organisations=found, initial={"q": query}
        )
        context["email_form"] = forms.get("email_form") or PartnerEmailInviteForm()
        context["lead_form"] = forms.get("lead_form") or LeadShareForm(instance=proposal)
    return render(request, "suppliers/consortia/consortium_detail.html", context)


@login_required
@require_safe
def consortium_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _consortium_page(request, _proposal(request, pk))


@login_required
@require_POST
def consortium_invite(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _managed_proposal(request, pk)
    found = invitable_organisations(query=request.POST.get("q", ""), proposal=proposal)
    form = PartnerOrganisationInviteForm(request.POST, organisations=found)
    if form.is_valid():
        data = form.cleaned_data
        try:
            partner = invite_partner_organisation(
                proposal=proposal,
                by=request.user,
                organisation=data["organisation"],
                role=data["role"],
                work_share=data["work_share"],
                message=data["message"],
            )
        except ConsortiumError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(organisation)s has been invited. Its administrators have been notified.")
                % {"organisation": partner.organisation.name},
            )
            return redirect("suppliers:consortium", pk=proposal.pk)
    return _consortium_page(request, proposal, organisation_form=form)


@login_required
@require_POST
def consortium_invite_email(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _managed_proposal(request, pk)
    form = PartnerEmailInviteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            partner, _token = invite_partner_by_email(
                proposal=proposal,
                by=request.user,
                email=data["email"],
                role=data["role"],
                work_share=data["work_share"],
                message=data["message"],
            )
        except ConsortiumError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("An invitation has been sent to %(email)s.") % {"email": partner.email}
            )
            return redirect("suppliers:consortium", pk=proposal.pk)
    return _consortium_page(request, proposal, email_form=form)


@login_required
@require_POST
def consortium_lead(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _managed_proposal(request, pk)
    form = LeadShareForm(request.POST, instance=Proposal.objects.get(pk=proposal.pk))
    if form.is_valid():
        try:
            update_lead_share(
                proposal=proposal,
                by=request.user,
                lead_role=form.cleaned_data["lead_role"],
                lead_share=form.cleaned_data["lead_share"],
            )
        except ConsortiumError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your organisation's role and share have been saved."))
            return redirect("suppliers:consortium", pk=proposal.pk)
    return _consortium_page(request, proposal, lead_form=form)


def _partner_action(request: HttpRequest, pk: int, partner_pk: int, action, done: str) -> HttpResponse:
    proposal = _managed_proposal(request, pk)
    partner = get_object_or_404(
        ConsortiumPartner.objects.select_related("organisation"), proposal=proposal, pk=partner_pk
    )
    partner.proposal = proposal
    try:
        action(partner=partner, by=request.user)
    except ConsortiumError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done % {"partner": partner})
    return redirect("suppliers:consortium", pk=proposal.pk)


@login_required
@require_POST
def consortium_partner_withdraw(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    return _partner_action(
        request,
        pk,
        partner_pk,
        withdraw_partner_invitation,
        _("The invitation to %(partner)s was withdrawn."),
    )


@login_required
@require_POST
def consortium_partner_remove(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    return _partner_action(
        request, pk, partner_pk, remove_partner, _("%(partner)s is no longer part of the consortium.")
    )


# --- The invited side --------------------------------------------------------------------------------


@login_required
@require_safe
def invitation_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(pending_invitations_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "suppliers/consortia/invitation_list.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = invitations_for_user(user=request.user).filter(pk=pk).first()
    if partner is None:
        # An invitation names a proposal: someone else's is a denied attempt on it (audited if it exists).
        raise denied_proposal_access(
            request,
            proposal_id=ConsortiumPartner.objects.filter(pk=pk).values_list("proposal_id", flat=True).first(),
        )
    can_respond = rules.has_perm("suppliers.respond_partner_invitation", request.user, partner)
    form = InvitationResponseForm(request.POST or None)
    if request.method == "POST":
        if not can_respond:
            messages.error(request, _("This invitation has already been answered or withdrawn."))
            return redirect("suppliers:partner-invitation-detail", pk=partner.pk)
        if form.is_valid():
            accept = form.cleaned_data["decision"] == form.ACCEPT
            try:
                if accept:
                    accept_partner_invitation(partner=partner, by=request.user)
                else:
                    decline_partner_invitation(partner=partner, by=request.user)
            except ConsortiumError as error:
                form.add_error(None, str(error))
            else:
                return _answered(request, partner, accepted=accept)
    return render(
        request,
        "suppliers/consortia/invitation_detail.html",
        {
            "partner": partner,
            "challenge": partner.proposal.challenge,
            "form": form,
            "can_respond": can_respond,
        },
    )


def _answered(request: HttpRequest, partner: ConsortiumPartner, *, accepted: bool) -> HttpResponse:
    if accepted:
        messages.success(
            request,
            _("You have joined %(lead)s's consortium. You can now work on the proposal together.")
            % {"lead": partner.proposal.supplier.name},
        )
        return redirect(reverse("suppliers:consortium", kwargs={"pk": partner.proposal_id}))
    messages.success(request, _("You have declined the invitation. The lead has been told."))
    return redirect("suppliers:partner-invitation-list")


@require_http_methods(["GET", "POST"])
def invitation_token(request: HttpRequest, token: str) -> HttpResponse:
    """The page an emailed invitation opens. Anyone holding the link may read who invites them to what
    (not the proposal); answering needs an account and, to accept, a supplier organisation."""
    partner = partner_for_token(token)
    if partner is None:
        raise Http404
    expired = token_is_expired(partner)
    pending = partner.status == PartnerStatus.INVITED and not expired
    context = {
        "partner": partner,
        "challenge": partner.proposal.challenge,
        "expired": expired,
        "pending": pending,
    }
    if not request.user.is_authenticated:
        if pending:
            # Sign-up with the invited address needs no separate confirmation: the link reached it.
            from allauth.account.adapter import get_adapter

            get_adapter(request).stash_verified_email(request, partner.email)
        return render(request, "suppliers/consortia/invitation_token.html", context)
    organisations = list(
        Organisation.objects.filter(pk__in=request.user.supplier_organisation_ids).order_by("name")
    )
    form = TokenResponseForm(request.POST or None, organisations=organisations)
    if request.method == "POST":
        if not pending:
            messages.error(
                request, _("This invitation has expired, was withdrawn or has already been answered.")
            )
            return redirect(request.path)
        if form.is_valid():
            accept = form.cleaned_data["decision"] == form.ACCEPT
            try:
                if accept:
                    accept_partner_invitation(
                        partner=partner, by=request.user, organisation=form.chosen_organisation
                    )
                else:
                    decline_partner_invitation(
                        partner=partner, by=request.user, organisation=form.chosen_organisation
                    )
            except ConsortiumError as error:
                form.add_error(None, str(error))
            else:
                return _answered(request, partner, accepted=accept)
    return render(
        request,
        "suppliers/consortia/invitation_token.html",
        {**context, "form": form, "organisations": organisations},
    )
