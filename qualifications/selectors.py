from django.db.models import Prefetch, QuerySet

from .models import Framework, Level, LevelReference


def _references() -> Prefetch:
    return Prefetch(
        "references_out",
        queryset=LevelReference.objects.select_related("to_level__framework"),
    )


def framework_list() -> QuerySet[Framework]:
    """Frameworks with their levels and each level's references, in three queries."""
    levels = Level.objects.order_by("ordinal").prefetch_related(_references())
    return Framework.objects.prefetch_related(Prefetch("levels", queryset=levels))


def level_list() -> QuerySet[Level]:
    """Levels of every framework with their cross-framework references."""
    return Level.objects.select_related("framework").prefetch_related(_references())
