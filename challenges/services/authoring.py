"""Writes of the statement editor: create a draft, save each step, add and remove documents. Every function
locks the challenge, checks that it is still a draft its owner's member may edit, and records an audit
entry; none sends notifications (a draft is private to its owner)."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User
from portal.audit.services import record_audit

from ..enums import ChallengeStatus
from ..models import Challenge, ChallengeDocument, Criterion, Outcome
from ..uploads import removed_if_not_saved, stored_document

# The challenge's own fields the editor may change; anything else (status, dates of the lifecycle, owner)
# belongs to other services.
EDITABLE_FIELDS = frozenset(
    {
        "language",
        "title",
        "summary",
        "current_situation",
        "affected",
        "why_now",
        "constraints",
        "out_of_scope",
        "budget_min",
        "budget_max",
        "currency",
        "questions_deadline",
        "submission_deadline",
        "deadline_timezone",
        "decision_date",
        "pilot_start",
        "pilot_end",
        "route",
        "contact_name",
        "contact_email",
        "is_innovative",
        "scoring_scale",
    }
)
EDITABLE_RELATIONS = frozenset({"cpv_codes", "themes"})
OUTCOME_FIELDS = ("description", "indicator", "baseline", "target")
CRITERION_FIELDS = ("name", "description", "weight")


class ChallengeNotEditable(Exception):
    """The challenge is no longer a draft (or the person may not edit it)."""


def _locked_draft(*, challenge: Challenge, by: User) -> Challenge:
    """The challenge's row, locked for this transaction, if it is a draft `by` may edit."""
    locked = Challenge.objects.select_for_update(of=("self",)).select_related("owner").get(pk=challenge.pk)
    if locked.owner_id not in by.organisation_ids:
        raise PermissionDenied
    if locked.status != ChallengeStatus.DRAFT:
        raise ChallengeNotEditable(
            _("This challenge is %(status)s and can no longer be edited.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _audit_update(*, challenge: Challenge, by: User, fields: Iterable[str]) -> None:
    record_audit(
        actor=by,
        action="challenge.updated",
        target=challenge,
        organisation=challenge.owner,
        data={"fields": sorted(set(fields))},
    )


def create_challenge(*, owner: Organisation, by: User, title: str, **fields: Any) -> Challenge:
    """A new draft statement owned by a buyer organisation `by` belongs to."""
    unknown = set(fields) - EDITABLE_FIELDS - EDITABLE_RELATIONS
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    if owner.kind != OrganisationKind.BUYER or owner.pk not in by.organisation_ids:
        raise PermissionDenied
    relations = {name: fields.pop(name) for name in list(fields) if name in EDITABLE_RELATIONS}
    with transaction.atomic():
        challenge = Challenge.objects.create(
            owner=owner, created_by=by, status=ChallengeStatus.DRAFT, title=title, **fields
        )
        for name, values in relations.items():
            getattr(challenge, name).set(values)
        record_audit(actor=by, action="challenge.created", target=challenge, organisation=owner)
    return challenge


def update_challenge(*, challenge: Challenge, by: User, **fields: Any) -> list[str]:
    """Save some of a draft's fields (one step of the editor); returns the names of those that changed.
    CPV codes and themes are given as iterables of their objects."""
    unknown = set(fields) - EDITABLE_FIELDS - EDITABLE_RELATIONS
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = _locked_draft(challenge=challenge, by=by)
        changed = [
            name
            for name, value in fields.items()
            if name in EDITABLE_FIELDS and getattr(locked, name) != value
        ]
        for name in changed:
            setattr(locked, name, fields[name])
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
        for name in EDITABLE_RELATIONS & set(fields):
            wanted = {obj.pk for obj in fields[name]}
            manager = getattr(locked, name)
            if set(manager.values_list("pk", flat=True)) != wanted:
                manager.set(wanted)
                changed.append(name)
        if changed:
            if not set(changed) & EDITABLE_FIELDS:
                locked.save(update_fields=["updated_at"])
            _audit_update(challenge=locked, by=by, fields=changed)
    return sorted(changed)


def _save_rows(
    *, model, challenge: Challenge, rows: Sequence[dict[str, Any]], fields: tuple[str, ...]
) -> bool:
    """Make the challenge's rows of `model` exactly `rows`, in that order: a row with a "pk" updates that
    row, one without is created, and rows not named are deleted. Returns whether anything changed."""
    existing = {obj.pk: obj for obj in model.objects.filter(challenge=challenge)}
    kept = {row["pk"] for row in rows if row.get("pk")}
    if kept - set(existing):
        raise ValidationError(_("Some of the rows no longer exist. Reload the page and try again."))
    changed = False
    doomed = [pk for pk in existing if pk not in kept]
    if doomed:
        model.objects.filter(pk__in=doomed).delete()
        changed = True
    to_update, to_create = [], []
    for position, row in enumerate(rows):
        values = {name: row.get(name) for name in fields} | {"position": position}
        if row.get("pk"):
            obj = existing[row["pk"]]
            if any(getattr(obj, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(obj, name, value)
                to_update.append(obj)
        else:
            to_create.append(model(challenge=challenge, **values))
    if to_update:
        model.objects.bulk_update(to_update, [*fields, "position"])
    if to_create:
        model.objects.bulk_create(to_create)
    return changed or bool(to_update) or bool(to_create)


def save_outcomes(*, challenge: Challenge, by: User, outcomes: Sequence[dict[str, Any]]) -> bool:
    """Replace a draft's outcomes by `outcomes` (dicts of description, indicator, baseline, target and,
    for an existing one, its pk), in that order. Returns whether anything changed."""
    rows = [{**row, **{name: row.get(name) or "" for name in OUTCOME_FIELDS}} for row in outcomes]
    with transaction.atomic():
        locked = _locked_draft(challenge=challenge, by=by)
        if not rows:
            raise ValidationError(_("A challenge needs at least one outcome."))
        if any(not row["description"].strip() for row in rows):
            raise ValidationError(_("Describe every outcome."))
        changed = _save_rows(model=Outcome, challenge=locked, rows=rows, fields=OUTCOME_FIELDS)
        if changed:
            locked.save(update_fields=["updated_at"])
            _audit_update(challenge=locked, by=by, fields=["outcomes"])
    return changed


def save_criteria(
    *, challenge: Challenge, by: User, criteria: Sequence[dict[str, Any]], scoring_scale: int
) -> bool:
    """Replace a draft's evaluation criteria (dicts of name, description, weight and, for an existing one,
    its pk) and set its scoring scale. The weights must add up to 100. Returns whether anything changed."""
    rows = [{**row, "description": row.get("description") or ""} for row in criteria]
    total = sum(int(row.get("weight") or 0) for row in rows)
    if rows and total != 100:
        raise ValidationError(
            _("The weights add up to %(total)s; they must add up to 100.") % {"total": total}, code="weights"
        )
    if any(not 1 <= int(row.get("weight") or 0) <= 100 for row in rows):
        raise ValidationError(_("Each weight must be between 1 and 100."), code="weights")
    with transaction.atomic():
        locked = _locked_draft(challenge=challenge, by=by)
        changed_fields = []
        if locked.scoring_scale != scoring_scale:
            locked.scoring_scale = scoring_scale
            changed_fields.append("scoring_scale")
        if _save_rows(model=Criterion, challenge=locked, rows=rows, fields=CRITERION_FIELDS):
            changed_fields.append("criteria")
        if changed_fields:
            locked.save(update_fields=[*(set(changed_fields) & {"scoring_scale"}), "updated_at"])
            _audit_update(challenge=locked, by=by, fields=changed_fields)
    return bool(changed_fields)


def prepare_challenge_document(
    *, challenge: Challenge, by: User, title: str, file: File
) -> ChallengeDocument:
    """Check a file by its content (ValidationError if it is too large, of a kind we do not accept or
    disguised as another) and store it under a generated name; returns the document, not yet saved. The
    caller saves it in its transaction, or deletes the stored file if that fails."""
    return stored_document(
        ChallengeDocument, file=file, challenge_id=challenge.pk, title=title, uploaded_by=by
    )


def add_challenge_document(*, challenge: Challenge, by: User, title: str, file: File) -> ChallengeDocument:
    """Attach a document to a draft, checked by its content and stored with its SHA-256."""
    document = prepare_challenge_document(challenge=challenge, by=by, title=title, file=file)
    with removed_if_not_saved(document), transaction.atomic():
        locked = _locked_draft(challenge=challenge, by=by)
        document.save()
        locked.save(update_fields=["updated_at"])
        record_audit(
            actor=by,
            action="challenge.document_added",
            target=locked,
            organisation=locked.owner,
            data={
                "document": document.pk,
                "title": title,
                "sha256": document.sha256,
                "size": document.size,
            },
        )
    return document


def delete_challenge_document(*, document: ChallengeDocument, by: User) -> None:
    """Remove a draft's document; the stored file is deleted once the transaction has committed."""
    with transaction.atomic():
        locked = _locked_draft(challenge=document.challenge, by=by)
        deleted, _rows = ChallengeDocument.objects.filter(pk=document.pk, challenge=locked).delete()
        if not deleted:
            return
        locked.save(update_fields=["updated_at"])
        record_audit(
            actor=by,
            action="challenge.document_deleted",
            target=locked,
            organisation=locked.owner,
            data={"document": document.pk, "title": document.title, "sha256": document.sha256},
        )
        storage, name = document.file.storage, document.file.name
        transaction.on_commit(lambda: storage.delete(name))
