"""The proposal editor's pages: start a proposal from a challenge, edit it (with autosave), its documents,
and an organisation's list of proposals. Thin: each view finds the proposal through
Proposal.objects.visible_to, by selectors.access.proposal_or_404 (anything else is a 404, and an audit
entry when the proposal exists), asks rules.has_perm (never user.has_perm: superusers
must not pass), and calls one service."""

import json

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from challenges.forms import error_summary
from challenges.models import Challenge
from portal.audit.services import record_audit

from ..enums import ProposalStatus
from ..forms_proposals import (
    LINES_PREFIX,
    PriceLineFormSet,
    ProposalDocumentForm,
    ProposalForm,
    form_data,
    gap_checklist,
    make_read_only,
    price_line_data,
    price_line_initial,
)
from ..models import Proposal, ProposalDocument
from ..rules import is_bidder
from ..selectors.access import denied_proposal_access, proposal_or_404
from ..selectors.completeness import submission_gaps
from ..selectors.proposals import (
    PRICE_LINES,
    editor_values,
    proposal_for_editor,
    proposals_for_organisation,
    value_digests,
)
from ..services.proposals import (
    MAX_DOCUMENTS,
    ProposalError,
    ProposalNotEditable,
    SaveResult,
    add_proposal_document,
    remove_proposal_document,
    save_proposal,
    start_proposal,
)

# P3's submit / withdraw panel, included in the editor when it exists.
SUBMISSION_PANEL_TEMPLATE = "suppliers/submission/_submission_panel.html"
PROPOSALS_PER_PAGE = 20


def _optional_template(name: str) -> str:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return ""
    return name


def _optional_url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _edit_url(proposal: Proposal) -> str:
    return reverse("suppliers:proposal-edit", kwargs={"pk": proposal.pk})


def _visible_proposal(request: HttpRequest, pk: int) -> Proposal:
    return proposal_or_404(request, pk=pk, selector=proposal_for_editor)


def _can_edit(request: HttpRequest, proposal: Proposal) -> bool:
    return rules.has_perm("suppliers.edit_proposal", request.user, proposal)


def _locked_reason(proposal: Proposal) -> str:
    if proposal.status == ProposalStatus.SUBMITTED and proposal.challenge.is_open:
        return _("This proposal has been submitted. Withdraw it first if you need to change it.")
    if not proposal.challenge.is_open:
        return _("The deadline for proposals has passed: the proposal can no longer change.")
    return _("You can read this proposal, but not change it.")


def _locked(request: HttpRequest, proposal: Proposal) -> HttpResponse:
    """The proposal is visible but not editable by this person now: say why, and where to go. Readers who
    do not bid (the buyer's admins and evaluators, after the close) go to the read page, which records the
    opening in the audit log."""
    if not is_bidder(request.user, proposal):
        detail_url = _optional_url("suppliers:proposal-detail", pk=proposal.pk)
        if not detail_url:
            raise Http404
        return redirect(detail_url)
    reason = _locked_reason(proposal)
    return render(
        request,
        "suppliers/proposals/proposal_locked.html",
        {
            "proposal": proposal,
            "reason": reason,
            "detail_url": _optional_url("suppliers:proposal-detail", pk=proposal.pk),
            "submission_panel_template": _optional_template(SUBMISSION_PANEL_TEMPLATE),
            "gaps": submission_gaps(proposal=proposal),
        },
        status=403,
    )


def _base(values: dict) -> str:
    return json.dumps(value_digests(values), separators=(",", ":"))


def _render_editor(
    request: HttpRequest,
    proposal: Proposal,
    *,
    form: ProposalForm | None = None,
    lines: PriceLineFormSet | None = None,
    document_form: ProposalDocumentForm | None = None,
    conflicts: dict | None = None,
    read_only_reason: str = "",
    status: int = 200,
) -> HttpResponse:
    values = editor_values(proposal)
    if form is None:
        form = ProposalForm(
            initial={**values, "revision": proposal.revision, "base": _base(values)}, proposal=proposal
        )
    if lines is None:
        lines = PriceLineFormSet(prefix=LINES_PREFIX, initial=price_line_initial(values[PRICE_LINES]))
    lines.anchor_field = "description"
    gaps = submission_gaps(proposal=proposal)
    form.mark_gaps(gaps)
    documents = list(proposal.documents.all())
    return render(
        request,
        "suppliers/proposals/proposal_edit.html",
        {
            "proposal": proposal,
            "challenge": proposal.challenge,
            "form": form,
            "lines": lines,
            "errors": error_summary(form, lines),
            "gaps": gaps,
            "checklist": gap_checklist(form, gaps),
            "conflicts": conflicts or {},
            "documents": documents,
            "can_add_document": len(documents) < MAX_DOCUMENTS,
            "max_documents": MAX_DOCUMENTS,
            "document_form": document_form or ProposalDocumentForm(),
            "partners": list(proposal.partners.all()),
            "is_lead": proposal.supplier_id in request.user.organisation_ids,
            "detail_url": _optional_url("suppliers:proposal-detail", pk=proposal.pk),
            "consortium_url": _optional_url("suppliers:consortium", pk=proposal.pk),
            "submission_panel_template": _optional_template(SUBMISSION_PANEL_TEMPLATE),
            "read_only": bool(read_only_reason),
            "read_only_reason": read_only_reason,
        },
        status=status,
    )


