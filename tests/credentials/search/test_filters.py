"""The search FilterSet's form: shallow field copies, and cleaning only the parameters sent,
validate as Django's form does with every field deep-copied and cleaned."""

import copy

import pytest
from django.http import QueryDict

from credentials.search.filters import CredentialSearchFilterSet

QUERIES = [
    "q=diploma&framework=HKQF&level=RQF-3&eqf=5&credits_min=5&credits_max=30",
    "eqf=x&page=0&credits_min=9&credits_max=1&hours_min=-1&kind=nope&ordering=bad",
    "level_id=0&provider_id=abc&valid_on=2026-13-01&page_size=100000&format=zip",
    "framework=" + ",".join(f"F{i}" for i in range(60)),
    "",
    "q=&status=&page=",
    "hours_min=5&hours_max=4&level=HKQF-4&level=RQF-3",
]


def _deep_copy_form(data: QueryDict):
    """The form as django-filter builds it, with Django's own deep copy of every field, each
    bound and cleaned."""
    form_class = CredentialSearchFilterSet(data).get_form_class()
    form = form_class(data)
    form.fields = copy.deepcopy(dict(form_class.base_fields))
    form.absent = set()
    return form


@pytest.mark.parametrize("query", QUERIES)
def test_shallow_fields_clean_and_fail_as_deep_copies(query):
    """Cleaned data and error messages match those of a form with deep-copied fields."""
    data = QueryDict(query)
    form = CredentialSearchFilterSet(data).form
    reference = _deep_copy_form(data)
    assert form.is_valid() == reference.is_valid()
    assert form.errors == reference.errors
    assert form.cleaned_data == reference.cleaned_data
    assert list(form.cleaned_data) == list(reference.cleaned_data)


def test_missing_parameters_clean_to_fresh_empty_values():
    """A missing list parameter is a new empty list each time, never one shared by forms."""
    first = CredentialSearchFilterSet(QueryDict("")).form
    second = CredentialSearchFilterSet(QueryDict("")).form
    assert first.is_valid() and second.is_valid()
    assert first.cleaned_data["level"] == [] and first.cleaned_data["q"] == ""
    assert first.cleaned_data["level"] is not second.cleaned_data["level"]


def test_each_form_gets_its_own_fields():
    """Two searches' forms hold distinct field objects, so neither sees the other's."""
    every = QueryDict("&".join(f"{name}=" for name in CredentialSearchFilterSet.base_filters))
    first = CredentialSearchFilterSet(every).form
    second = CredentialSearchFilterSet(every).form
    assert (
        first.fields.keys() == second.fields.keys() == CredentialSearchFilterSet.base_filters.keys()
    )
    assert all(first.fields[name] is not second.fields[name] for name in first.fields)
