import django_filters
from django.utils.translation import gettext_lazy as _

from ..choices import CredentialKind, CredentialStatus, DeliveryMode
from ..models import Credential


class CredentialFilterSet(django_filters.FilterSet):
    provider_id = django_filters.NumberFilter(field_name="provider_id", label=_("Provider id"))
    provider = django_filters.CharFilter(field_name="provider__slug", label=_("Provider slug"))
    framework = django_filters.CharFilter(
        field_name="level__framework__code", lookup_expr="iexact", label=_("Framework code")
    )
    level = django_filters.CharFilter(
        field_name="level__code", lookup_expr="iexact", label=_("Level code")
    )
    kind = django_filters.ChoiceFilter(choices=CredentialKind.choices, label=_("Kind"))
    mode = django_filters.ChoiceFilter(
        field_name="mode_of_delivery", choices=DeliveryMode.choices, label=_("Mode of delivery")
    )
    status = django_filters.MultipleChoiceFilter(
        choices=CredentialStatus.choices, label=_("Status")
    )

    class Meta:
        model = Credential
        fields = ["provider_id", "provider", "framework", "level", "kind", "mode", "status"]