def _not_saved(request: HttpRequest, proposal: Proposal, reason: str) -> HttpResponse:
    """A save that came too late (the deadline passed, or a colleague submitted, while this person was
    typing): the editor again, read-only, with what they typed still in the fields so that nothing is lost
    (it can be copied), and the reason. 409: the proposal's state refused the save."""
    form = ProposalForm(request.POST, proposal=proposal)
    lines = PriceLineFormSet(request.POST, prefix=LINES_PREFIX)
    make_read_only(form)
    for row in lines.forms:
        make_read_only(row)
    return _render_editor(request, proposal, form=form, lines=lines, read_only_reason=reason, status=409)


def _labels(form: ProposalForm, names) -> str:
    return ", ".join(
        str(form[name].label) if name in form.fields else str(_("Price breakdown")) for name in names
    )


def _merged_message(form: ProposalForm, names) -> str:
    return _("A colleague saved changes while you were editing; their newer text is kept in: %(fields)s.") % {
        "fields": _labels(form, names)
    }


def _save(
    request: HttpRequest, proposal: Proposal
) -> tuple[ProposalForm, PriceLineFormSet, SaveResult | None]:
    """Validate the posted editor and save it; the result is None when the input has errors."""
    form = ProposalForm(request.POST, proposal=proposal)
    lines = PriceLineFormSet(request.POST, prefix=LINES_PREFIX)
    if not all([form.is_valid(), lines.is_valid()]):
        return form, lines, None
    result = save_proposal(
        proposal=proposal,
        by=request.user,
        values={**form.values(), PRICE_LINES: lines.lines()},
        base_revision=form.cleaned_data["revision"],
        base=form.cleaned_data["base"],
    )
    return form, lines, result


def _conflict_forms(
    request: HttpRequest, proposal: Proposal, form: ProposalForm, result: SaveResult
) -> tuple[ProposalForm, PriceLineFormSet]:
    """The editor again after a save with conflicts: everything as it now stands, except the conflicting
    fields, which keep what this person typed, each with a message; the next save writes them."""
    data = {**form_data(result.values), "revision": str(result.revision), "base": _base(result.values)}
    for name in result.conflicts:
        if name != PRICE_LINES and name in form.fields:
            data[name] = request.POST.get(name, "")
    if PRICE_LINES in result.conflicts:
        data.update({key: value for key, value in request.POST.items() if key.startswith(f"{LINES_PREFIX}-")})
    else:
        data.update(price_line_data(result.values[PRICE_LINES]))
    new_form = ProposalForm(data, proposal=proposal)
    new_lines = PriceLineFormSet(data, prefix=LINES_PREFIX)
    new_form.is_valid()
    new_lines.is_valid()
    message = _(
        "A colleague saved a different text here while you were editing. Yours is in the field and theirs "
        "below it: combine them and save again."
    )
    for name in result.conflicts:
        if name in new_form.fields:
            new_form.add_error(name, message)
    if PRICE_LINES in result.conflicts:
        new_lines._non_form_errors = new_lines.error_class(
            [
                _(
                    "A colleague changed the price breakdown while you were editing; yours is shown. "
                    "Save again to keep it."
                )
            ]
        )
    return new_form, new_lines


# Starting a proposal


@login_required
@require_POST
def proposal_start(request: HttpRequest, challenge_pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge.objects.visible_to(request.user), pk=challenge_pk)
    if not rules.has_perm("suppliers.start_proposal", request.user, challenge):
        return render(
            request,
            "suppliers/proposals/proposal_start_refused.html",
            {"challenge": challenge, "is_open": challenge.is_open},
            status=403,
        )
    try:
        proposal, created = start_proposal(
            challenge=challenge, organisation=request.organisation, by=request.user
        )
    except (ProposalError, PermissionDenied) as error:
        messages.error(request, str(error) or _("You cannot start a proposal for this organisation."))
        return redirect(challenge)
    if created:
        messages.success(request, _("Your proposal has been started. Only your organisation can see it."))
    return redirect(_edit_url(proposal))


# The editor


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    if not _can_edit(request, proposal):
        if request.method == "POST" and is_bidder(request.user, proposal):
            return _not_saved(request, proposal, _locked_reason(proposal))
        return _locked(request, proposal)
    if request.method == "GET":
        return _render_editor(request, proposal)
    try:
        form, lines, result = _save(request, proposal)
    except ProposalNotEditable as error:
        return _not_saved(request, _visible_proposal(request, pk), str(error))
    if result is None:
        return _render_editor(request, proposal, form=form, lines=lines)
    proposal = _visible_proposal(request, pk)
    if result.conflicts:
        new_form, new_lines = _conflict_forms(request, proposal, form, result)
        if result.changed:
            messages.info(request, _("Your other changes have been saved."))
        return _render_editor(request, proposal, form=new_form, lines=new_lines, conflicts=result.conflicts)
    messages.success(
        request, _("Draft saved.") if result.changed else _("Nothing had changed; the draft is as it was.")
    )
    if result.merged:
        messages.info(request, _merged_message(form, result.merged))
    return redirect(_edit_url(proposal))


