from rest_framework import serializers

from ..models import Provider


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = [
            "id",
            "slug",
            "name_en",
            "name_zh",
            "short_name",
            "jurisdiction",
            "provider_type",
            "ukprn",
            "ofqual_recognition_number",
            "website",
            "self_accrediting",
            "status",
        ]
