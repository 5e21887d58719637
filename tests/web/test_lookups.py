"""`in` on an integer column ignores numbers no column can hold (portal/lookups.py), as Django's `exact`
does: a multiple choice of ids posted with a number past 64 bits is an invalid choice, not a 500."""

import pytest
from django import forms

from challenges.models import Theme
from tests.factories.challenges import ThemeFactory

pytestmark = pytest.mark.django_db

HUGE = 10**30


def test_numbers_no_column_holds_match_nothing_and_leave_the_others():
    theme = ThemeFactory()
    assert list(Theme.objects.filter(pk__in=[HUGE])) == []
    assert list(Theme.objects.filter(pk__in=[str(HUGE), str(theme.pk)])) == [theme]
    assert list(Theme.objects.filter(pk__in=[-HUGE, theme.pk])) == [theme]
    assert Theme.objects.exclude(pk__in=[HUGE]).count() == Theme.objects.count()


def test_a_multiple_choice_with_such_a_number_is_an_invalid_choice():
    theme = ThemeFactory()
    field = forms.ModelMultipleChoiceField(queryset=Theme.objects.all())
    with pytest.raises(forms.ValidationError) as error:
        field.clean([str(theme.pk), str(HUGE)])
    assert error.value.code == "invalid_choice"
    assert list(field.clean([str(theme.pk)])) == [theme]
