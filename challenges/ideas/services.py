"""Writes of citizen ideas: submit (with the limits and spam checks), support and withdraw support, withdraw
one's own idea, moderate (publish, merge a duplicate, reject or take down), turn into a challenge draft,
and tell the supporters when that challenge is published. One function per action, each in one
transaction that locks the idea's row, with its guard, its audit entry and its notifications."""

import re
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.coach import language_or_none
from challenges.models import Challenge, Theme
from challenges.services.authoring import create_challenge
from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User
from portal.audit.services import record_audit
from portal.notifications.services import notify

from . import kinds
from .enums import IdeaStatus
from .models import AFFECTED_MAX_LENGTH, PROBLEM_MAX_LENGTH, Idea, IdeaSupport
from .selectors import city_members, ideas_due_for_supporter_notice, recent_submission_counts, supporters_of

# The limits on submission are settings (IDEAS_PER_HOUR, IDEAS_PER_DAY, IDEAS_MAX_LINKS), read when they
# apply. Spam carries links; a resident describing a problem rarely needs more than one or two.
LINK_PATTERN = re.compile(r"https?://|\bwww\.", re.IGNORECASE)
EMAIL_PATTERN = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
# A challenge's summary is at most 500 characters.
SUMMARY_LENGTH = 500


class IdeaStateError(Exception):
    """The idea is not in a state that allows the action (it was decided on meanwhile, say)."""


class SubmissionLimitReached(Exception):
    """The person has submitted as many ideas as the limits allow for now."""


class SpamSuspected(Exception):
    """The submission looks automated (the honeypot field was filled in)."""


# --- Submission ---------------------------------------------------------------------------------------


def count_links(*texts: str) -> int:
    return sum(len(LINK_PATTERN.findall(text or "")) for text in texts)


def check_idea_text(
    *, title: str, problem: str, affected: str = "", location: str = "", display_name: str = ""
) -> None:
    """Refuse (ValidationError, per field) a problem or an "affected" text that is too long, text with more
    links than settings.IDEAS_MAX_LINKS, and a display name that is an email address (it is shown
    publicly)."""
    errors = {}
    for name, value, limit in (
        ("problem", problem, PROBLEM_MAX_LENGTH),
        ("affected", affected, AFFECTED_MAX_LENGTH),
    ):
        if len(value or "") > limit:
            errors[name] = _(
                "Shorten this text to at most %(limit)d characters (it has %(count)d); what you typed is "
                "kept."
            ) % {"limit": limit, "count": len(value)}
    max_links = settings.IDEAS_MAX_LINKS
    links = count_links(title, problem, affected, location, display_name)
    if links > max_links and "problem" not in errors:
        errors["problem"] = ngettext(
            "Your idea has %(count)d links; at most %(limit)d is allowed. Describe the problem in your own "
            "words.",
            "Your idea has %(count)d links; at most %(limit)d are allowed. Describe the problem in your own "
            "words.",
            max_links,
        ) % {"count": links, "limit": max_links}
    if display_name and ("@" in display_name or EMAIL_PATTERN.search(display_name)):
        errors["display_name"] = _("Choose a name, not an email address: this name is shown publicly.")
    if errors:
        raise ValidationError(errors)


def submission_limit_message(*, user: User, now: datetime | None = None) -> str:
    """Why the person may not submit another idea now ("" if they may). One query."""
    hour, day = recent_submission_counts(user=user, now=now)
    if hour >= settings.IDEAS_PER_HOUR:
        return ngettext(
            "You have submitted %(count)d idea in the last hour, the most we accept. Try again later; what "
            "you typed is kept below.",
            "You have submitted %(count)d ideas in the last hour, the most we accept. Try again later; what "
            "you typed is kept below.",
            hour,
        ) % {"count": hour}
    if day >= settings.IDEAS_PER_DAY:
        return ngettext(
            "You have submitted %(count)d idea in the last 24 hours, the most we accept. Try again "
            "tomorrow; what you typed is kept below.",
            "You have submitted %(count)d ideas in the last 24 hours, the most we accept. Try again "
            "tomorrow; what you typed is kept below.",
            day,
        ) % {"count": day}
    return ""


