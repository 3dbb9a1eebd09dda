import django_filters
from django.utils.translation import gettext_lazy as _

from ..models import Level


class LevelFilterSet(django_filters.FilterSet):
    framework = django_filters.CharFilter(
        field_name="framework__code", lookup_expr="iexact", label=_("Framework code")
    )

    class Meta:
        model = Level
        fields = ["framework"]
