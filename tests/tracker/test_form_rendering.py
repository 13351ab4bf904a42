"""Forms are written as Django's own templates write them (tracker.form_rendering)."""

import copy

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorDict, ErrorList

from tracker.form_rendering import FormRenderer


class Sample(forms.Form):
    name = forms.CharField()
    day = forms.DateField(required=False)


def as_django_writes_it(errors, method: str) -> str:
    reference = copy.copy(errors)
    reference.renderer = DjangoTemplates()
    return getattr(reference, method)()


@pytest.mark.parametrize("method", ["as_ul", "as_text", "render"])
def test_lists_of_errors_are_written_as_djangos_templates_write_them(method):
    form = Sample({"day": "not a day"}, renderer=FormRenderer())
    assert not form.is_valid()
    lists = [form.errors, form["name"].errors, form["day"].errors, ErrorList(), ErrorDict()]
    for errors in lists:
        errors.renderer = form.renderer
        assert getattr(errors, method)() == as_django_writes_it(errors, method)
    assert "This field is required." in form["name"].errors.as_ul()
    assert form["day"].errors.as_ul().startswith('<ul class="errorlist"')
    assert ErrorList(renderer=form.renderer).as_ul() == ""
