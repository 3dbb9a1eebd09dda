"""The one FilterSet behind the register's search: API, HTML pages and exports.

List parameters accept repeated keys (`level=HKQF-4&level=RQF-4`, what HTML checkboxes
send) and comma-separated values (`level=HKQF-4,RQF-4`, handier in scripts). Every value
is validated by a typed form field first, so a bad one is a 400 with a message for that
parameter and never reaches PostgreSQL.
"""

import copy
import datetime
from decimal import Decimal
from functools import cache
from typing import Any, cast

import django_filters
from django import forms
from django.db.models import BooleanField, DateField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ..choices import (
    CURRENT_STATUSES,
    PUBLIC_STATUSES,
    CredentialKind,
    DeliveryMode,
    QualityMark,
)
from ..models import Credential
from .codes import CODED_PARAMETERS, search_codes_resolve
from .query import QUERY_MAX_LENGTH, ParsedQuery, parse_query
from .sizes import SIZE_CHOICES, size_q

ALL_STATUSES = "all"
STATUS_CHOICES = [(ALL_STATUSES, _("All public statuses"))] + [
    (status.value, status.label) for status in PUBLIC_STATUSES
]

EXPORT_FORMATS = [("csv", "CSV"), ("json", "JSON")]
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_VALUES = 50
# Page numbers past this are never reachable (counts are capped well below it); the bound
# keeps an absurd page from becoming an OFFSET PostgreSQL cannot represent.
MAX_PAGE = 10_000


class Ordering:
    RELEVANCE = "relevance"
    TITLE = "title"
    LEVEL = "level"
    LEVEL_DESC = "-level"
    CREDITS = "credits"
    CREDITS_DESC = "-credits"
    NEWEST = "newest"

    choices = [
        (RELEVANCE, _("Relevance")),
        (TITLE, _("Title")),
        (LEVEL, _("Level, lowest first")),
        (LEVEL_DESC, _("Level, highest first")),
        (CREDITS, _("Credits, fewest first")),
        (CREDITS_DESC, _("Credits, most first")),
        (NEWEST, _("Newest")),
    ]


# Facet dimensions and the parameters that narrow each; those are left out when counting
# the dimension's own options, so a learner sees the alternatives to what is ticked.
FACET_PARAMETERS: dict[str, tuple[str, ...]] = {
    "level": ("level", "level_id"),
    "framework": ("framework",),
    "area": ("area", "area_id"),
    "provider": ("provider", "provider_id"),
    "mode": ("mode",),
    "kind": ("kind",),
    "status": ("status",),
    "size": ("size",),
}
# Parameters that steer the result list rather than filter it.
CONTROL_PARAMETERS = ("ordering", "page", "page_size", "cursor", "format")


