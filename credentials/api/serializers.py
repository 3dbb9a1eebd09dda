from rest_framework import serializers

from qualifications.api.serializers import LevelReferenceSerializer

from ..models import AccreditationRecord, Credential, CredentialStatusChange


class ProviderSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name_en = serializers.CharField()
    name_zh = serializers.CharField()


class CredentialListSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:credential-detail")
    provider = ProviderSummarySerializer(read_only=True)
    framework = serializers.CharField(source="level.framework.code", default=None)
    level = serializers.CharField(source="level.code", default=None)
    area_of_study = serializers.StringRelatedField()

    class Meta:
        model = Credential
        fields = [
            "id",
            "url",
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
        ]


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


class CredentialDetailSerializer(CredentialListSerializer):
    equivalent_levels = LevelReferenceSerializer(
        source="level.references_out", many=True, read_only=True, default=[]
    )
    accreditations = AccreditationRecordSerializer(many=True, read_only=True)
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta(CredentialListSerializer.Meta):
        fields = [
            *CredentialListSerializer.Meta.fields,
            "qualification_type",
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
            "external_register",
            "external_status",
            "equivalent_levels",
            "accreditations",
            "status_history",
        ]
