"""The one gate of every page that names a proposal: fetch it among those the user may see, or answer
exactly as if it did not exist (404) and, when it does exist, put the attempt on the audit log.

Pages (suppliers/views/*, the evaluation's pages) and the Django admin (suppliers/admin.py) all go through
`proposal_or_404` or, when they fetch the row themselves, `denied_proposal_access`. The audit entry names
the proposal by number only (its title is sealed content) and has no organisation, so that nobody but
programme staff reads it, and they only once the challenge's deadline has passed (suppliers.sealing).

This module writes (an audit entry) although it sits with the selectors: a denied read is still a read,
and keeping the refusal next to the query that refuses is what makes it impossible to forget."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from portal.audit.services import record_audit

from ..models import Proposal

ACCESS_DENIED = "proposal.access_denied"


def record_denied_proposal_access(*, actor, proposal_id: int, path: str = "", **data: Any) -> None:
    """Write the refusal of one proposal to the audit log (the actor may be anonymous)."""
    record_audit(
        actor=actor,
        action=ACCESS_DENIED,
        # An unsaved stand-in: the entry points at the proposal by type and id, and is labelled by number.
        target=Proposal(pk=proposal_id),
        data={**data, "proposal": proposal_id, "path": path},
    )


def denied_proposal_access(request: HttpRequest, *, proposal_id: int | None, **data: Any) -> Http404:
    """The 404 to raise for a proposal the user may not see; the attempt is audited when the proposal
    exists (an id that exists nowhere is an ordinary 404, and writes nothing)."""
    if proposal_id is not None and Proposal.objects.filter(pk=proposal_id).exists():
        record_denied_proposal_access(
            actor=getattr(request, "user", None), proposal_id=proposal_id, path=request.path, **data
        )
    return Http404()


def proposal_or_404(
    request: HttpRequest,
    *,
    pk: int,
    selector: Callable[..., Proposal] | None = None,
    queryset: QuerySet[Proposal] | None = None,
    **data: Any,
) -> Proposal:
    """The proposal with this id among those the user may see, read by `selector(user=..., pk=...)` or
    from `queryset` (default: Proposal.objects.visible_to(user)); otherwise a 404, audited when it
    exists."""
    try:
        if selector is not None:
            return selector(user=request.user, pk=pk)
        if queryset is None:
            queryset = Proposal.objects.visible_to(request.user)
        return queryset.get(pk=pk)
    except Proposal.DoesNotExist:
        raise denied_proposal_access(request, proposal_id=pk, **data) from None