def submit_idea(
    *,
    author: User,
    city: Organisation,
    title: str,
    problem: str,
    display_name: str,
    affected: str = "",
    location: str = "",
    themes: Iterable[Theme] = (),
    language: str = "en",
    honeypot: str = "",
) -> Idea:
    """A resident's new idea, waiting for moderation. Refused when the honeypot field was filled in
    (SpamSuspected), when the person is over the hourly or daily limit (SubmissionLimitReached), or for
    too many links, text too long or an email address as the name (ValidationError). Records
    `idea.submitted` for programme staff only (the city's admins must not read a resident's email address
    and IP address in their organisation's log) and tells the city's members there is an idea to moderate
    (ideas.submitted)."""
    if not author.is_authenticated:
        raise PermissionDenied
    if honeypot and honeypot.strip():
        raise SpamSuspected(_("Your idea could not be sent. Leave the last field empty and try again."))
    title, problem, display_name = title.strip(), problem.strip(), display_name.strip()
    affected, location = (affected or "").strip(), (location or "").strip()
    errors = {}
    if city.kind != OrganisationKind.BUYER:
        errors["city"] = _("Choose a city or municipality from the list.")
    for name, value in (("title", title), ("problem", problem), ("display_name", display_name)):
        if not value:
            errors[name] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    check_idea_text(
        title=title, problem=problem, affected=affected, location=location, display_name=display_name
    )
    with transaction.atomic():
        # Lock the person's row: two submissions sent at once are counted one after the other, so they
        # cannot both slip under the limit.
        User.objects.select_for_update().filter(pk=author.pk).first()
        if message := submission_limit_message(user=author):
            raise SubmissionLimitReached(message)
        idea = Idea.objects.create(
            city=city,
            author=author,
            display_name=display_name,
            title=title,
            problem=problem,
            affected=affected,
            location=location,
            language=language_or_none(language) or "en",
        )
        idea.themes.set(list(themes))
        # organisation=None: every event whose actor is a resident is for programme staff only.
        record_audit(actor=author, action="idea.submitted", target=idea, organisation=None)
        notify(
            recipients=city_members(city=city).exclude(pk=author.pk),
            kind=kinds.IDEA_SUBMITTED,
            target=idea,
            url=reverse("ideas:idea-moderate", kwargs={"pk": idea.pk}),
            context={"idea": idea, "city": city},
        )
    return idea


# --- Support --------------------------------------------------------------------------------------------