class LevelKeyField(forms.CharField):
    """A level as `FRAMEWORK-CODE` (HKQF-4, RQF-E3) or a bare code for any framework."""

    default_error_messages = {"invalid": _("Use a level such as HKQF-4, RQF-E3 or 4.")}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value).upper()  # type: ignore[union-attr]  # empty_value is ""
        if value and not all(part.isascii() and part.isalnum() for part in value.split("-", 1)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class MultiValueField(forms.Field):
    """A list of values from repeated keys and/or commas, each cleaned by `child`."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "too_many": _("Give at most %(limit)d values."),
    }

    def __init__(self, *, child: forms.Field, **kwargs) -> None:
        self.child = child
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        if value in self.empty_values:
            return []
        if isinstance(value, str):
            value = [value]
        items: list[str] = []
        for item in value:
            items.extend(part.strip() for part in str(item).split(","))
        return [item for item in items if item]

    def clean(self, value) -> list:
        values = self.to_python(value)
        self.validate(values)
        if len(values) > MAX_VALUES:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": MAX_VALUES}
            )
        cleaned, errors = [], []
        for item in values:
            try:
                cleaned.append(self.child.clean(item))
            except forms.ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise forms.ValidationError(errors)
        return list(dict.fromkeys(cleaned))


class MultiValueFilter(django_filters.Filter):
    field_class = MultiValueField

    def __init__(self, *args, child: forms.Field, **kwargs) -> None:
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, child=child, **kwargs)


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _ids() -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=2**63 - 1)


def _choices(choices) -> forms.ChoiceField:
    return forms.ChoiceField(choices=choices)


def _noop(queryset: QuerySet, name: str, value) -> QuerySet:
    """Leave the queryset alone: the service reads this parameter itself."""
    return queryset


class CredentialSearchForm(forms.Form):
    """Checks that need more than one parameter.

    Only the parameters a request sends are bound and cleaned. A search has two dozen and a
    request names two or three; binding and cleaning the rest, each to its field's empty
    value (the same every time), was most of the cost of validating a search. They get
    those values, worked out once per form class, in the fields' order.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.absent = {name for name in self.fields if name not in self.data}
        # The fields came as the class's own (_ShallowFields): only those kept are copied.
        self.fields = {
            name: copy.copy(field) for name, field in self.fields.items() if name not in self.absent
        }

    def clean(self):
        cleaned = cast(dict[str, Any], super().clean())
        for low, high in (("credits_min", "credits_max"), ("hours_min", "hours_max")):
            if (
                cleaned.get(low) is not None
                and cleaned.get(high) is not None
                and cleaned[low] > cleaned[high]
            ):
                self.add_error(high, _("Must not be less than the lower bound."))
        empty = _empty_values(type(self))
        return {
            name: copy.copy(empty[name]) if name in self.absent else cleaned[name]
            for name in empty
            if name in self.absent or name in cleaned
        }


@cache
def _empty_values(form_class: type[forms.Form]) -> dict[str, Any]:
    """What each field of `form_class` cleans a missing parameter to ([] for a list)."""
    return {
        name: field.clean(field.widget.value_from_datadict({}, {}, name))
        for name, field in form_class.base_fields.items()
    }


class CredentialSearchFilterSet(django_filters.FilterSet):
    """Every filter a learner can combine; `q` and `status` decide visibility together."""

    q = django_filters.CharFilter(
        method=_noop,
        max_length=QUERY_MAX_LENGTH,
        label=_("Title, provider, registration number or subject, in English or Chinese"),
    )
    framework = MultiValueFilter(
        child=forms.SlugField(max_length=16),
        method="filter_coded",
        label=_("Framework"),
    )
    level = MultiValueFilter(
        child=LevelKeyField(),
        method="filter_coded",
        label=_("Level (HKQF-4, RQF-E3, or a bare code such as 4)"),
    )
    level_id = MultiValueFilter(field_name="level_id", child=_ids(), label=_("Level id"))
    # The schema types a method filter by its method's `value` hint; filter_coded's is a string.
    eqf = extend_schema_field(OpenApiTypes.INT)(
        IntegerFilter(
            method="filter_coded",
            min_value=1,
            max_value=8,
            label=_("EQF level or equivalent, through published level references"),
        )
    )
    area = MultiValueFilter(
        child=forms.CharField(max_length=32), method="filter_coded", label=_("Area of study code")
    )
    area_id = MultiValueFilter(child=_ids(), method="filter_coded", label=_("Area of study id"))
    provider = MultiValueFilter(
        child=forms.SlugField(max_length=80), method="filter_coded", label=_("Provider")
    )
    provider_id = MultiValueFilter(field_name="provider_id", child=_ids(), label=_("Provider id"))
    kind = MultiValueFilter(child=_choices(CredentialKind.choices), label=_("Kind"))
    mode = MultiValueFilter(
        field_name="mode_of_delivery",
        child=_choices(DeliveryMode.choices),
        label=_("Mode of delivery"),
    )
    language = MultiValueFilter(
        field_name="languages",
        lookup_expr="overlap",
        child=forms.CharField(max_length=16),
        label=_("Language of instruction"),
    )
    credits_min = django_filters.NumberFilter(
        field_name="credits",
        lookup_expr="gte",
        min_value=0,
        max_value=Decimal(99999),
        label=_("Minimum credits"),
    )
    credits_max = django_filters.NumberFilter(
        field_name="credits",
        lookup_expr="lte",
        min_value=0,
        max_value=Decimal(99999),
        label=_("Maximum credits"),
    )
    hours_min = IntegerFilter(
        field_name="notional_hours",
        lookup_expr="gte",
        min_value=0,
        max_value=10**7,
        label=_("Minimum hours"),
    )
    hours_max = IntegerFilter(
        field_name="notional_hours",
        lookup_expr="lte",
        min_value=0,
        max_value=10**7,
        label=_("Maximum hours"),
    )
    size = MultiValueFilter(
        child=_choices(SIZE_CHOICES),
        method="filter_size",
        label=_("Size in credits (1 credit = 10 learning hours)"),
    )
    quality_mark = MultiValueFilter(
        field_name="quality_marks",
        lookup_expr="overlap",
        child=_choices(QualityMark.choices),
        label=_("Quality mark"),
    )
    status = MultiValueFilter(
        method=_noop,
        child=_choices(STATUS_CHOICES),
        label=_("Status (default: registered and valid today)"),
    )
    valid_on = django_filters.DateFilter(method=_noop, label=_("Valid on"))
    ordering = django_filters.ChoiceFilter(
        method=_noop, choices=Ordering.choices, label=_("Order by")
    )
    page = IntegerFilter(method=_noop, min_value=1, max_value=MAX_PAGE, label=_("Page"))
    cursor = django_filters.CharFilter(
        method=_noop,
        max_length=1_000,
        label=_("Page cursor, from a next or previous link (browses by title or newest)"),
    )
    page_size = IntegerFilter(
        method=_noop, min_value=1, max_value=MAX_PAGE_SIZE, label=_("Results per page")
    )
    format = django_filters.ChoiceFilter(
        method=_noop, choices=EXPORT_FORMATS, label=_("Export format")
    )

    class Meta:
        model = Credential
        fields: list[str] = []
        form = CredentialSearchForm

    def __init__(self, *args, today: datetime.date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def get_form_class(self):
        # The form's fields depend on nothing per request (a form copies its fields when
        # it is made); building the class once saves a field per filter on every search.
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            form_class = super().get_form_class()
            form_class.base_fields = _ShallowFields(form_class.base_fields)
            cls._form_class = form_class
        return cls._form_class

    @property
    def parsed_query(self) -> ParsedQuery | None:
        """The cleaned `q`, parsed; None when it holds nothing searchable."""
        if not hasattr(self, "_parsed_query"):
            parsed = parse_query(self.form.cleaned_data.get("q") or "")
            self._parsed_query = None if parsed.is_empty else parsed
        return self._parsed_query

    # Filter methods ----------------------------------------------------------------------

    @property
    def resolved_ids(self) -> dict[str, list[int]]:
        """The ids each coded parameter names, looked up once per search (codes.py)."""
        if not hasattr(self, "_resolved_ids"):
            self._resolved_ids = search_codes_resolve(self.form.cleaned_data)
        return self._resolved_ids

    def coded_q(self, parameter: str) -> Q:
        """Entries whose column holds one of the ids `parameter`'s codes resolved to."""
        ids = self.resolved_ids[parameter]
        if not ids:
            # `column IN ()` cannot be compiled into the candidate sets' SQL.
            return Q(Value(False, output_field=BooleanField()))
        return Q(**{f"{CODED_PARAMETERS[parameter]}__in": ids})

    # The API schema types a method filter's parameter by its `value` hint: these are strings.
    def filter_coded(self, queryset: QuerySet, name: str, value: list[str] | int) -> QuerySet:
        return queryset.filter(self.coded_q(name))

    def filter_size(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(size_q(value))

    def parameter_q(self, name: str, value) -> Q:
        """The condition one facet parameter adds: the same one its filter applies.

        A text search counts a ticked facet's alternatives from one candidate set with
        each facet's condition as a column, instead of searching again per facet.
        """
        if name == "status":
            return self.match_q()
        if name in CODED_PARAMETERS:
            return self.coded_q(name)
        if name == "size":
            return size_q(value)
        parameter = self.filters[name]
        return Q(**{f"{parameter.field_name}__{parameter.lookup_expr}": value})

    # Visibility and text together -------------------------------------------------------

    def visibility_q(self, *, ignore_status: bool = False) -> Q:
        """Return which statuses and validity periods show.

        By default only current entries (registered, or in teach-out) valid today;
        `status=all` or named statuses open the archive, superseded entries included;
        `valid_on` checks validity on that date.
        """
        data = self.form.cleaned_data
        statuses = list(data.get("status") or [])
        valid_on = data.get("valid_on")
        if ignore_status or ALL_STATUSES in statuses:
            condition = Q(status__in=PUBLIC_STATUSES)
        elif statuses:
            condition = Q(status__in=statuses)
        else:
            condition = Q(status__in=CURRENT_STATUSES)
            valid_on = valid_on or self.today
        if valid_on:
            # One comparison instead of "valid_to IS NULL OR valid_to >= day": the OR form
            # matches the (status, valid_to) index, and PostgreSQL would AND a bitmap of
            # every registered entry into each text search, a 150 ms detour at 1M rows.
            open_ended = Coalesce(F("valid_to"), Value(datetime.date.max), output_field=DateField())
            condition &= Q(valid_from__lte=valid_on) & Q(GreaterThanOrEqual(open_ended, valid_on))
        return condition

    def match_q(self, *, ignore_status: bool = False) -> Q:
        """Return text match and visibility; an exact registration number opens the archive."""
        visible = self.visibility_q(ignore_status=ignore_status)
        parsed = self.parsed_query
        if parsed is None:
            return visible
        search_query = parsed.search_query()
        text = Q(search_document=search_query) if search_query is not None else Q(pk__in=[])
        condition = text & visible
        if parsed.registration_key:
            statuses = list(self.form.cleaned_data.get("status") or [])
            named = statuses and ALL_STATUSES not in statuses and not ignore_status
            archive = Q(status__in=statuses if named else PUBLIC_STATUSES)
            condition |= Q(registration_key=parsed.registration_key) & archive
        return condition

    def filter_queryset(self, queryset: QuerySet, *, exclude: tuple[str, ...] = ()) -> QuerySet:
        """Apply every filter but those in `exclude` (left out to count a facet's options)."""
        for name, value in self.form.cleaned_data.items():
            if name in exclude or name in CONTROL_PARAMETERS or value in (None, "", []):
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset.filter(self.match_q(ignore_status="status" in exclude))


class _ShallowFields(dict):
    """Form fields that a search form takes as the class's own, and copies shallowly.

    A form deep-copies its fields, widgets and choice lists when it is made, so that one
    form may change its own; nothing changes a search form's fields after the class is
    built (no queryset choices either, which a deep copy would re-evaluate), so a shallow
    copy of each field serves and costs a fraction. CredentialSearchForm copies only the
    two or three fields a request sends, out of two dozen.
    """

    def __deepcopy__(self, memo) -> dict:
        return dict(self)


class _ShallowCopies(dict):
    """Filters that django-filter copies per FilterSet as shallow copies.

    django-filter deep-copies every filter, form field and choice list on each FilterSet;
    these filters keep no per-request state beyond the `parent` and `model` it then sets on
    each copy, so a shallow copy serves and costs a fraction (milliseconds per search).
    """

    def __deepcopy__(self, memo) -> dict:
        copies = {}
        for name, filter_ in self.items():
            clone = copy.copy(filter_)
            if clone.method is not None:
                # Re-binds the method wrapper to the copy, which gets the parent.
                clone.method = filter_.method
            copies[name] = clone
        return copies


CredentialSearchFilterSet.base_filters = _ShallowCopies(CredentialSearchFilterSet.base_filters)
