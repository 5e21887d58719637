"""Who may do what with case studies, in one place. Predicates run no queries (User.organisation_roles
is read once per request); whether a challenge already has its case study is the service's and the
template tag's question, not a predicate's.

- write_case_study (challenge): a member of the owning buyer organisation, once the challenge has ended
  (awarded, not awarded or cancelled) after it was published.
- view_case_study: anyone when published; while a draft, programme staff, and the owner's members for a
  challenge's case study (an exchange's draft is the report staff withdrew or set back to draft: the host's
  members no more see it than they see the draft report).
- change_case_study: the owner's members for a challenge's case study; programme staff for an exchange's
  (they wrote the reflection report it comes from).
- publish_case_study: the owner's members, a challenge's draft (an exchange's is published from its
  reflection report, exchanges.services.reports.publish_case_study).
- unpublish_case_study: a published one; the owner's members for a challenge's, programme staff for either
  (withdrawing an exchange's is staff's, as in exchanges).
- view_case_study_contacts: the names and addresses of "contacts willing to talk" are for the public sector
  (members of buyer and programme organisations) and programme staff, not for suppliers or the public."""

import rules

from challenges.enums import ChallengeStatus
from challenges.rules import is_owner_member as is_challenge_owner_member
from portal.accounts.enums import OrganisationKind
from portal.accounts.rules import is_programme_staff

from .enums import CaseSource, CaseStudyStatus

ENDED_STATUSES = {ChallengeStatus.AWARDED, ChallengeStatus.NOT_AWARDED, ChallengeStatus.CANCELLED}


@rules.predicate
def challenge_has_ended(user, challenge) -> bool:
    """Ended after it was published: a draft cancelled before review never met the market, and its
    title and need are private."""
    return challenge is not None and challenge.status in ENDED_STATUSES and challenge.published_at is not None


@rules.predicate
def is_owner_member(user, case_study) -> bool:
    return bool(
        user.is_authenticated and case_study is not None and case_study.owner_id in user.organisation_roles
    )


@rules.predicate
def is_published(user, case_study) -> bool:
    return case_study is not None and case_study.status == CaseStudyStatus.PUBLISHED


@rules.predicate
def is_draft(user, case_study) -> bool:
    return case_study is not None and case_study.status == CaseStudyStatus.DRAFT


@rules.predicate
def is_from_challenge(user, case_study) -> bool:
    return case_study is not None and case_study.source == CaseSource.CHALLENGE


@rules.predicate
def is_from_exchange(user, case_study) -> bool:
    return case_study is not None and case_study.source == CaseSource.EXCHANGE


@rules.predicate
def is_public_sector_member(user) -> bool:
    """A member of a buyer or programme organisation."""
    return bool(
        user.is_authenticated
        and any(
            kind in {OrganisationKind.BUYER, OrganisationKind.PROGRAMME}
            for _pk, _role, kind in user.organisation_memberships
        )
    )


rules.add_perm("casestudies.write_case_study", is_challenge_owner_member & challenge_has_ended)
rules.add_perm(
    "casestudies.view_case_study", is_published | (is_owner_member & is_from_challenge) | is_programme_staff
)
rules.add_perm(
    "casestudies.change_case_study",
    (is_owner_member & is_from_challenge) | (is_programme_staff & is_from_exchange),
)
rules.add_perm("casestudies.publish_case_study", is_owner_member & is_from_challenge & is_draft)
rules.add_perm(
    "casestudies.unpublish_case_study",
    ((is_owner_member & is_from_challenge) | is_programme_staff) & is_published,
)
rules.add_perm("casestudies.view_case_study_contacts", is_public_sector_member | is_programme_staff)
