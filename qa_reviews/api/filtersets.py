"""Filters for the review API: the same names the pages use."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credentials.numbers import registration_key

from ..choices import ACTIVE_STAGES, ConditionState, ReviewStage, ReviewType
from ..models import Condition, Review


class ReviewFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("Registration number or title contains")
    )
    stage = django_filters.MultipleChoiceFilter(choices=ReviewStage.choices, label=_("Stage"))
    review_type = django_filters.MultipleChoiceFilter(choices=ReviewType.choices, label=_("Type"))
    credential_id = django_filters.NumberFilter(label=_("Credential (id)"))
    provider_id = django_filters.NumberFilter(
        field_name="credential__provider_id", label=_("Provider (id)")
    )
    provider = django_filters.CharFilter(
        field_name="credential__provider__slug", label=_("Provider (slug)")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Under way and past its due date")
    )
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lt", label=_("Due before")
    )

    class Meta:
        model = Review
        fields = ["q", "stage", "review_type", "credential_id", "provider_id", "provider"]

    def filter_q(self, queryset: QuerySet[Review], name: str, value: str) -> QuerySet[Review]:
        value = value.replace("\x00", "").strip()
        if not value:
            return queryset
        key = registration_key(value)
        matches = Q(credential__title_en__icontains=value) | Q(
            credential__title_zh__icontains=value
        )
        if key:
            matches |= Q(credential__registration_key=key)
        return queryset.filter(matches)

    def filter_overdue(self, queryset: QuerySet[Review], name: str, value: bool):
        overdue = Q(stage__in=ACTIVE_STAGES, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ConditionFilterSet(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ConditionState.choices, label=_("State"))
    review_id = django_filters.NumberFilter(field_name="decision__review_id", label=_("Review"))
    credential_id = django_filters.NumberFilter(
        field_name="decision__review__credential_id", label=_("Credential (id)")
    )
    provider_id = django_filters.NumberFilter(
        field_name="decision__review__credential__provider_id", label=_("Provider (id)")
    )
    provider = django_filters.CharFilter(
        field_name="decision__review__credential__provider__slug", label=_("Provider (slug)")
    )
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label=_("Due on or before")
    )

    class Meta:
        model = Condition
        fields = ["state", "review_id", "credential_id", "provider_id", "provider"]
