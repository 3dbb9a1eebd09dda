import copy
from collections.abc import Callable

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qualifications.api.serializers import LevelReferenceSerializer

from ..choices import CURRENT_STATUSES
from ..models import (
    AccreditationRecord,
    Credential,
    CredentialStatusChange,
    PathwayComponent,
    RecognitionAgreement,
)
from ..succession import credential_succession


class ProviderSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name_en = serializers.CharField()
    name_zh = serializers.CharField()


# A pk no register reaches: links are reversed once per response with it, then each row's
# pk takes its place. reverse() per row and link was a third of a result page's cost.
_PK_MARKER = 9_187_201_950_435_737_471


def _link(context: dict, key: tuple, make: Callable[[int], str], pk: int) -> str:
    """Return `make(pk)`, calling `make` once per response and `key`."""
    templates = context.setdefault("_link_templates", {})
    if key not in templates:
        templates[key] = make(_PK_MARKER)
    return templates[key].replace(str(_PK_MARKER), str(pk))


class TemplatedIdentityField(serializers.HyperlinkedIdentityField):
    """An identity link that reverses its URL pattern once per response, not per row."""

    def get_url(self, obj, view_name, request, format):
        if obj.pk is None:
            return None

        def make(pk: int) -> str:
            kwargs = {self.lookup_url_kwarg: pk}
            return self.reverse(view_name, kwargs=kwargs, request=request, format=format)

        return _link(self.context, ("url", view_name, format), make, obj.pk)


class CredentialListSerializer(serializers.HyperlinkedModelSerializer):
    """One search result.

    A ModelSerializer builds its fields by introspecting the model on every instance,
    several milliseconds per search request; the built fields are kept per class and
    copied instead (a field's copy is a fresh, unbound instance).
    """

    url = TemplatedIdentityField(view_name="api:credential-detail")
    page_url = serializers.SerializerMethodField()
    verifiable_credential_url = serializers.SerializerMethodField(
        help_text="The record's signed registry statement (a VC-JWT, application/vc+jwt); "
        "null unless the record is registered."
    )
    provider = ProviderSummarySerializer(read_only=True)
    framework = serializers.CharField(source="level.framework.code", default=None)
    level = serializers.CharField(source="level.code", default=None)
    area_of_study: serializers.StringRelatedField = serializers.StringRelatedField()
    equivalence_basis = serializers.SerializerMethodField(
        help_text="With an `eqf` filter: how this entry's level is known to be equivalent "
        '("official", "indicative", or "same" for the EQF level itself).'
    )

    class Meta:
        model = Credential
        fields = [
            "id",
            "url",
            "page_url",
            "verifiable_credential_url",
            "registration_number",
            "kind",
            "title_en",
            "title_zh",
            "provider",
            "framework",
            "level",
            "credits",
            "notional_hours",
            "area_of_study",
            "mode_of_delivery",
            "quality_marks",
            "status",
            "valid_from",
            "valid_to",
            "equivalence_basis",
        ]

    def get_fields(self):
        cls = type(self)
        # A per-class cache of the declared and model fields, built on first use.
        if "_built_fields" not in cls.__dict__:
            cls._built_fields = super().get_fields()  # type: ignore[attr-defined]
        return copy.deepcopy(cls._built_fields)  # type: ignore[attr-defined]

    def get_page_url(self, credential: Credential) -> str:
        request = self.context.get("request")

        def make(pk: int) -> str:
            path = reverse("credentials:detail", kwargs={"pk": pk})
            return request.build_absolute_uri(path) if request else path

        return _link(self.context, ("page_url",), make, credential.pk)

    def get_verifiable_credential_url(self, credential: Credential) -> str | None:
        if credential.status not in CURRENT_STATUSES:
            return None
        request = self.context.get("request")

        def make(pk: int) -> str:
            # The statements app serves it (config.api_urls); the name is all this layer knows.
            path = reverse("api:credential-statement", kwargs={"pk": pk})
            return request.build_absolute_uri(path) if request else path

        return _link(self.context, ("verifiable_credential_url",), make, credential.pk)

    def get_equivalence_basis(self, credential: Credential) -> str | None:
        equivalences = self.context.get("equivalences")
        if not equivalences:
            return None
        by_level = {item.level_id: item.basis for item in equivalences}
        return by_level.get(credential.level_id, "same")


class FacetOptionSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="Send back in the facet's parameter to filter.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field's own attribute
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class FacetsSerializer(serializers.Serializer):
    level = FacetOptionSerializer(many=True, help_text="Parameter: level")
    framework = FacetOptionSerializer(many=True, help_text="Parameter: framework")
    area = FacetOptionSerializer(many=True, help_text="Parameter: area_id")
    provider = FacetOptionSerializer(many=True, help_text="Parameter: provider")
    mode = FacetOptionSerializer(many=True, help_text="Parameter: mode")
    kind = FacetOptionSerializer(many=True, help_text="Parameter: kind")
    status = FacetOptionSerializer(many=True, help_text="Parameter: status")
    size = FacetOptionSerializer(
        many=True, help_text="Parameter: size (credit bands; 1 credit = 10 learning hours)"
    )


class EquivalenceSerializer(serializers.Serializer):
    framework = serializers.CharField()
    level = serializers.CharField()
    basis = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field named like Field's own attribute


class CredentialSearchResponseSerializer(serializers.Serializer):
    """The shape of a search response (documentation only)."""

    count = serializers.IntegerField(help_text="Exact up to the cap; see count_capped.")
    count_capped = serializers.BooleanField(
        help_text="True when more entries match than the cap: show the count as e.g. 10,000+."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CredentialListSerializer(many=True)
    facets = FacetsSerializer()
    facets_capped = serializers.BooleanField()
    suggestion = serializers.CharField(
        allow_null=True,
        help_text=(
            "Did you mean: the query with misspelt words corrected from the register's own"
            " vocabulary, when the search found few results and the correction finds more."
        ),
    )
    equivalence = EquivalenceSerializer(
        many=True, help_text="With `eqf`: the levels that count as equivalent, and on what basis."
    )


class AccreditationRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccreditationRecord
        fields = [
            "accreditor",
            "reference",
            "valid_from",
            "valid_to",
            "status",
            "source",
            "last_checked_at",
        ]


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CredentialStatusChange
        fields = ["from_status", "to_status", "changed_at", "source", "reason"]


class CredentialLinkSerializer(serializers.ModelSerializer):
    """Another register entry, as a link."""

    url = serializers.HyperlinkedIdentityField(view_name="api:credential-detail")
    provider = serializers.CharField(source="provider.name_en", default=None)

    class Meta:
        model = Credential
        fields = ["id", "url", "registration_number", "title_en", "title_zh", "provider"]


class PathwayMembershipSerializer(serializers.ModelSerializer):
    """A pathway this credential stacks into."""

    pathway = serializers.CharField(source="pathway.name_en")
    pathway_zh = serializers.CharField(source="pathway.name_zh")
    credits_required = serializers.DecimalField(
        source="pathway.credits_required", max_digits=6, decimal_places=1
    )
    award = CredentialLinkSerializer(source="pathway.award")

    class Meta:
        model = PathwayComponent
        fields = ["pathway", "pathway_zh", "award", "credits_required", "credits_counted"]


class PathwayComponentSerializer(serializers.ModelSerializer):
    credential = CredentialLinkSerializer()

    class Meta:
        model = PathwayComponent
        fields = ["credential", "credits_counted", "is_required"]


class AwardPathwaySerializer(serializers.Serializer):
    """A pathway that stacks into this credential, with its components."""

    name_en = serializers.CharField()
    name_zh = serializers.CharField()
    credits_required = serializers.DecimalField(max_digits=6, decimal_places=1)
    components = PathwayComponentSerializer(source="memberships", many=True)


class RecognitionAgreementSerializer(serializers.ModelSerializer):
    recognising_provider = ProviderSummarySerializer()
    counts_toward = CredentialLinkSerializer(source="target_credential", allow_null=True)

    class Meta:
        model = RecognitionAgreement
        fields = [
            "recognising_provider",
            "credits_recognised",
            "counts_toward",
            "valid_from",
            "valid_to",
            "notes",
        ]


class LevelEquivalentSerializer(serializers.Serializer):
    framework = serializers.CharField()
    level = serializers.CharField()
    basis = serializers.CharField(help_text='"official" or "indicative".')
    source = serializers.CharField()  # type: ignore[assignment]  # a field named like Field's own attribute
    note = serializers.CharField()
    via = serializers.CharField(help_text='Blank for a direct reference, else e.g. "EQF 5".')


class CreditConversionSerializer(serializers.Serializer):
    credit_name = serializers.CharField()
    credits = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    hours = serializers.IntegerField(allow_null=True)
    hours_estimated = serializers.BooleanField(
        help_text="True when hours were worked out from credits rather than stated."
    )
    ects_low = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    ects_high = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    ects_stated = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class CredentialDetailSerializer(CredentialListSerializer):
    """The full record: every EU standard element, QA, equivalents, pathways, history."""

    awarding_body = ProviderSummarySerializer(read_only=True, allow_null=True)
    equivalent_levels = LevelReferenceSerializer(
        source="level.references_out", many=True, read_only=True, default=[]
    )
    comparable_levels = serializers.SerializerMethodField()
    credit_conversion = serializers.SerializerMethodField()
    accreditations = AccreditationRecordSerializer(many=True, read_only=True)
    stacks_into = PathwayMembershipSerializer(
        source="pathway_memberships", many=True, read_only=True
    )
    stacking_pathways = AwardPathwaySerializer(
        source="pathways_as_award", many=True, read_only=True
    )
    recognition_agreements = RecognitionAgreementSerializer(
        source="recognitions", many=True, read_only=True
    )
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    verify_url = serializers.SerializerMethodField()
    superseded_by = serializers.SerializerMethodField(
        help_text="The public record replacing this one (its next version), or null."
    )
    supersedes = serializers.SerializerMethodField(
        help_text="The public records this one replaces (its earlier versions)."
    )

    class Meta(CredentialListSerializer.Meta):
        fields = [
            *[name for name in CredentialListSerializer.Meta.fields if name != "equivalence_basis"],
            "qualification_type",
            "awarding_body",
            "ects_credits",
            "guided_learning_hours",
            "summary_en",
            "summary_zh",
            "learning_outcomes_en",
            "learning_outcomes_zh",
            "assessment_type",
            "supervision",
            "quality_assurance_type",
            "prerequisites",
            "languages",
            "stackable",
            "further_information_url",
            "fee",
            "fee_currency",
            "status_changed_at",
            "teach_out_ends_on",
            "superseded_by",
            "supersedes",
            "external_register",
            "external_status",
            "equivalent_levels",
            "comparable_levels",
            "credit_conversion",
            "accreditations",
            "stacks_into",
            "stacking_pathways",
            "recognition_agreements",
            "status_history",
            "verify_url",
        ]

    def get_comparable_levels(self, credential: Credential) -> list[dict]:
        equivalents = self.context.get("level_equivalents", [])
        return LevelEquivalentSerializer(equivalents, many=True).data  # type: ignore[return-value]  # many=True: a list

    def get_credit_conversion(self, credential: Credential) -> dict | None:
        conversion = self.context.get("credit_conversion")
        return CreditConversionSerializer(conversion).data if conversion else None

    @extend_schema_field(CredentialLinkSerializer(allow_null=True))
    def get_superseded_by(self, credential: Credential) -> dict | None:
        successor = credential_succession(credential).successor
        if successor is None:
            return None
        return CredentialLinkSerializer(successor, context=self.context).data

    @extend_schema_field(CredentialLinkSerializer(many=True))
    def get_supersedes(self, credential: Credential) -> list[dict]:
        earlier = credential_succession(credential).predecessors
        return CredentialLinkSerializer(earlier, many=True, context=self.context).data  # type: ignore[return-value]  # many=True: a list

    def get_verify_url(self, credential: Credential) -> str:
        path = reverse("api:verify", kwargs={"registration_number": credential.registration_number})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class VersionLinkSerializer(serializers.Serializer):
    """The record before or after this one in its line of versions."""

    registration_number = serializers.CharField()
    title_en = serializers.CharField()
    title_zh = serializers.CharField()
    status = serializers.CharField()
    verify_url = serializers.URLField()
    page_url = serializers.URLField()


class VerificationSerializer(serializers.Serializer):
    """Whether a registration number is real and current, for an employer checking a CV."""

    registration_number = serializers.CharField()
    current = serializers.BooleanField(
        help_text="Registered (or in teach-out) and inside its validity period today."
    )
    status = serializers.CharField()
    status_display = serializers.CharField()
    status_explanation = serializers.CharField(
        help_text="What the status means for a holder, in the request's language."
    )
    teach_out_ends_on = serializers.DateField(
        allow_null=True,
        help_text="In teach-out: the last day enrolled learners can complete.",
    )
    superseded_by = VersionLinkSerializer(
        allow_null=True, help_text="The newer version replacing a superseded record."
    )
    supersedes = VersionLinkSerializer(many=True, help_text="Earlier versions this one replaces.")
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    title_en = serializers.CharField()
    title_zh = serializers.CharField()
    provider = ProviderSummarySerializer()
    framework = serializers.CharField(allow_null=True)
    level = serializers.CharField(allow_null=True)
    url = serializers.URLField()
    page_url = serializers.URLField()
    checked_on = serializers.DateField()
