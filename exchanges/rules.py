"""Who may do what with staff exchanges. Predicates run no queries: an event read for a person carries
that person's live registration (exchanges.selectors.event_for_viewer sets `viewer_registration`)."""

import rules

from portal.accounts.rules import is_programme_staff

from .enums import RegistrationStatus


@rules.predicate
def is_public_event(user, event) -> bool:
    return event is not None and event.is_public


@rules.predicate
def is_exchange_eligible(user) -> bool:
    """Procurement staff may register: members of a buyer or programme organisation (suppliers do not
    take part in staff exchanges)."""
    if not user.is_authenticated:
        return False
    return any(kind in {"buyer", "programme"} for _pk, _role, kind in user.organisation_memberships)


@rules.predicate
def registration_is_open(user, event) -> bool:
    return event is not None and event.registration_is_open()


@rules.predicate
def has_no_live_registration(user, event) -> bool:
    return event is not None and getattr(event, "viewer_registration", None) is None


@rules.predicate
def is_confirmed_participant(user, event) -> bool:
    registration = getattr(event, "viewer_registration", None) if event is not None else None
    return registration is not None and registration.status == RegistrationStatus.CONFIRMED


@rules.predicate
def is_registered(user, event) -> bool:
    return event is not None and getattr(event, "viewer_registration", None) is not None


@rules.predicate
def is_own_registration(user, registration) -> bool:
    return bool(user.is_authenticated and registration is not None and registration.user_id == user.pk)


@rules.predicate
def is_cancellable_registration(user, registration) -> bool:
    return registration is not None and registration.is_live and registration.event.can_cancel_registration()


@rules.predicate
def is_live_registration(user, registration) -> bool:
    return registration is not None and registration.is_live


@rules.predicate
def is_published_report(user, report) -> bool:
    return report is not None and report.is_published


@rules.predicate
def is_case_study(user, report) -> bool:
    return report is not None and report.is_case_study


rules.add_perm("exchanges.view_event", is_public_event | is_programme_staff)
rules.add_perm("exchanges.manage_exchanges", is_programme_staff)
rules.add_perm(
    "exchanges.register_for_event",
    is_exchange_eligible & is_public_event & registration_is_open & has_no_live_registration,
)
rules.add_perm(
    "exchanges.cancel_registration",
    (is_own_registration & is_cancellable_registration) | (is_programme_staff & is_live_registration),
)
rules.add_perm("exchanges.view_participant_list", is_confirmed_participant | is_programme_staff)
rules.add_perm("exchanges.answer_event_survey", is_confirmed_participant)
rules.add_perm("exchanges.publish_case_study", is_programme_staff & is_published_report & ~is_case_study)
rules.add_perm("exchanges.withdraw_case_study", is_programme_staff & is_case_study)
