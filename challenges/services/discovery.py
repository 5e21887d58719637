"""Writes of discovery: following, saved searches and the publication fan-out.

queue_publication_fanout() is what the lifecycle's publish service calls; the fan-out itself runs in a
Celery task after the commit and calls notify(), whose rows (in-app notification + outbox mail) are the
durable part."""

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from portal.audit.services import record_audit
from portal.notifications.services import claim_reminders, notify, notify_each, outbox_batch

from .. import kinds
from ..enums import ChallengeStatus
from ..models import Challenge, Follow, SavedSearch
from ..search import ChallengeFilters, clean_query, refresh_search_vector

logger = logging.getLogger(__name__)

# How many recipients one fan-out transaction claims and notifies.
FANOUT_BATCH_SIZE = 200
# How far back the sweep looks for challenges whose fan-out may never have been queued.
FANOUT_SWEEP_WINDOW = timedelta(days=2)
# A person keeps at most this many saved searches; each costs a little at every publication.
MAX_SAVED_SEARCHES_PER_USER = 50


class DiscoveryError(Exception):
    """A follow or saved-search action that cannot be done; the message is for the person."""


def fanout_key(challenge_id: int) -> str:
    return f"challenge:{challenge_id}:published"


# --- Publication fan-out ------------------------------------------------------------------------------


def queue_publication_fanout(*, challenge_id: int) -> None:
    """Queue the publication fan-out for a challenge once the caller's transaction commits. Never raises:
    if the broker is down or hanging (publishing is bounded and not retried), the failure is logged and
    sweep_publication_fanouts() catches up later; the publication itself stands."""

    def enqueue() -> None:
        from portal.notifications.tasks import publish

        from ..tasks_discovery import publication_fanout_task

        try:
            publish(publication_fanout_task, challenge_id=challenge_id)
        except Exception:  # kombu, redis, socket errors, or an eager run that failed: all mean "later"
            logger.warning(
                "Could not queue the fan-out of challenge %s; the sweep will retry.",
                challenge_id,
                exc_info=True,
            )

    transaction.on_commit(enqueue)


def fan_out_publication(*, challenge_id: int) -> int:
    """Index a published challenge and notify, once each, the people who follow its buyer (kind
    challenges.published) and the owners of saved searches it matches (challenges.saved_search_match, with
    the first matching search by name). Only follows and saved searches that existed when the challenge was
    published count. Idempotent: every recipient is claimed (a unique reminder record) in the same
    transaction as their notification, batch by batch. Returns how many people were notified. Gives up
    quietly if the challenge is gone or not published."""
    from ..selectors.discovery import organisation_followers, saved_searches_matching

    challenge = (
        Challenge.objects.select_related("owner")
        .prefetch_related("themes", "cpv_codes", "outcomes")
        .filter(pk=challenge_id, status=ChallengeStatus.PUBLISHED)
        .first()
    )
    if challenge is None:
        return 0
    refresh_search_vector(challenge_id=challenge.pk)
    since = challenge.published_at or timezone.now()

    # user id → (user, saved search or None); a follower is told as a follower even if a search matches.
    recipients: dict[int, tuple] = {}
    for search in saved_searches_matching(challenge=challenge, created_before=since):
        recipients.setdefault(search.user_id, (search.user, search))
    for user in organisation_followers(organisation_id=challenge.owner_id, created_before=since):
        recipients[user.pk] = (user, None)

    told = 0
    entries = sorted(recipients.values(), key=lambda entry: entry[0].pk)
    for start in range(0, len(entries), FANOUT_BATCH_SIZE):
        told += _notify_batch(challenge, entries[start : start + FANOUT_BATCH_SIZE])
    return told


def _notify_batch(challenge: Challenge, entries: Sequence[tuple]) -> int:
    # One outbox hand-off for the whole batch: its mails go out over one SMTP connection per
    # DELIVERY_BATCH_SIZE, not one per person.
    with transaction.atomic(), outbox_batch():
        users = [user for user, _search in entries]
        claimed = {user.pk for user in claim_reminders(users=users, key=fanout_key(challenge.pk))}
        followers = [user for user, search in entries if search is None and user.pk in claimed]
        if followers:
            notify(
                recipients=followers, kind=kinds.PUBLISHED, target=challenge, context={"challenge": challenge}
            )
        searchers = [
            (user, {"challenge": challenge, "saved_search": search})
            for user, search in entries
            if search is not None and user.pk in claimed
        ]
        if searchers:
            notify_each(entries=searchers, kind=kinds.SAVED_SEARCH_MATCH, target=challenge)
    return len(claimed)


