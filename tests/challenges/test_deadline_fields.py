"""Every deadline typed into a form is a date in the years 2000 to 2100: a year like 9999 or 0001 is a typo,
and moving it into UTC overflowed (a 500, found by the fuzzer on the panel's settings). The field refuses it
and the page keeps what was typed."""

import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from challenges.forms import DeadlineField, WallClockDateTimeField
from challenges.forms_lifecycle import DeadlineForm

FAR_OFF = ["9999-12-31T23:30", "0001-01-01T00:30", "1999-12-31T09:00", "2101-01-03T09:00"]


@pytest.mark.parametrize("field", [DeadlineField, WallClockDateTimeField])
@pytest.mark.parametrize("typed", FAR_OFF)
def test_a_deadline_outside_the_years_is_a_field_error(field, typed):
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")), pytest.raises(ValidationError) as refused:
        field().clean(typed)

    assert refused.value.code == "out_of_range"
    assert refused.value.messages == ["Give a date between the years 2000 and 2100."]


@pytest.mark.parametrize("field", [DeadlineField, WallClockDateTimeField])
def test_a_deadline_within_the_years_is_read(field):
    with timezone.override(zoneinfo.ZoneInfo("Europe/Oslo")):
        moment = field().clean("2100-12-31T23:30")

    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == (2100, 12, 31, 23, 30)


def test_the_deadline_form_refuses_year_9999_in_a_zone_west_of_utc():
    with timezone.override(zoneinfo.ZoneInfo("America/Los_Angeles")):
        form = DeadlineForm(
            data={"submission_deadline": "9999-12-31T23:30", "questions_deadline": "0001-01-01T00:30"}
        )

        assert not form.is_valid()
    assert form.errors["submission_deadline"] == ["Give a date between the years 2000 and 2100."]
    assert form.errors["questions_deadline"] == ["Give a date between the years 2000 and 2100."]