@login_required
@require_POST
def proposal_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """The editor's script saves here a few seconds after typing stops. JSON: saved, message (for the
    page's live region), revision and base (the page's new loading point), updated (fields a colleague
    changed that this page had not: their new text), conflicts (field → label: not saved here, the
    explicit save shows both versions)."""
    proposal = _visible_proposal(request, pk)
    if not _can_edit(request, proposal):
        return JsonResponse(
            {"saved": False, "message": _("Not saved: this proposal can no longer be changed here.")},
            status=403,
        )
    try:
        form, lines, result = _save(request, proposal)
    except ProposalNotEditable as error:
        return JsonResponse({"saved": False, "message": str(error)}, status=409)
    if result is None:
        errors = {**form.errors.get_json_data()}
        for index, row in enumerate(lines.forms):
            for name, row_errors in row.errors.get_json_data().items():
                errors[f"{LINES_PREFIX}-{index}-{name}"] = row_errors
        return JsonResponse(
            {
                "saved": False,
                "message": _("Not saved: some fields need correcting. Save the draft to see where."),
                "errors": {name: [error["message"] for error in items] for name, items in errors.items()},
            },
            status=400,
        )
    time = formats.time_format(timezone.localtime(), "H:i")
    if result.conflicts:
        message = _(
            "Saved at %(time)s, except %(fields)s: a colleague changed it meanwhile. "
            "Save the draft to compare."
        ) % {"time": time, "fields": _labels(form, result.conflicts)}
    else:
        message = _("Saved at %(time)s") % {"time": time}
    return JsonResponse(
        {
            "saved": True,
            "message": message,
            "revision": result.revision,
            # A clash stays a clash until the person has seen both versions (the explicit save shows them).
            "base": json.dumps(
                {
                    **value_digests(result.values),
                    **{name: form.cleaned_data["base"].get(name, "") for name in result.conflicts},
                },
                separators=(",", ":"),
            ),
            "updated": {
                name: form_data({name: value}).get(name, "")
                for name, value in result.merged.items()
                if name != PRICE_LINES
            },
            "lines_changed": PRICE_LINES in result.merged,
            "conflicts": {name: str(form[name].label) for name in result.conflicts if name in form.fields},
        }
    )


# Documents


@login_required
@require_POST
def proposal_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    if not _can_edit(request, proposal):
        return _locked(request, proposal)
    form = ProposalDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = add_proposal_document(
                proposal=proposal,
                by=request.user,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        except ProposalNotEditable as error:
            messages.error(request, str(error))
            return redirect(_edit_url(proposal))
        else:
            messages.success(request, _("“%(title)s” has been added.") % {"title": document.title})
            return redirect(f"{_edit_url(proposal)}#documents")
    return _render_editor(request, proposal, document_form=form)


@login_required
@require_POST
def proposal_document_remove(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    document = next((doc for doc in proposal.documents.all() if doc.pk == document_pk), None)
    if document is None:
        raise Http404
    if not _can_edit(request, proposal):
        return _locked(request, proposal)
    try:
        remove_proposal_document(document=document, by=request.user)
    except ProposalNotEditable as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(title)s” has been removed.") % {"title": document.title})
    return redirect(f"{_edit_url(proposal)}#documents")


@login_required
@require_safe
def proposal_document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A document as an attachment, never shown inline, to those who may read the proposal. Opening one
    as anyone but a bidder (after the deadline) is written to the audit log."""
    proposal = proposal_or_404(
        request,
        pk=pk,
        queryset=Proposal.objects.visible_to(request.user).select_related("challenge__owner", "supplier"),
        document=document_pk,
    )
    if not rules.has_perm("suppliers.view_proposal", request.user, proposal):
        raise denied_proposal_access(request, proposal_id=proposal.pk, document=document_pk)
    document = get_object_or_404(ProposalDocument, pk=document_pk, proposal=proposal)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    if not proposal.bidder_organisation_ids & request.user.organisation_ids:
        record_audit(
            actor=request.user,
            action="proposal.document_opened",
            target=proposal,
            organisation=proposal.challenge.owner,
            data={"document": document.pk, "challenge": proposal.challenge_id},
        )
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# An organisation's proposals


@login_required
@require_safe
def proposal_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation or None
    is_supplier = organisation is not None and organisation.is_supplier
    page = None
    if is_supplier:
        page = Paginator(
            proposals_for_organisation(organisation_id=organisation.pk), PROPOSALS_PER_PAGE
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "suppliers/proposals/proposal_list.html",
        {"organisation": organisation, "is_supplier": is_supplier, "page_obj": page},
    )