def sweep_publication_fanouts() -> int:
    """Run the fan-out again for every challenge published within FANOUT_SWEEP_WINDOW (in case its own
    task was never queued). Returns how many people were notified now."""
    ids = Challenge.objects.filter(
        status=ChallengeStatus.PUBLISHED, published_at__gte=timezone.now() - FANOUT_SWEEP_WINDOW
    ).values_list("pk", flat=True)
    return sum(fan_out_publication(challenge_id=pk) for pk in list(ids))


# --- Following ----------------------------------------------------------------------------------------


def follow_challenge(*, user, challenge: Challenge) -> Follow:
    """Follow a challenge the user may see. Idempotent: following twice keeps the one follow."""
    if not user.has_perm("challenges.follow") or not user.has_perm("challenges.view_challenge", challenge):
        raise DiscoveryError(_("You cannot follow this challenge."))
    with transaction.atomic():
        follow, created = Follow.objects.get_or_create(user=user, challenge=challenge)
        if created:
            record_audit(actor=user, action="challenge.followed", target=challenge)
    return follow


def unfollow_challenge(*, user, challenge: Challenge) -> bool:
    """Stop following a challenge. Idempotent; returns whether there was a follow to remove."""
    with transaction.atomic():
        deleted, _count = Follow.objects.filter(user=user, challenge=challenge).delete()
        if deleted:
            record_audit(actor=user, action="challenge.unfollowed", target=challenge)
    return bool(deleted)


def follow_organisation(*, user, organisation: Organisation) -> Follow:
    """Follow a buying organisation: hear about every challenge it publishes. Idempotent."""
    if not user.has_perm("challenges.follow") or organisation.kind != OrganisationKind.BUYER:
        raise DiscoveryError(_("You can follow only buying organisations."))
    with transaction.atomic():
        follow, created = Follow.objects.get_or_create(user=user, organisation=organisation)
        if created:
            record_audit(actor=user, action="organisation.followed", target=organisation)
    return follow


def unfollow_organisation(*, user, organisation: Organisation) -> bool:
    """Stop following an organisation. Idempotent; returns whether there was a follow to remove."""
    with transaction.atomic():
        deleted, _count = Follow.objects.filter(user=user, organisation=organisation).delete()
        if deleted:
            record_audit(actor=user, action="organisation.unfollowed", target=organisation)
    return bool(deleted)


# --- Saved searches -----------------------------------------------------------------------------------


def save_search(*, user, name: str, query: str, filters: ChallengeFilters) -> SavedSearch:
    """Save a search (words and already validated filters) for the user, to be told of new challenges that
    match it. The user's searches are locked while counting, so two at once cannot pass the limit."""
    name = " ".join(name.split())[:100]
    if not user.has_perm("challenges.follow"):
        raise DiscoveryError(_("Sign in to save a search."))
    if not name:
        raise DiscoveryError(_("Give the search a name."))
    with transaction.atomic():
        existing = list(
            SavedSearch.objects.select_for_update().filter(user=user).values_list("pk", flat=True)
        )
        if len(existing) >= MAX_SAVED_SEARCHES_PER_USER:
            raise DiscoveryError(
                _("You have %(count)d saved searches, the most one can keep. Delete one first.")
                % {"count": MAX_SAVED_SEARCHES_PER_USER}
            )
        saved_search = SavedSearch.objects.create(
            user=user, name=name, query=clean_query(query), filters=filters.as_json()
        )
        record_audit(actor=user, action="saved_search.created", target=saved_search)
    return saved_search


def delete_saved_search(*, user, saved_search: SavedSearch) -> None:
    """Delete one of the user's own saved searches."""
    if saved_search.user_id != user.pk:
        raise DiscoveryError(_("You can delete only your own saved searches."))
    with transaction.atomic():
        record_audit(actor=user, action="saved_search.deleted", target=saved_search)
        saved_search.delete()
