"""The draft agenda the pre-exchange survey proposes. Pure: it takes the survey's answers as plain data and
the agenda's fixed sessions, and returns sessions to suggest, so it can be tested from a given set of
answers. exchanges.services.agenda writes the proposal as `proposed` sessions."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .enums import SessionKind

# How many discussion slots the most wanted themes get.
DISCUSSION_SLOTS = 3
DISCUSSION_LENGTH = datetime.timedelta(minutes=75)
CASE_LENGTH = datetime.timedelta(minutes=60)
FREE_TIME_LENGTH = datetime.timedelta(minutes=120)
# Proposed work sessions go between these times on the host's clock; free time goes after the working day.
WORKDAY_START, WORKDAY_END = datetime.time(9, 0), datetime.time(17, 0)
EVENING_START, EVENING_END = datetime.time(17, 30), datetime.time(21, 0)
BREAK = datetime.timedelta(minutes=15)


@dataclass
class Volunteer:
    """A respondent who offered a role (present a case, lead a discussion, host a visit)."""

    registration: object
    roles: list[str]
    case_topic: str = ""


@dataclass
class SurveyInput:
    theme_counts: list[tuple[str, str, int]]  # (value, label, count), any order
    volunteers: list[Volunteer] = field(default_factory=list)
    free_time_ranking: list[tuple[str, str, float]] = field(default_factory=list)  # (value, label, score)
    respondents: int = 0


@dataclass
class ProposedSession:
    kind: str
    title: str
    description: str
    length: datetime.timedelta
    speakers: list = field(default_factory=list)
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    evening: bool = False

    @property
    def kind_label(self) -> str:
        return SessionKind(self.kind).label

    @property
    def speaker_names(self) -> str:
        return ", ".join(str(registration.user) for registration in self.speakers)


def rank_themes(theme_counts: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """Most wanted first; ties in the order the survey lists the themes."""
    indexed = list(enumerate(theme_counts))
    indexed.sort(key=lambda item: (-item[1][2], item[0]))
    return [item for _index, item in indexed if item[2] > 0]


def propose_sessions(data: SurveyInput) -> list[ProposedSession]:
    """What the answers ask for, without times: discussion slots for the most wanted themes (led by
    volunteers who offered to lead a discussion), a real-case slot per volunteer with a case, and the free
    time slot for the best-ranked activity."""
    proposals: list[ProposedSession] = []
    leaders = [v for v in data.volunteers if "lead_discussion" in v.roles]
    for index, (_value, label, count) in enumerate(rank_themes(data.theme_counts)[:DISCUSSION_SLOTS]):
        speakers = [leaders[index].registration] if index < len(leaders) else []
        proposals.append(
            ProposedSession(
                kind=SessionKind.DISCUSSION,
                title=_("Discussion: %(theme)s") % {"theme": label},
                description=_("Wished for by %(count)s of %(total)s respondents.")
                % {"count": count, "total": data.respondents},
                length=DISCUSSION_LENGTH,
                speakers=speakers,
            )
        )
    for volunteer in data.volunteers:
        if "present_case" not in volunteer.roles:
            continue
        topic = volunteer.case_topic.strip()
        proposals.append(
            ProposedSession(
                kind=SessionKind.REAL_CASE,
                title=_("Real case: %(topic)s") % {"topic": topic[:150]}
                if topic
                else _("Real case from %(organisation)s")
                % {"organisation": volunteer.registration.organisation},
                description=_("Suggested case owner: %(name)s.") % {"name": volunteer.registration.user},
                length=CASE_LENGTH,
                speakers=[volunteer.registration],
            )
        )
    hosts = [v.registration for v in data.volunteers if "host_visit" in v.roles]
    if hosts:
        proposals.append(
            ProposedSession(
                kind=SessionKind.SITE_VISIT,
                title=_("Site visit"),
                description=_("Offered to host a visit: %(names)s.")
                % {"names": ", ".join(str(registration.user) for registration in hosts)},
                length=DISCUSSION_LENGTH,
                speakers=hosts,
            )
        )
    # The most wanted theme first, then the participants' own cases, then the other themes: when the
    # agenda has little free time, what fits first is what matters most.
    discussions = [p for p in proposals if p.kind == SessionKind.DISCUSSION]
    others = [p for p in proposals if p.kind != SessionKind.DISCUSSION]
    proposals = discussions[:1] + others + discussions[1:]
    ranking = sorted(data.free_time_ranking, key=lambda item: -item[2])
    if ranking:
        first = ranking[0][1]
        others = ", ".join(label for _value, label, _score in ranking[1:3])
        proposals.append(
            ProposedSession(
                kind=SessionKind.FREE_TIME,
                title=_("Free time: %(activity)s") % {"activity": first},
                description=_("The participants' favourite. Also popular: %(others)s.") % {"others": others}
                if others
                else "",
                length=FREE_TIME_LENGTH,
                evening=True,
            )
        )
    return proposals


def _gaps(
    *,
    day_start: datetime.datetime,
    day_end: datetime.datetime,
    busy: list[tuple[datetime.datetime, datetime.datetime]],
) -> list[list[datetime.datetime]]:
    gaps, cursor = [], day_start
    for start, end in sorted(busy):
        if end <= day_start or start >= day_end:
            continue
        if start > cursor:
            gaps.append([cursor, start])
        cursor = max(cursor, end)
    if cursor < day_end:
        gaps.append([cursor, day_end])
    return gaps


def schedule(
    proposals: list[ProposedSession],
    *,
    event_start: datetime.datetime,
    event_end: datetime.datetime,
    zone,
    busy: list[tuple[datetime.datetime, datetime.datetime]],
) -> list[ProposedSession]:
    """Give each proposal the first free time that fits, inside the event and between the fixed sessions
    (work sessions in the working day, free time in an evening). Proposals that do not fit are returned
    without times, for staff to place by hand."""
    busy = list(busy)
    first, last = event_start.astimezone(zone).date(), event_end.astimezone(zone).date()
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    for proposal in proposals:
        window = (EVENING_START, EVENING_END) if proposal.evening else (WORKDAY_START, WORKDAY_END)
        for day in days:
            day_start = max(event_start, datetime.datetime.combine(day, window[0], tzinfo=zone))
            day_end = min(event_end, datetime.datetime.combine(day, window[1], tzinfo=zone))
            placed = False
            for gap_start, gap_end in _gaps(day_start=day_start, day_end=day_end, busy=busy):
                # Leave a short break after the session before, unless the gap opens the day.
                start = gap_start if gap_start == day_start else gap_start + BREAK
                if start + proposal.length <= gap_end:
                    proposal.starts_at = start.astimezone(datetime.UTC)
                    proposal.ends_at = (start + proposal.length).astimezone(datetime.UTC)
                    busy.append((proposal.starts_at, proposal.ends_at))
                    placed = True
                    break
            if placed:
                break
    return proposals


def theme_counter(values: list[list[str]]) -> Counter:
    counter: Counter = Counter()
    for chosen in values:
        counter.update(set(chosen))
    return counter
