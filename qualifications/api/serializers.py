from rest_framework import serializers

from ..models import Framework, Level, LevelReference


class LevelReferenceSerializer(serializers.ModelSerializer):
    framework = serializers.CharField(source="to_level.framework.code")
    level = serializers.CharField(source="to_level.code")

    class Meta:
        model = LevelReference
        fields = ["framework", "level", "basis", "source", "note"]


class LevelSerializer(serializers.ModelSerializer):
    framework = serializers.CharField(source="framework.code")
    references = LevelReferenceSerializer(source="references_out", many=True, read_only=True)

    class Meta:
        model = Level
        fields = [
            "id",
            "framework",
            "code",
            "ordinal",
            "name_en",
            "name_zh",
            "typical_awards",
            "references",
        ]


class FrameworkLevelSerializer(serializers.ModelSerializer):
    references = LevelReferenceSerializer(source="references_out", many=True, read_only=True)

    class Meta:
        model = Level
        fields = ["id", "code", "ordinal", "name_en", "name_zh", "typical_awards", "references"]


class FrameworkSerializer(serializers.ModelSerializer):
    levels = FrameworkLevelSerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = [
            "id",
            "code",
            "name_en",
            "name_zh",
            "jurisdiction",
            "hours_per_credit",
            "credit_name",
            "source_url",
            "levels",
        ]
