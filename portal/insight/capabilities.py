"""The maturity scale of the capability self-assessment: for each FORAN capability, what levels 1 to 5 look
like in a municipal procurement organisation. A leader reads the descriptions to place the organisation,
and the next level's description is the step the portal suggests for a weak area."""

from django.utils.translation import gettext_lazy as _

from challenges.casestudies.enums import Capability

from .models import MATURITY_MAX, MATURITY_MIN

LEVELS = range(MATURITY_MIN, MATURITY_MAX + 1)

LEVEL_NAMES = {
    1: _("Initial"),
    2: _("Developing"),
    3: _("Established"),
    4: _("Advanced"),
    5: _("Embedded"),
}

# {capability: (level 1, level 2, level 3, level 4, level 5)}
DESCRIPTIONS = {
    Capability.MANAGEMENT_ANCHORING: (
        _("Innovation in procurement depends on individual enthusiasts; management is not involved."),
        _(
            "Management allows innovative procurement case by case when someone asks, but sets no "
            "direction and does not follow it up."
        ),
        _(
            "Management has named innovative procurement a priority and a manager sponsors single "
            "projects, but there are no targets or budget for it."
        ),
        _(
            "Management has set targets for innovative procurement, given someone the responsibility and "
            "the resources, and asks how it is going several times a year."
        ),
        _(
            "Innovative procurement is part of the organisation's strategy, with targets, budget and regular "
            "follow-up by management."
        ),
    ),
    Capability.COMPETENCE: (
        _(
            "Nobody involved has training or experience in innovative procurement; the ordinary tender with "
            "a detailed specification is the only route people know."
        ),
        _(
            "A few procurement officers have been on courses or seminars, but the knowledge stays with them "
            "and is seldom used."
        ),
        _(
            "The procurement unit has people who have carried out an innovative procurement and can advise "
            "colleagues on routes such as market dialogue, competitive dialogue and innovation partnership."
        ),
        _(
            "Procurement officers, budget holders and end users get training in needs-based procurement "
            "before a project starts, and experienced colleagues coach those doing it for the first time."
        ),
        _(
            "Competence is planned: roles have stated competence needs, training is part of starting in the "
            "job, and the organisation's people teach innovative procurement to other organisations."
        ),
    ),
    Capability.INTERNAL_COLLABORATION: (
        _(
            "Procurement works alone from a specification handed over by the service unit; end users, legal "
            "and finance are involved only at the end, if at all."
        ),
        _(
            "The service unit and procurement meet at the start and the end of a procurement, but the need "
            "is written without the people who have it."
        ),
        _(
            "Projects have a team across procurement, the service unit and end users; legal, finance and ICT "
            "join when someone asks them."
        ),
        _(
            "A team across units (procurement, end users, legal, finance, ICT) is the rule for innovative "
            "procurement, with clear roles from the need to the implementation."
        ),
        _(
            "Working across units is how the organisation buys: needs are planned together, there is one "
            "project model, and the unit that will use the solution owns its implementation from day one."
        ),
    ),
    Capability.SUPPLIER_DIALOGUE: (
        _("There is no contact with suppliers before a tender, for fear of breaking the procurement rules."),
        _("There is now and then informal contact with a few known suppliers, but no open dialogue."),
        _(
            "Open market dialogue (a request for information, a dialogue meeting) is held before some of "
            "the larger procurements."
        ),
        _(
            "Market dialogue is planned for every innovative procurement: the need is announced early, "
            "meetings are open to all and written up, and small companies are invited on purpose."
        ),
        _(
            "The organisation is in a standing, open dialogue with the market: it publishes its procurement "
            "plans ahead, holds regular supplier days and uses suppliers' feedback to improve how it buys."
        ),
    ),
    Capability.MUNICIPAL_COLLABORATION: (
        _(
            "The organisation buys alone and does not know what other municipalities are doing about the "
            "same needs."
        ),
        _("Staff share experience with other municipalities informally, through their personal networks."),
        _(
            "The organisation takes part in networks or programmes where municipalities share needs and "
            "experience, and looks at what others have bought before it starts its own procurement."
        ),
        _(
            "The organisation runs joint market dialogue or joint procurements with other municipalities "
            "when they share a need."
        ),
        _(
            "Working with other municipalities is routine: needs are coordinated in the region, joint "
            "procurements and the scaling up of solutions that work are planned, and the organisation hosts "
            "others to share what it has learnt."
        ),
    ),
    Capability.SYSTEMATIC_LEARNING: (
        _("Experience stays with the people who did the procurement; when they leave, it is lost."),
        _("Some projects write a closing report, but nobody reads it before the next procurement."),
        _(
            "Lessons learnt are collected after each innovative procurement and kept where colleagues can "
            "find them."
        ),
        _(
            "New projects start by reading earlier lessons and case studies, and results are measured "
            "against the indicators set at the start."
        ),
        _(
            "Experience is gathered and shared across employees and projects, and with other cities as case "
            "studies, and it changes routines, templates and strategy."
        ),
    ),
}


def level_description(capability: str, level: int) -> str:
    return DESCRIPTIONS[Capability(capability)][level - MATURITY_MIN]


def level_choices(capability: str) -> list[tuple[int, str]]:
    """The radio choices of one capability: each level with its name and description as its label."""
    return [
        (level, f"{level} · {LEVEL_NAMES[level]}: {level_description(capability, level)}") for level in LEVELS
    ]
