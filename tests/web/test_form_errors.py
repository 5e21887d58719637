"""The error summary (templates/_form_errors.html) links every field's error to an element that exists: the
field itself, or the first input of a group of radios or checkboxes (which has no element of its own)."""

import re

from django import forms
from django.template.loader import render_to_string

CHOICES = [("a", "A"), ("b", "B")]


class EveryWidgetForm(forms.Form):
    name = forms.CharField()
    agree = forms.BooleanField()  # one checkbox: its input has the field's id
    colour = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    sizes = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple)
    city = forms.ChoiceField(choices=CHOICES)


def test_every_error_link_points_to_an_element_on_the_page():
    form = EveryWidgetForm(data={})
    assert not form.is_valid()

    page = render_to_string("_form.html", {"form": form})

    links = re.findall(r'<a href="#([^"]+)"', page)
    assert links == ["id_name", "id_agree", "id_colour_0", "id_sizes_0", "id_city"]
    for target in links:
        assert f'id="{target}"' in page
