import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ..choices import ProviderStatus, ProviderType
from ..models import Provider


class ProviderFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name, short name or identifier"))
    jurisdiction = django_filters.CharFilter(lookup_expr="iexact", label=_("Jurisdiction"))
    provider_type = django_filters.MultipleChoiceFilter(
        choices=ProviderType.choices, label=_("Type")
    )
    status = django_filters.MultipleChoiceFilter(choices=ProviderStatus.choices, label=_("Status"))

    class Meta:
        model = Provider
        fields = ["q", "jurisdiction", "provider_type", "status", "self_accrediting"]

    def search(self, queryset: QuerySet[Provider], name: str, value: str) -> QuerySet[Provider]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name_en__icontains=value)
            | Q(name_zh__icontains=value)
            | Q(short_name__iexact=value)
            | Q(ukprn=value)
            | Q(ofqual_recognition_number__iexact=value)
        )
