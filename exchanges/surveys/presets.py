"""The ready-made surveys: the pre-exchange survey and the post-exchange reflection. Their question keys are
stable: the exchanges app reads them (themes, roles, case_topic, free_time for the draft agenda; learnings,
commitment, quote_consent for the reflection report)."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .enums import QuestionKind, SurveyKind


@dataclass(frozen=True)
class PresetQuestion:
    key: str
    kind: str
    text: str
    required: bool = False
    help_text: str = ""
    choices: tuple = ()
    show_if: str = ""
    show_if_values: tuple = ()
    scale_low_label: str = ""
    scale_high_label: str = ""


@dataclass(frozen=True)
class Preset:
    kind: str
    intro: str
    questions: tuple = field(default_factory=tuple)


PRE_EXCHANGE = Preset(
    kind=SurveyKind.PRE_EXCHANGE,
    intro=_(
        "Help us shape the exchange: tell us which themes you want, what you hope to learn, what you can "
        "contribute and how you like to spend free time. You can save your answers and come back later."
    ),
    questions=(
        PresetQuestion(
            "themes",
            QuestionKind.MULTIPLE,
            _("Which themes would you like the exchange to cover?"),
            help_text=_("Choose as many as you like."),
            choices=(
                ("needs-articulation", _("Describing needs instead of solutions")),
                ("market-dialogue", _("Market dialogue")),
                ("pre-commercial-procurement", _("Pre-commercial procurement")),
                ("legal-frameworks", _("Legal frameworks")),
                ("sustainability", _("Sustainability")),
                ("digital-services", _("Digital services")),
                ("evaluation-and-award", _("Evaluation and award")),
                ("contract-management", _("Contract management")),
            ),
        ),
        PresetQuestion("learn", QuestionKind.TEXT, _("What do you want to learn?"), required=True),
        PresetQuestion(
            "roles",
            QuestionKind.MULTIPLE,
            _("Which role could you take in the exchange?"),
            choices=(
                ("present_case", _("Present a case from my city")),
                ("lead_discussion", _("Lead a discussion")),
                ("host_visit", _("Host a site visit")),
                ("participate", _("Take part")),
            ),
        ),
        PresetQuestion(
            "case_topic",
            QuestionKind.TEXT,
            _("Which case would you present?"),
            help_text=_("A sentence or two is enough."),
            show_if="roles",
            show_if_values=("present_case",),
        ),
        PresetQuestion(
            "free_time",
            QuestionKind.RANKING,
            _("How would you like to spend the free time? Rank the activities you like."),
            help_text=_("Put your favourite first. You need not rank them all."),
            choices=(
                ("city_walk", _("A walk through the city")),
                ("sauna", _("Sauna")),
                ("museum", _("A museum")),
                ("dinner_together", _("Dinner together")),
                ("sports", _("Sports")),
                ("own_time", _("Time on my own")),
            ),
        ),
        PresetQuestion(
            "practical",
            QuestionKind.TEXT,
            _("Anything practical we should know?"),
            help_text=_("For example travel, accessibility or dietary needs."),
        ),
    ),
)

REFLECTION = Preset(
    kind=SurveyKind.REFLECTION,
    intro=_(
        "Look back on the exchange: what was different, what surprised you, and what you will take home. "
        "Your answers shape the reflection report for the other cities."
    ),
    questions=(
        PresetQuestion(
            "differences",
            QuestionKind.TEXT,
            _("Which differences in procurement practice did you notice?"),
            required=True,
        ),
        PresetQuestion(
            "surprises", QuestionKind.TEXT, _("Which implementations surprised you?"), required=True
        ),
        PresetQuestion("learnings", QuestionKind.TEXT, _("What are your key learnings?"), required=True),
        PresetQuestion(
            "bring_back_to",
            QuestionKind.TEXT,
            _("To whom will you bring these learnings back?"),
            help_text=_("For example your team, your manager or another department."),
            required=True,
        ),
        PresetQuestion(
            "overall",
            QuestionKind.SCALE,
            _("Overall, how useful was the exchange?"),
            required=True,
            scale_low_label=_("Not useful"),
            scale_high_label=_("Very useful"),
        ),
        PresetQuestion("change_next_time", QuestionKind.TEXT, _("What should we change next time?")),
        PresetQuestion(
            "commitment",
            QuestionKind.TEXT,
            _("Which action will you take after the exchange?"),
            required=True,
        ),
        PresetQuestion(
            "quote_consent",
            QuestionKind.SINGLE,
            _("May we quote your answers, without your name, in the reflection report?"),
            required=True,
            choices=(("yes", _("Yes")), ("no", _("No"))),
        ),
    ),
)

PRESETS = {"pre_exchange": PRE_EXCHANGE, "reflection": REFLECTION}