def _locked(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().get(pk=idea.pk)


def support_idea(*, idea: Idea, user: User) -> bool:
    """The person supports a published idea (once: a second support changes nothing). Returns whether a
    support was added. Authors cannot support their own idea."""
    if not user.is_authenticated:
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(idea)
        if locked.status != IdeaStatus.PUBLISHED:
            raise IdeaStateError(_("Only a published idea can be supported."))
        if locked.author_id == user.pk:
            raise IdeaStateError(_("You cannot support your own idea."))
        _support, created = IdeaSupport.objects.get_or_create(idea=locked, user=user)
    return created


def withdraw_support(*, idea: Idea, user: User) -> bool:
    """The person no longer supports the idea. Returns whether there was a support to withdraw."""
    if not user.is_authenticated:
        return False
    with transaction.atomic():
        locked = _locked(idea)  # a merge moving the supports waits, or runs first
        deleted, _rows = IdeaSupport.objects.filter(idea=locked, user=user).delete()
    return bool(deleted)


# --- The author withdraws their idea ----------------------------------------------------------------------


def withdraw_idea(*, idea: Idea, by: User) -> Idea:
    """The author takes back their own idea, pending or published (not once it became a challenge, and not
    while other residents' ideas are merged into it: those would be left pointing to nothing; the city's
    moderators may take it down instead, which takes those down too). Withdrawn → not public, out of the
    moderation queue; its supports stay but count for nothing. Keeps published_at. Records
    `idea.withdrawn` for programme staff only (the actor is a resident). Notifies nobody."""
    with transaction.atomic():
        locked = _locked(idea)
        if not by.is_authenticated or locked.author_id != by.pk:
            raise PermissionDenied
        if locked.status not in (IdeaStatus.PENDING, IdeaStatus.PUBLISHED):
            raise IdeaStateError(
                _("Only an idea that is waiting for moderation or published can be withdrawn.")
            )
        if locked.is_converted:
            raise IdeaStateError(_("This idea has become a challenge; it can no longer be withdrawn."))
        if Idea.objects.filter(merged_into=locked, status=IdeaStatus.MERGED).exists():
            raise IdeaStateError(
                _(
                    "Other residents' ideas were merged into this one, so it cannot be withdrawn. Ask the "
                    "city's moderators to take it down if it must go."
                )
            )
        previous = locked.status
        locked.status = IdeaStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        record_audit(
            actor=by, action="idea.withdrawn", target=locked, organisation=None, data={"was": previous}
        )
    return locked


# --- Moderation -----------------------------------------------------------------------------------------


def _check_moderator(idea: Idea, by: User) -> None:
    """Members of the city and programme staff moderate; nobody moderates their own idea."""
    may = by.is_authenticated and (by.is_programme_staff or idea.city_id in by.buyer_organisation_ids)
    if not may or idea.author_id == by.pk:
        raise PermissionDenied


def _mark_moderated(idea: Idea, by: User, now: datetime) -> None:
    idea.moderated_by, idea.moderated_at = by, now


def _tell_author(idea: Idea, **context) -> None:
    notify(
        recipients=[idea.author], kind=kinds.IDEA_MODERATED, target=idea, context={"idea": idea, **context}
    )


def publish_idea(*, idea: Idea, by: User) -> Idea:
    """Pending → published: the idea appears in the public list and may be supported. Records
    `idea.published`; tells the author (ideas.moderated)."""
    with transaction.atomic():
        locked = _locked(idea)
        _check_moderator(locked, by)
        if locked.status != IdeaStatus.PENDING:
            raise IdeaStateError(_("Only an idea waiting for moderation can be published."))
        now = timezone.now()
        locked.status, locked.published_at = IdeaStatus.PUBLISHED, now
        _mark_moderated(locked, by, now)
        locked.save(update_fields=["status", "published_at", "moderated_by", "moderated_at", "updated_at"])
        record_audit(actor=by, action="idea.published", target=locked, organisation=locked.city)
        _tell_author(locked, decision=IdeaStatus.PUBLISHED)
    return locked


def _check_decidable(idea: Idea) -> None:
    """A pending idea, or a published one that has not become a challenge (a challenge draft the city
    cancelled before publishing it does not count), may be rejected or merged."""
    if idea.status == IdeaStatus.PENDING:
        return
    if idea.status == IdeaStatus.PUBLISHED and not idea.is_converted:
        return
    if idea.is_converted:
        raise IdeaStateError(_("This idea has become a challenge; it can no longer be changed."))
    raise IdeaStateError(
        _("This idea is already decided on (%(status)s).") % {"status": idea.get_status_display().lower()}
    )


def reject_idea(*, idea: Idea, by: User, reason: str) -> Idea:
    """Pending (or published, not yet a challenge) → rejected, with a reason the author sees. Taking down a
    published idea takes down the ideas merged into it too (with the same reason): their pages would
    otherwise point to an idea nobody may see. Keeps published_at (the idea was published once; the status
    says it no longer is). Records `idea.rejected` for each; tells each author, with the reason
    (ideas.moderated)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the author why the idea is not published.")})
    with transaction.atomic():
        locked = _locked(idea)
        _check_moderator(locked, by)
        _check_decidable(locked)
        now = timezone.now()
        locked.status, locked.rejection_reason = IdeaStatus.REJECTED, reason
        _mark_moderated(locked, by, now)
        locked.save(
            update_fields=["status", "rejection_reason", "moderated_by", "moderated_at", "updated_at"]
        )
        record_audit(
            actor=by, action="idea.rejected", target=locked, organisation=locked.city, data={"reason": reason}
        )
        _tell_author(locked, decision=IdeaStatus.REJECTED, reason=reason)
        # Read after the target's lock: a merge into it that committed meanwhile is seen here.
        merged = list(
            Idea.objects.select_for_update(of=("self",))
            .filter(merged_into=locked, status=IdeaStatus.MERGED)
            .select_related("city", "author")
            .order_by("pk")
        )
        for other in merged:
            other.status, other.merged_into, other.rejection_reason = IdeaStatus.REJECTED, None, reason
            _mark_moderated(other, by, now)
            other.save(
                update_fields=[
                    "status",
                    "merged_into",
                    "rejection_reason",
                    "moderated_by",
                    "moderated_at",
                    "updated_at",
                ]
            )
            record_audit(
                actor=by,
                action="idea.rejected",
                target=other,
                organisation=other.city,
                data={"reason": reason, "with": locked.pk},
            )
            _tell_author(other, decision=IdeaStatus.REJECTED, reason=reason, merged_into=locked)
    return locked


def merge_idea(*, idea: Idea, into: Idea, by: User) -> Idea:
    """Merge a duplicate (pending, or published and not yet a challenge) into another published idea of
    the same city. The duplicate's supports move to the target, each person counted once (someone who
    supports both keeps one support; the target's author gets none); the duplicate's author becomes a
    supporter of the target (they raised the same problem); ideas merged into the duplicate earlier now
    point to the target. A duplicate that was never published stays private (PUBLIC_Q). Records
    `idea.merged`; tells the duplicate's author (ideas.moderated); when the target's supporters have
    already been told that its challenge was published, tells the supporters who moved and the duplicate's
    author too (ideas.challenge_published), in the same transaction."""
    if idea.pk == into.pk:
        raise IdeaStateError(_("An idea cannot be merged into itself."))
    with transaction.atomic():
        # Both rows, locked in primary-key order (two merges in opposite directions cannot deadlock).
        rows = {
            row.pk: row
            for row in Idea.objects.select_for_update().filter(pk__in=[idea.pk, into.pk]).order_by("pk")
        }
        duplicate, target = rows[idea.pk], rows[into.pk]
        _check_moderator(duplicate, by)
        _check_decidable(duplicate)
        if target.city_id != duplicate.city_id:
            raise IdeaStateError(_("An idea can only be merged into an idea for the same city."))
        if target.status != IdeaStatus.PUBLISHED:
            raise IdeaStateError(_("An idea can only be merged into a published idea."))
        on_target = IdeaSupport.objects.filter(idea=target).values("user_id")
        doubles = Q(user_id__in=on_target)
        if target.author_id is not None:
            doubles |= Q(user_id=target.author_id)
        dropped, _rows = IdeaSupport.objects.filter(idea=duplicate).filter(doubles).delete()
        moving = list(IdeaSupport.objects.filter(idea=duplicate).values_list("user_id", flat=True))
        moved = IdeaSupport.objects.filter(idea=duplicate).update(idea=target)
        author_added, author_told = False, False
        if duplicate.author_id is not None and duplicate.author_id != target.author_id:
            support, author_added = IdeaSupport.objects.get_or_create(
                idea=target, user_id=duplicate.author_id
            )
            # They heard of the challenge already if they supported the target before its supporters
            # were told.
            author_told = (
                not author_added
                and target.supporters_notified_at is not None
                and support.created_at <= target.supporters_notified_at
            )
        Idea.objects.filter(merged_into=duplicate).update(merged_into=target)
        duplicate.status, duplicate.merged_into = IdeaStatus.MERGED, target
        _mark_moderated(duplicate, by, timezone.now())
        duplicate.save(update_fields=["status", "merged_into", "moderated_by", "moderated_at", "updated_at"])
        record_audit(
            actor=by,
            action="idea.merged",
            target=duplicate,
            organisation=duplicate.city,
            data={"into": target.pk, "supports_moved": moved, "supports_dropped_as_doubles": dropped},
        )
        _tell_author(duplicate, decision=IdeaStatus.MERGED, merged_into=target, counted=author_added)
        if target.supporters_notified_at is not None and target.challenge_id is not None:
            # The notice task claimed the target already and will not run for it again.
            told_now = set(moving)
            if (
                duplicate.author_id is not None
                and duplicate.author_id != target.author_id
                and not author_told
            ):
                told_now.add(duplicate.author_id)
            challenge = target.challenge
            notify(
                recipients=User.objects.filter(pk__in=told_now, is_active=True).order_by("pk"),
                kind=kinds.IDEA_BECAME_CHALLENGE,
                target=challenge,
                context={"idea": target, "challenge": challenge, "merged_idea": duplicate},
            )
    return duplicate


# --- Turning an idea into a challenge -------------------------------------------------------------------


def challenge_fields_from_idea(idea: Idea) -> dict:
    """The draft's statement as the idea gives it: its title, the problem as the summary (shortened) and
    as today's situation (with where it happens), who is affected, its themes and language."""
    current_situation = idea.problem
    if idea.location:
        with translation.override(idea.language):
            current_situation += "\n\n" + _("Where: %(location)s") % {"location": idea.location}
    first_paragraph = idea.problem.split("\n\n", 1)[0].strip()
    return {
        "title": idea.title,
        "summary": Truncator(" ".join(first_paragraph.split())).chars(SUMMARY_LENGTH),
        "current_situation": current_situation,
        "affected": idea.affected,
        "language": idea.language,
        "themes": list(idea.themes.all()),
    }


def convert_idea_to_challenge(*, idea: Idea, by: User) -> Challenge:
    """A member of the city turns a published idea into a challenge draft owned by the city, prefilled
    from the idea (challenges.services.authoring.create_challenge); the idea keeps the link. Records
    `idea.converted` (and the challenge's own `challenge.created`). No notification: the supporters hear
    when the challenge is published (notify_supporters_of_published_challenges)."""
    with transaction.atomic():
        locked = Idea.objects.select_for_update(of=("self",)).select_related("city").get(pk=idea.pk)
        if not by.is_authenticated or locked.city_id not in by.buyer_organisation_ids:
            raise PermissionDenied
        if locked.is_converted:
            raise IdeaStateError(_("This idea has already become a challenge."))
        if locked.status != IdeaStatus.PUBLISHED:
            raise IdeaStateError(_("Only a published idea can become a challenge."))
        # A draft cancelled before publication was abandoned: the idea may become a challenge again, and
        # the new draft takes the old one's place (the audit log keeps both).
        abandoned = locked.challenge_id
        challenge = create_challenge(owner=locked.city, by=by, **challenge_fields_from_idea(locked))
        locked.challenge, locked.converted_by, locked.converted_at = challenge, by, timezone.now()
        locked.save(update_fields=["challenge", "converted_by", "converted_at", "updated_at"])
        record_audit(
            actor=by,
            action="idea.converted",
            target=locked,
            organisation=locked.city,
            data={"challenge": challenge.pk, **({"abandoned_challenge": abandoned} if abandoned else {})},
        )
    return challenge


# --- Telling the supporters -----------------------------------------------------------------------------


def claim_and_notify_supporters(*, idea: Idea) -> bool:
    """Claim the idea (a conditional UPDATE of supporters_notified_at) and, if this call won the claim,
    tell its supporters and its author that its challenge is published (ideas.challenge_published).
    Returns whether it did; a second call, or a concurrent one, tells nobody."""
    with transaction.atomic():
        claimed = Idea.objects.filter(pk=idea.pk, supporters_notified_at__isnull=True).update(
            supporters_notified_at=timezone.now()
        )
        if not claimed:
            return False
        challenge = idea.challenge
        notify(
            recipients=[*supporters_of(idea=idea), idea.author],
            kind=kinds.IDEA_BECAME_CHALLENGE,
            target=challenge,
            context={"idea": idea, "challenge": challenge},
        )
    return True


def notify_supporters_of_published_challenges() -> int:
    """Tell the supporters of every idea whose challenge has been published since the last run. Returns
    how many ideas' supporters were told."""
    return sum(claim_and_notify_supporters(idea=idea) for idea in ideas_due_for_supporter_notice())
